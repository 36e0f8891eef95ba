/**
 * Discovery and enforcement agree, checked at the validators for several configurations (UK-DCR-30,
 * UK-DCR-31, seed 004): every value the metadata document advertises passes the validator that owns it, and
 * every value it does not advertise is refused by that validator, naming the claim. Values not advertised are
 * drawn from everything open-dcr knows (all JWS algorithms and auth methods of the schema) plus common ones.
 * test/integration/discovery.test.ts proves the same through POST /register.
 */
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { authorizationServerMetadata } from '../../src/discovery/metadata.ts'
import type { Config } from '../../src/config/schema.ts'
import { SUPPORTED_JWS_ALGORITHMS, TOKEN_ENDPOINT_AUTH_METHODS } from '../../src/config/schema.ts'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import type { ClientCertificate } from '../../src/trust/types.ts'
import type { Validator } from '../../src/validation/context.ts'
import type { Claims } from '../../src/lib/claims.ts'
import { algorithms } from '../../src/validation/validators/algorithms.ts'
import { grantAndResponseTypes } from '../../src/validation/validators/grant-and-response-types.ts'
import { rolesAndScopes } from '../../src/validation/validators/roles-and-scopes.ts'
import { tokenEndpointAuth } from '../../src/validation/validators/token-endpoint-auth.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from '../validation/expect-validation-error.ts'

const SUBJECT = 'CN=7Hq2LmN9pXvR4tYb8Kc1Zs,OU=0015800001ZEc3hAAD,O=OpenBanking,C=GB'
const CIBA = 'urn:openid:params:grant-type:ciba'

/** Server metadata ↔ the client metadata claim whose value it bounds (OIDC Discovery §3, JARM §4, RFC 9701 §7). */
const ALGORITHM_FIELDS: ReadonlyArray<readonly [metadata: string, claim: string]> = [
  ['id_token_signing_alg_values_supported', 'id_token_signed_response_alg'],
  ['request_object_signing_alg_values_supported', 'request_object_signing_alg'],
  ['userinfo_signing_alg_values_supported', 'userinfo_signed_response_alg'],
  ['authorization_signing_alg_values_supported', 'authorization_signed_response_alg'],
  ['introspection_signing_alg_values_supported', 'introspection_signed_response_alg'],
]
const ALL_ALGORITHMS = [...SUPPORTED_JWS_ALGORITHMS, 'RS512', 'PS512', 'ES384', 'HS256', 'none']
const ALL_GRANTS = [...new Set(['authorization_code', 'refresh_token', 'client_credentials', CIBA, 'implicit', 'password', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:device_code'])]
const ALL_RESPONSE_TYPES = ['code', 'code id_token', 'token', 'id_token', 'id_token token', 'code token', 'code id_token token', 'none']

const configurations: Record<string, Config> = {
  'the UK defaults': testConfig(),
  'a narrowed server': testConfig({
    validators: {
      'token-endpoint-auth': { methods: ['private_key_jwt'], signingAlgorithms: ['PS256'] },
      algorithms: { allowed: ['ES256'], claims: ['id_token_signed_response_alg', 'authorization_signed_response_alg'] },
      'grant-and-response-types': { grantTypes: ['authorization_code', 'client_credentials'], responseTypes: ['code'] },
      'roles-and-scopes': { alwaysAllowed: ['openid', 'profile', 'cdr:registration'], roleScopes: { 'data-recipient-software-product': ['bank:accounts.basic:read', 'bank:transactions:read'] } },
    },
    management: { requiredScope: 'cdr:registration' },
  }),
  'a widened server': testConfig({
    validators: {
      'token-endpoint-auth': { methods: ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'], signingAlgorithms: ['PS256', 'ES256', 'EdDSA'] },
      algorithms: { allowed: ['PS256', 'ES256', 'EdDSA', 'RS256'] },
      'grant-and-response-types': { grantTypes: ['authorization_code', 'implicit', 'refresh_token'], responseTypes: ['code', 'code id_token', 'id_token', 'code id_token token'] },
    },
  }),
}

const list = (document: Record<string, unknown>, field: string): string[] => {
  const value = document[field]
  assert.ok(Array.isArray(value), `${field} is advertised as a list`)
  return value as string[]
}

let certificate: ClientCertificate
before(async () => {
  const ca = await createCertificateAuthority('Agreement Test CA')
  const issued = await ca.issueClient({ subject: SUBJECT })
  certificate = { certificate: issued.certificate, intermediates: [], thumbprint: 'unused', source: 'tls' }
})

/** Runs `validator` on a request with `claims` (and an SSA carrying `roles`). */
async function judge(validator: Validator, config: Config, claims: Claims, advertised: boolean, claim: string, roles?: string[]): Promise<void> {
  const ctx = makeContext({ config, request: claims, certificate, ...(roles ? { ssa: { software_roles: roles } } : {}) })
  if (advertised) await expectPass(validator, ctx)
  else await expectFailure(validator, ctx, { error: 'invalid_client_metadata', claim })
}

for (const [name, config] of Object.entries(configurations)) {
  describe(`discovery and enforcement agree for ${name}`, () => {
    const document = authorizationServerMetadata(config)
    const signingAlgs = list(document, 'token_endpoint_auth_signing_alg_values_supported')
    const grants = list(document, 'grant_types_supported')
    const responseTypes = list(document, 'response_types_supported')

    it('token-endpoint-auth accepts every advertised auth method and refuses every other', async () => {
      const methods = list(document, 'token_endpoint_auth_methods_supported')
      for (const method of TOKEN_ENDPOINT_AUTH_METHODS) {
        const companions: Claims =
          method === 'tls_client_auth' ? { tls_client_auth_subject_dn: SUBJECT } : method.endsWith('_jwt') ? { token_endpoint_auth_signing_alg: signingAlgs[0] } : {}
        await judge(tokenEndpointAuth, config, { token_endpoint_auth_method: method, ...companions }, methods.includes(method), 'token_endpoint_auth_method')
      }
    })

    it('token-endpoint-auth accepts every advertised token_endpoint_auth_signing_alg and refuses every other', async () => {
      for (const alg of ALL_ALGORITHMS) {
        await judge(tokenEndpointAuth, config, { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: alg }, signingAlgs.includes(alg), 'token_endpoint_auth_signing_alg')
      }
    })

    it('algorithms accepts every advertised signing alg of each *_alg_values_supported and refuses every other', async () => {
      for (const [field, claim] of ALGORITHM_FIELDS) {
        if (!Object.hasOwn(document, field)) continue
        const advertised = list(document, field)
        for (const alg of ALL_ALGORITHMS) await judge(algorithms, config, { [claim]: alg }, advertised.includes(alg), claim)
      }
    })

    it('algorithms leaves alone exactly the claims for which nothing is advertised', async () => {
      for (const [field, claim] of ALGORITHM_FIELDS) {
        if (Object.hasOwn(document, field)) continue
        for (const alg of SUPPORTED_JWS_ALGORITHMS) await judge(algorithms, config, { [claim]: alg }, true, claim)
      }
    })

    it('grant-and-response-types accepts every advertised grant type and refuses every other', async () => {
      for (const grant of ALL_GRANTS) {
        // The companions the grant needs, so that only the grant is on trial.
        const claims: Record<string, unknown> = { grant_types: [grant] }
        if (grant === 'authorization_code') claims['response_types'] = [responseTypes.find((type) => type.split(' ').includes('code'))]
        if (grant === 'implicit') claims['response_types'] = [responseTypes.find((type) => !type.split(' ').includes('code')) ?? 'token']
        if (grant === CIBA) Object.assign(claims, { backchannel_token_delivery_mode: 'poll', backchannel_authentication_request_signing_alg: 'PS256' })
        await judge(grantAndResponseTypes, config, claims, grants.includes(grant), 'grant_types')
      }
    })

    it('grant-and-response-types accepts every advertised response type and refuses every other', async () => {
      for (const responseType of ALL_RESPONSE_TYPES) {
        const values = responseType.split(' ')
        // The grants the response type needs, as far as they are advertised, so that only the response type is on trial.
        const needed = [...(values.includes('code') ? ['authorization_code'] : []), ...(!values.includes('code') && (values.includes('token') || values.includes('id_token')) ? ['implicit'] : [])]
        const grantTypes = needed.filter((grant) => grants.includes(grant))
        const claims: Claims = { response_types: [responseType], grant_types: grantTypes.length > 0 ? grantTypes : grants.slice(0, 1) }
        await judge(grantAndResponseTypes, config, claims, responseTypes.includes(responseType), 'response_types')
      }
    })

    it('roles-and-scopes grants every advertised scope to software holding every role, and refuses any other scope', async () => {
      const roles = Object.keys(config.validators['roles-and-scopes'].roleScopes)
      for (const scope of list(document, 'scopes_supported')) await judge(rolesAndScopes, config, { scope }, true, 'scope', roles)
      for (const scope of ['admin', 'openid offline_access', 'accounts:write']) await judge(rolesAndScopes, config, { scope }, false, 'scope', roles)
    })
  })
}
