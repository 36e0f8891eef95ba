/**
 * Keys by value (`jwks`) where a client's keys come from its directory (issue 13 item 3; BR-DCR-18, FAPI-7):
 * in the UK, CDR and Brazil profiles a registration request carrying its own `jwks` is refused with
 * invalid_client_metadata naming jwks, and the token endpoint never authenticates with a registered `jwks`,
 * even one stored while the check was off: those keys were never published by the directory, so its
 * rotation and revocation would not reach them. Plain RFC 7591 keeps accepting them. Real mutual TLS on
 * loopback, real signatures, a real SQLite file.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { PROFILE_NAMES } from '../../src/config/schema.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { testConfig } from '../helpers/context.ts'
import { sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'
import { freshAssertionClaims, postToken, privateKeyJwtForm } from '../helpers/token-request.ts'

let sandbox: Sandbox
/** A key the directory never published: the request's own. */
let inline: { privateKey: CryptoKey; publicJwk: JWK }
before(async () => {
  sandbox = await sharedSandbox()
  const { privateKey, publicKey } = await generateKeyPair('PS256')
  inline = { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: 'inline-key', alg: 'PS256', use: 'sig' } }
})
after(() => sandbox.close())

/** POST /token with a client assertion signed by the inline key, over the TPP's transport certificate. */
async function tokenWithInlineKey(s: TestServer, clientId: string) {
  const assertion = await new SignJWT(freshAssertionClaims(clientId)).setProtectedHeader({ alg: 'PS256', kid: 'inline-key' }).sign(inline.privateKey)
  return postToken(s, sandbox, privateKeyJwtForm(assertion))
}

describe('keys by value (jwks) where the directory publishes the keys', () => {
  it('refuses inline jwks in the obuk, cdr and brazil profiles and accepts them only in rfc7591', () => {
    const allowed = Object.fromEntries(PROFILE_NAMES.map((profile) => [profile, testConfig({ profile, validators: { 'software-status': { registerBaseUrl: 'https://register.example.com' } } }).validators['token-endpoint-auth'].allowJwksByValue]))
    assert.deepStrictEqual(allowed, { obuk: false, cdr: false, brazil: false, rfc7591: true })
  })

  it('refuses a UK registration request carrying its own jwks with 400 invalid_client_metadata naming jwks, and stores nothing', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const before = await s.counts()
    const response = await s.register(await s.signedRequest({ overrides: { jwks: { keys: [inline.publicJwk] } } }))
    assert.deepStrictEqual(
      { status: response.status, body: response.json },
      {
        status: 400,
        body: { error: 'invalid_client_metadata', error_description: "jwks (keys by value) is not accepted; remove jwks and publish the keys at the software statement's software_jwks_endpoint, registered as jwks_uri", validator: 'token-endpoint-auth' },
      },
    )
    const afterCounts = await s.counts()
    assert.deepStrictEqual({ clients: afterCounts.clients, jtis: afterCounts.jtis }, { clients: before.clients, jtis: before.jtis })
  })

  it('refuses at /token an assertion signed by inline jwks a UK client registered while the check was off: only the directory-published keys authenticate', async (t) => {
    // The registration check off stands for a client stored before the profile refused inline keys.
    const s = await startDcrServer(t, sandbox, { validators: { 'token-endpoint-auth': { enabled: false } } })
    const registered = await s.register(await s.signedRequest({ overrides: { jwks: { keys: [inline.publicJwk] } } }))
    assert.equal(registered.status, 201, registered.text)
    const clientId = (registered.json as { client_id: string }).client_id
    const response = await tokenWithInlineKey(s, clientId)
    assert.equal(response.status, 401, response.text)
    assert.equal((response.json as { error: string }).error, 'invalid_client')
    const [audit] = await s.server.store.listAudit(1)
    assert.deepStrictEqual(
      { operation: audit?.operation, outcome: audit?.outcome, errorCode: audit?.errorCode, clientId: audit?.clientId, detail: audit?.detail },
      { operation: 'token', outcome: 'rejected', errorCode: 'invalid_client', clientId, detail: `client_assertion kid "inline-key" is not a PS256 signing key of the client's keys at software_jwks_endpoint "${sandbox.manifest.tpp.jwksUrl}"` },
    )
  })

  it('still authenticates with inline jwks in the rfc7591 profile', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591' })
    const metadata = { redirect_uris: ['https://app.example-tpp.com/cb'], grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', jwks: { keys: [inline.publicJwk] } }
    const registered = await s.register(JSON.stringify(metadata), { contentType: 'application/json' })
    assert.equal(registered.status, 201, registered.text)
    const response = await tokenWithInlineKey(s, (registered.json as { client_id: string }).client_id)
    assert.equal(response.status, 200, response.text)
  })
})
