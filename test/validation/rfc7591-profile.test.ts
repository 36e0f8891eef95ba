/**
 * Validator behaviour under the plain RFC 7591 profile: the software statement is optional (RFC7591-14), so
 * checks that need one pass without it, while a statement that is sent is still checked in full (RFC7591-17);
 * redirect URI and algorithm checks stay as in the other profiles.
 */
import { describe, it } from 'node:test'
import type { Claims } from '../../src/lib/claims.ts'
import { algorithms } from '../../src/validation/validators/algorithms.ts'
import { hostnameConsistency } from '../../src/validation/validators/hostname-consistency.ts'
import { redirectUriFormat } from '../../src/validation/validators/redirect-uri-format.ts'
import { redirectUriSubset } from '../../src/validation/validators/redirect-uri-subset.ts'
import { requestIssuer } from '../../src/validation/validators/request-issuer.ts'
import { requiredAttributes } from '../../src/validation/validators/required-attributes.ts'
import { rolesAndScopes } from '../../src/validation/validators/roles-and-scopes.ts'
import { ssaIssuer } from '../../src/validation/validators/ssa-issuer.ts'
import { ssaSignature } from '../../src/validation/validators/ssa-signature.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { directoriesOf, keySetOf, makeDirectory, makeSigner } from '../helpers/jws-fixtures.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const config = testConfig({ profile: 'rfc7591' })
/** The rfc7591-7592-8705.md §7 plain request. */
const request: Claims = {
  redirect_uris: ['https://app.example-tpp.com/cb'],
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'PS256',
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
  client_name: 'Example Budget App',
  jwks_uri: 'https://keys.example-tpp.com/app1/jwks.json',
  scope: 'openid',
  software_id: '4a1c8d7e-0f52-4d1b-9f6a-3e2b1c0d9e8f',
}
const plain = (claims: Claims = request) => makeContext({ config, request: claims })

describe('rfc7591 profile: without a software statement (RFC7591-14)', () => {
  it('passes every check that would need a statement', async () => {
    for (const validator of [ssaIssuer, ssaSignature, redirectUriSubset, hostnameConsistency, requiredAttributes, requestIssuer, rolesAndScopes]) await expectPass(validator, plain())
  })

  it('requires redirect_uris only for redirect-based grants (RFC7591-8): a client_credentials-only client has none (issue 12 item 4)', async () => {
    await expectFailure(requiredAttributes, plain({ ...request, redirect_uris: undefined }), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
    await expectFailure(requiredAttributes, plain({ ...request, redirect_uris: undefined, grant_types: ['implicit'] }), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
    await expectPass(requiredAttributes, plain({ ...request, redirect_uris: undefined, grant_types: ['client_credentials'], response_types: undefined }))
  })

  it('still rejects a request without an auth method', async () => {
    await expectFailure(requiredAttributes, plain({ ...request, token_endpoint_auth_method: undefined }), { error: 'invalid_client_metadata', claim: 'token_endpoint_auth_method' })
  })

  it('still rejects an http redirect URI and an RS256 id_token algorithm', async () => {
    await expectFailure(redirectUriFormat, plain({ ...request, redirect_uris: ['http://app.example-tpp.com/cb'] }), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
    await expectFailure(algorithms, plain({ ...request, id_token_signed_response_alg: 'RS256' }), { error: 'invalid_client_metadata', claim: 'id_token_signed_response_alg' })
  })

  it('rejects scopes no statement grants (only the always-allowed ones pass)', async () => {
    await expectFailure(rolesAndScopes, plain({ ...request, scope: 'openid accounts' }), { error: 'invalid_client_metadata', claim: 'software_statement', mentions: ['accounts'] })
  })

  it('keeps requiring the statement where the profile does (UK)', async () => {
    await expectFailure(ssaIssuer, makeContext({ request }), { error: 'invalid_client_metadata', claim: 'software_statement' })
    await expectFailure(redirectUriSubset, makeContext({ request }), { error: 'invalid_client_metadata', claim: 'software_statement' })
  })
})

describe('rfc7591 profile: a statement that is sent is checked (RFC7591-17)', async () => {
  const signer = await makeSigner('PS256', 'dir')
  const directory = makeDirectory('Example Directory', keySetOf(signer))
  const directories = directoriesOf(directory)
  const ssaClaims = { iss: 'Example Directory', software_id: request.software_id, redirect_uris: request.redirect_uris, iat: 1767225000 }

  it('passes a statement signed by a configured directory', async () => {
    const ctx = makeContext({ config, request, ssa: ssaClaims, ssaCompact: await signer.sign(ssaClaims), directories })
    await expectPass(ssaIssuer, ctx)
    await expectPass(ssaSignature, ctx)
    await expectPass(redirectUriSubset, ctx)
  })

  it('rejects a statement from an unknown issuer', async () => {
    await expectFailure(ssaIssuer, makeContext({ config, request, ssa: { ...ssaClaims, iss: 'Somebody' }, directories }), { error: 'unapproved_software_statement', claim: 'iss' })
  })

  it('rejects a statement sent unsigned', async () => {
    await expectFailure(ssaSignature, makeContext({ config, request, ssa: ssaClaims, directory, directories }), { error: 'invalid_software_statement', claim: 'software_statement' })
  })

  it('rejects redirect_uris outside a statement that is sent', async () => {
    await expectFailure(redirectUriSubset, makeContext({ config, request: { ...request, redirect_uris: ['https://app.example-tpp.com/other'] }, ssa: ssaClaims }), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
  })
})
