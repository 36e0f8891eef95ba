/**
 * Discovery end to end over real TLS (UK-DCR-3, UK-DCR-30, CDR-DCR-1, BR-DCR-2, RFC8705-9): both documents are
 * served to a TPP that presents no certificate yet, they follow the configuration, and what they advertise
 * is what POST /register enforces: every advertised auth method, signing algorithm, grant type, response type
 * and scope registers (201), and values they do not advertise are refused (400) by the validator that owns
 * them, for the UK defaults and for a narrowed server.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it, type TestContext } from 'node:test'
import { authorizationServerMetadata } from '../../src/discovery/metadata.ts'
import { mtlsRequest } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

const CIBA = 'urn:openid:params:grant-type:ciba'
const PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']
/** Server metadata ↔ the client metadata claim whose value it bounds (OIDC Discovery §3, JARM §4, RFC 9701 §7). */
const ALGORITHM_FIELDS: ReadonlyArray<readonly [metadata: string, claim: string]> = [
  ['id_token_signing_alg_values_supported', 'id_token_signed_response_alg'],
  ['request_object_signing_alg_values_supported', 'request_object_signing_alg'],
  ['userinfo_signing_alg_values_supported', 'userinfo_signed_response_alg'],
  ['authorization_signing_alg_values_supported', 'authorization_signed_response_alg'],
  ['introspection_signing_alg_values_supported', 'introspection_signed_response_alg'],
]
const NARROWED = {
  validators: {
    'token-endpoint-auth': { methods: ['private_key_jwt'], signingAlgorithms: ['ES256'] },
    algorithms: { allowed: ['ES256'], claims: ['id_token_signed_response_alg', 'authorization_signed_response_alg'] },
    'grant-and-response-types': { grantTypes: ['authorization_code', 'client_credentials'], responseTypes: ['code'] },
    'roles-and-scopes': { alwaysAllowed: ['openid', 'cdr:registration'], roleScopes: { AISP: ['accounts'] } },
  },
  management: { requiredScope: 'cdr:registration' },
}

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

/** GET over TLS trusting the sandbox CA; no client certificate unless one is given. */
function get(s: TestServer, path: string, withCertificate = false) {
  const transport = sandbox.tpp.transport
  return mtlsRequest({ url: `${s.server.url}${path}`, ca: sandbox.caCertificatePem, ...(withCertificate ? { cert: transport.certificatePem, key: transport.privateKeyPem } : {}) })
}

async function discover(s: TestServer): Promise<Record<string, unknown>> {
  const response = await get(s, '/.well-known/openid-configuration')
  assert.equal(response.status, 200, response.text)
  return response.json as Record<string, unknown>
}

const list = (document: Record<string, unknown>, field: string): string[] => {
  const value = document[field]
  assert.ok(Array.isArray(value), `${field} is advertised as a list`)
  return value as string[]
}

describe('discovery documents', () => {
  it('serves both documents over TLS to a client without a certificate, equal to the configuration\'s metadata', async (t) => {
    const s = await startDcrServer(t, sandbox)
    for (const path of PATHS) {
      const response = await get(s, path)
      assert.equal(response.status, 200, `${path}: ${response.text}`)
      assert.match(String(response.headers['content-type']), /^application\/json/)
      assert.deepEqual(response.json, authorizationServerMetadata(s.config), path)
    }
    const withCertificate = await get(s, PATHS[0]!, true)
    assert.equal(withCertificate.status, 200, 'a TPP that already has its certificate reads it too')
    const register = await s.register('x', { certificate: null })
    assert.deepStrictEqual(
      { status: register.status, body: register.json },
      { status: 400, body: { error: 'invalid_client_metadata', error_description: 'a client certificate is required: call this endpoint over mutual TLS with your transport certificate', validator: 'client-certificate' } },
      'the registration endpoint still needs the certificate',
    )
  })

  it('serves the documents in proxy mode to a request that carries no certificate header', async (t) => {
    const s = await startDcrServer(t, sandbox, { server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } } })
    for (const path of PATHS) {
      const response = await fetch(`${s.server.url}${path}`)
      assert.equal(response.status, 200, path)
      assert.deepEqual(await response.json(), authorizationServerMetadata(s.config), path)
    }
  })

  it('advertises the registration endpoint where POST /register answers, and its mTLS alias (UK-DCR-3, RFC8705-9)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const document = await discover(s)
    assert.equal(document.issuer, s.config.issuer)
    const endpoint = new URL(document.registration_endpoint as string)
    assert.equal(endpoint.pathname, '/register')
    assert.deepEqual(document.mtls_endpoint_aliases, { token_endpoint: document.token_endpoint, registration_endpoint: document.registration_endpoint })
    const response = await s.register(await s.signedRequest())
    assert.equal(response.status, 201, response.text)
  })

  it('advertises a jwks_uri and a token_endpoint that the server answers at', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const document = await discover(s)
    const jwks = await get(s, new URL(document.jwks_uri as string).pathname)
    assert.equal(jwks.status, 200, jwks.text)
    assert.ok(Array.isArray((jwks.json as { keys?: unknown }).keys), 'a JWK Set')
    const token = await mtlsRequest({ url: `${s.server.url}${new URL(document.token_endpoint as string).pathname}`, method: 'POST', ca: sandbox.caCertificatePem })
    assert.deepStrictEqual(
      { status: token.status, body: token.json, challenge: token.headers['www-authenticate'] },
      {
        status: 401,
        body: { error: 'invalid_client', error_description: 'a client certificate is required: call this endpoint over mutual TLS with your transport certificate' },
        challenge: list(document, 'token_endpoint_auth_methods_supported').join(', '),
      },
      'the token endpoint exists, and challenges for the advertised methods',
    )
  })

  it('changes with the configuration: a private_key_jwt-only server advertises only private_key_jwt', async (t) => {
    const uk = await discover(await startDcrServer(t, sandbox))
    assert.deepEqual(uk.token_endpoint_auth_methods_supported, ['private_key_jwt', 'tls_client_auth'])
    const narrowed = await discover(await startDcrServer(t, sandbox, NARROWED))
    assert.deepEqual(narrowed.token_endpoint_auth_methods_supported, ['private_key_jwt'])
    assert.deepEqual(narrowed.token_endpoint_auth_signing_alg_values_supported, ['ES256'])
    assert.deepEqual(narrowed.response_types_supported, ['code'])
    assert.deepEqual(narrowed.scopes_supported, ['openid', 'cdr:registration', 'accounts'])
    assert.equal(Object.hasOwn(narrowed, 'request_object_signing_alg_values_supported'), false)
  })
})

/** A registration request valid for what `document` advertises; `overrides` then change single claims. */
function baseline(document: Record<string, unknown>): Record<string, unknown> {
  const firstAlg = (field: string) => (Object.hasOwn(document, field) ? list(document, field)[0] : 'PS256')
  assert.ok(list(document, 'token_endpoint_auth_methods_supported').includes('private_key_jwt'), 'the baseline uses private_key_jwt')
  return {
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: list(document, 'token_endpoint_auth_signing_alg_values_supported')[0],
    id_token_signed_response_alg: firstAlg('id_token_signing_alg_values_supported'),
    request_object_signing_alg: firstAlg('request_object_signing_alg_values_supported'),
    grant_types: ['authorization_code'],
    response_types: [list(document, 'response_types_supported').find((type) => type.split(' ').includes('code'))],
    scope: 'openid',
  }
}

type Trial = { what: string; overrides: Record<string, unknown> }
/** A trial of one value of one advertised list (`field`), refused by `validator` with `description`, which offers what `field` advertises. */
type Refusal = Trial & { field: string; value: string; validator: string; description: string }

/** The registrations the document says must work: one per advertised value. */
function advertisedTrials(document: Record<string, unknown>, s: TestServer): Trial[] {
  const trials: Trial[] = []
  for (const method of list(document, 'token_endpoint_auth_methods_supported')) {
    const overrides: Record<string, unknown> = { token_endpoint_auth_method: method }
    if (method === 'tls_client_auth') Object.assign(overrides, { token_endpoint_auth_signing_alg: undefined, tls_client_auth_subject_dn: s.sandbox.tpp.transportSubject })
    trials.push({ what: `token_endpoint_auth_method ${method}`, overrides })
  }
  for (const alg of list(document, 'token_endpoint_auth_signing_alg_values_supported')) {
    trials.push({ what: `token_endpoint_auth_signing_alg ${alg}`, overrides: { token_endpoint_auth_signing_alg: alg } })
  }
  for (const [field, claim] of ALGORITHM_FIELDS) {
    if (!Object.hasOwn(document, field)) continue
    for (const alg of list(document, field)) trials.push({ what: `${claim} ${alg}`, overrides: { [claim]: alg } })
  }
  for (const grant of list(document, 'grant_types_supported')) {
    const overrides: Record<string, unknown> = { grant_types: [...new Set(['authorization_code', grant])] }
    if (grant === CIBA) Object.assign(overrides, { backchannel_token_delivery_mode: 'poll', backchannel_authentication_request_signing_alg: 'PS256' })
    trials.push({ what: `grant type ${grant}`, overrides })
  }
  for (const responseType of list(document, 'response_types_supported')) {
    trials.push({ what: `response type ${responseType}`, overrides: { response_types: [responseType] } })
  }
  for (const scope of list(document, 'scopes_supported')) trials.push({ what: `scope ${scope}`, overrides: { scope } })
  return trials
}

/** Registrations with values the document does not advertise (the SSA has `ssaRoles`); a candidate the document does advertise is skipped. */
function unadvertisedTrials(document: Record<string, unknown>, s: TestServer, ssaRoles: readonly string[]): Refusal[] {
  const advertised = (field: string, separator = ', ') => list(document, field).join(separator)
  const method = (value: string) => `token_endpoint_auth_method "${value}" is not accepted; use one of ${advertised('token_endpoint_auth_methods_supported')}`
  const grant = (value: string) => `grant_types has "${value}", which is not accepted; use only ${advertised('grant_types_supported')}`
  const scope = (value: string) => `scope asks for "${value}", which the software statement's software_roles "${ssaRoles.join(' ')}" do not grant; request only ${advertised('scopes_supported', ' ')}`
  const tlsClientAuth = { token_endpoint_auth_method: 'tls_client_auth', token_endpoint_auth_signing_alg: undefined, tls_client_auth_subject_dn: s.sandbox.tpp.transportSubject }
  const candidates: Refusal[] = [
    { what: 'token_endpoint_auth_method tls_client_auth', field: 'token_endpoint_auth_methods_supported', value: 'tls_client_auth', overrides: tlsClientAuth, validator: 'token-endpoint-auth', description: method('tls_client_auth') },
    { what: 'token_endpoint_auth_method client_secret_basic', field: 'token_endpoint_auth_methods_supported', value: 'client_secret_basic', overrides: { token_endpoint_auth_method: 'client_secret_basic' }, validator: 'token-endpoint-auth', description: method('client_secret_basic') },
    { what: 'the implicit grant', field: 'grant_types_supported', value: 'implicit', overrides: { grant_types: ['authorization_code', 'implicit'] }, validator: 'grant-and-response-types', description: grant('implicit') },
    { what: 'the password grant', field: 'grant_types_supported', value: 'password', overrides: { grant_types: ['authorization_code', 'password'] }, validator: 'grant-and-response-types', description: grant('password') },
    { what: 'a scope outside scopes_supported', field: 'scopes_supported', value: 'admin', overrides: { scope: 'openid admin' }, validator: 'roles-and-scopes', description: scope('admin') },
    { what: 'scope payments (the SSA has PISP)', field: 'scopes_supported', value: 'payments', overrides: { scope: 'openid payments' }, validator: 'roles-and-scopes', description: scope('payments') },
  ]
  for (const responseType of ['code', 'code id_token', 'token']) {
    candidates.push({ what: `response type ${responseType}`, field: 'response_types_supported', value: responseType, overrides: { response_types: [responseType] }, validator: 'grant-and-response-types', description: `response_types has "${responseType}", which is not accepted; use only ${list(document, 'response_types_supported').map((type) => `"${type}"`).join(', ')}` })
  }
  for (const alg of ['PS256', 'ES256', 'RS256', 'EdDSA']) {
    candidates.push({ what: `token_endpoint_auth_signing_alg ${alg}`, field: 'token_endpoint_auth_signing_alg_values_supported', value: alg, overrides: { token_endpoint_auth_signing_alg: alg }, validator: 'token-endpoint-auth', description: `token_endpoint_auth_signing_alg "${alg}" is not accepted; use one of ${advertised('token_endpoint_auth_signing_alg_values_supported')}` })
    for (const [field, claim] of ALGORITHM_FIELDS) {
      // A field that is not advertised means its claim is not restricted (see the algorithms validator).
      if (Object.hasOwn(document, field)) candidates.push({ what: `${claim} ${alg}`, field, value: alg, overrides: { [claim]: alg }, validator: 'algorithms', description: `${claim} "${alg}" is refused: it is not an accepted algorithm; use one of ${advertised(field)}` })
    }
  }
  return candidates.filter((candidate) => !list(document, candidate.field).includes(candidate.value))
}

const servers: Array<[string, Record<string, unknown>]> = [
  ['the UK defaults', {}],
  ['a narrowed server (private_key_jwt, ES256, code, AISP only)', NARROWED],
]

for (const [name, values] of servers) {
  describe(`discovery and POST /register agree for ${name}`, () => {
    it('registers with every advertised value (201)', async (t: TestContext) => {
      const s = await startDcrServer(t, sandbox, values)
      const document = await discover(s)
      const roles = Object.keys(s.config.validators['roles-and-scopes'].roleScopes)
      const trials = advertisedTrials(document, s)
      for (const trial of trials) {
        const ssa = await sandbox.issueSsa({ software_roles: roles })
        const response = await s.register(await s.signedRequest({ ssa, overrides: { ...baseline(document), ...trial.overrides } }))
        assert.equal(response.status, 201, `${trial.what} is advertised but refused: ${response.text}`)
      }
      assert.equal((await s.counts()).clients, trials.length, 'one client per advertised value')
    })

    it('refuses values that are not advertised, in the validator that owns them', async (t: TestContext) => {
      const s = await startDcrServer(t, sandbox, values)
      const document = await discover(s)
      // The SSA carries a role the narrowed server does not know (PISP): its scope is still not granted.
      const ssaRoles = [...new Set([...Object.keys(s.config.validators['roles-and-scopes'].roleScopes), 'PISP'])]
      const refusals = unadvertisedTrials(document, s, ssaRoles)
      assert.ok(refusals.length >= 6, `only ${refusals.length} values to refuse`)
      for (const refusal of refusals) {
        const response = await s.register(await s.signedRequest({ ssa: await sandbox.issueSsa({ software_roles: ssaRoles }), overrides: { ...baseline(document), ...refusal.overrides } }))
        assert.deepStrictEqual(
          { status: response.status, body: response.json },
          { status: 400, body: { error: 'invalid_client_metadata', error_description: refusal.description, validator: refusal.validator } },
          `${refusal.what} is not advertised, and the refusal offers what is`,
        )
      }
      assert.equal((await s.counts()).clients, 0, 'nothing was registered')
    })
  })
}
