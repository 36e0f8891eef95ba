/**
 * private_key_jwt (RFC 7523, SEC-10..13): a client assertion is accepted only when signed with the
 * registered alg by a registered key, names the client in iss and sub, this token endpoint in aud, is
 * fresh and short-lived, and carries a jti never used before. A frozen clock; real keys and store.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import type { Config } from '../../src/config/schema.ts'
import type { ClientRecord, Store } from '../../src/store/store.ts'
import { authenticateWithPrivateKeyJwt, JWT_BEARER_ASSERTION_TYPE, tokenEndpointUrl } from '../../src/tokens/client-auth/private-key-jwt.ts'
import { createRemoteKeySets } from '../../src/trust/remote-key-sets.ts'
import { signJsonTexts } from '../helpers/jws-fixtures.ts'
import { assertionClaims, clientRecord, expectOAuthError, ISSUER, NOW, openTestStore, signAssertion, signingKey, type TestSigningKey, tokenTestConfig } from './token-fixtures.ts'

type Setup = { store: Store; config: Config; client: ClientRecord; key: TestSigningKey }

async function setup(t: TestContext, options: { config?: Config; metadata?: Record<string, unknown> } = {}): Promise<Setup> {
  const key = await signingKey('PS256')
  const client = clientRecord('client-1', { jwks: { keys: [key.publicJwk] }, ...options.metadata })
  return { store: await openTestStore(t), config: options.config ?? tokenTestConfig(), client, key }
}

function authenticate(s: Setup, assertion: string | undefined, options: { assertionType?: string; now?: number } = {}) {
  const deps = { config: s.config, store: s.store, remoteKeySets: createRemoteKeySets(s.config.outbound) }
  return authenticateWithPrivateKeyJwt({ client: s.client, assertion, assertionType: 'assertionType' in options ? options.assertionType : JWT_BEARER_ASSERTION_TYPE, now: options.now ?? NOW }, deps)
}

const sign = (s: Setup, overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => signAssertion(s.key, assertionClaims(s.client.clientId, overrides), header)

describe('private_key_jwt client assertion (RFC 7523)', () => {
  it('accepts a valid assertion and keeps its jti until exp + clock skew', async (t) => {
    const s = await setup(t)
    await authenticate(s, await sign(s, { jti: 'one-time', exp: NOW + 60 }))
    const skew = s.config.validators.freshness.clockSkewSeconds
    assert.equal(await s.store.isJtiUsed('client-1', 'one-time', NOW), true)
    assert.equal(await s.store.isJtiUsed('client-1', 'one-time', NOW + 60 + skew + 1), false)
  })

  it('accepts aud as the issuer, or as an array naming the token endpoint, and an assertion without iat', async (t) => {
    const s = await setup(t)
    await authenticate(s, await sign(s, { aud: ISSUER }))
    await authenticate(s, await sign(s, { aud: ['https://elsewhere.example', tokenEndpointUrl(ISSUER)] }))
    await authenticate(s, await sign(s, { iat: undefined }))
  })

  it('builds the token endpoint URL from the issuer without a double slash', () => {
    assert.equal(tokenEndpointUrl('https://bank.example.com/'), 'https://bank.example.com/token')
    assert.equal(tokenEndpointUrl('https://bank.example.com/oauth'), 'https://bank.example.com/oauth/token')
  })

  const refusals: Array<[string, (s: Setup) => Promise<string | undefined>, RegExp, { assertionType?: string }?]> = [
    ['a missing client_assertion', async () => undefined, /registered for private_key_jwt: send client_assertion/],
    ['another client_assertion_type', (s) => sign(s), /client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer/, { assertionType: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }],
    ['a missing client_assertion_type', (s) => sign(s), /client_assertion_type must be/, { assertionType: undefined }],
    ['an unknown kid', (s) => sign(s, {}, { kid: 'not-registered' }), /kid "not-registered" is not a PS256 signing key of the client's keys at the registered jwks/],
    ['alg none', async (s) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(assertionClaims(s.client.clientId))).toString('base64url')}.`, /alg "none" is not the registered token_endpoint_auth_signing_alg PS256/],
    ['a missing iss', (s) => sign(s, { iss: undefined }), /client_assertion iss is required/],
    ['a sub that is not the client', (s) => sign(s, { sub: 'client-2' }), /client_assertion sub must be the client_id "client-1"/],
    ['a missing aud', (s) => sign(s, { aud: undefined }), /client_assertion aud is required; set it to https:\/\/bank.example.com\/token/],
    ['an aud of another endpoint of this server', (s) => sign(s, { aud: `${ISSUER}/register` }), /client_assertion aud must name this token endpoint/],
    ['a missing exp', (s) => sign(s, { exp: undefined }), /client_assertion exp is required/],
    ['a fractional exp', (s) => sign(s, { exp: NOW + 60.5 }), /client_assertion exp must be a whole number of seconds/],
    ['an expired exp', (s) => sign(s, { iat: NOW - 200, exp: NOW - 100 }), /client_assertion has expired \(exp 1799999900, now 1800000000\)/],
    ['an iat in the future', (s) => sign(s, { iat: NOW + 120, exp: NOW + 180 }), /client_assertion iat 1800000120 is in the future/],
    ['a lifetime over tokens.clientAssertionMaxLifetimeSeconds', (s) => sign(s, { exp: NOW + 301 }), /client_assertion lives 301 s \(exp - iat\); this server accepts at most 300 s/],
    ['an old iat (its lifetime to a live exp is too long)', (s) => sign(s, { iat: NOW - 400, exp: NOW + 10 }), /client_assertion lives 410 s/],
    ['no iat and an exp far away', (s) => sign(s, { iat: undefined, exp: NOW + 3600 }), /client_assertion exp is 3600 s away/],
    ['an nbf in the future', (s) => sign(s, { nbf: NOW + 120 }), /client_assertion is not valid before 1800000120 \(nbf/],
    ['a missing jti', (s) => sign(s, { jti: undefined }), /client_assertion jti is required/],
    ['a jti over 256 characters', (s) => sign(s, { jti: 'j'.repeat(257) }), /client_assertion jti must be a string of 1 to 256 characters/],
    ['a header naming alg twice ({"alg":"none",...,"alg":"PS256"}, SEC-7)', (s) => signJsonTexts(s.key, `{"alg":"none","kid":"${s.key.kid}","alg":"PS256"}`, JSON.stringify(assertionClaims(s.client.clientId))), /client_assertion is not an acceptable signed JWT \(the JWS header names the member "alg" more than once/],
    ['claims naming sub twice (SEC-7)', (s) => signJsonTexts(s.key, `{"alg":"PS256","kid":"${s.key.kid}"}`, JSON.stringify(assertionClaims(s.client.clientId)).replace(/}$/, ',"sub":"client-2"}')), /the JWS payload names the member "sub" more than once/],
    ['a string claim longer than 8192 characters (SEC-19)', (s) => sign(s, { note: 'n'.repeat(8193) }), /client_assertion has a claim that is too long: note is 8193 characters long; at most 8192 are accepted/],
    ['a garbled JWS', async () => 'not.a.jws!', /client_assertion is not an acceptable signed JWT/],
  ]
  for (const [what, build, describes, options] of refusals) {
    it(`refuses ${what}`, async (t) => {
      const s = await setup(t)
      const refusal = await expectOAuthError(authenticate(s, await build(s), options), 'invalid_client', describes)
      assert.equal(refusal.status, 401)
      assert.equal((await s.store.counts()).jtis, 0, 'a refused assertion records no jti')
    })
  }

  it('refuses an assertion signed by a key that is not registered, under a registered kid', async (t) => {
    const s = await setup(t)
    const stranger = await signingKey('PS256')
    const forged = await signAssertion({ ...stranger, kid: s.key.kid }, assertionClaims('client-1'))
    await expectOAuthError(authenticate(s, forged), 'invalid_client', /client_assertion signature does not verify with the key ".+" of the client's keys at the registered jwks/)
  })

  it('refuses an ES256 assertion from a client registered for PS256', async (t) => {
    const es = await signingKey('ES256')
    const s = await setup(t, { metadata: { jwks: { keys: [es.publicJwk] } } })
    await expectOAuthError(authenticate(s, await signAssertion(es, assertionClaims('client-1'))), 'invalid_client', /alg "ES256" is not the registered token_endpoint_auth_signing_alg PS256/)
  })

  it('refuses a replayed jti, and does not use up the jti of a refused assertion', async (t) => {
    const s = await setup(t)
    await expectOAuthError(authenticate(s, await sign(s, { jti: 'shared', aud: 'https://other.example/token' })), 'invalid_client', /aud/)
    const good = await sign(s, { jti: 'shared' })
    await authenticate(s, good)
    await expectOAuthError(authenticate(s, good), 'invalid_client', /client_assertion jti has already been used/)
  })

  it('refuses a client registered without token_endpoint_auth_signing_alg, or with one the profile no longer accepts', async (t) => {
    const without = await setup(t, { metadata: { token_endpoint_auth_signing_alg: undefined } })
    await expectOAuthError(authenticate(without, await sign(without)), 'invalid_client', /no registered token_endpoint_auth_signing_alg; update the registration with one of PS256, ES256/)
    const narrowed = await setup(t, { config: tokenTestConfig({ validators: { 'token-endpoint-auth': { signingAlgorithms: ['ES256'] } } }) })
    await expectOAuthError(authenticate(narrowed, await sign(narrowed)), 'invalid_client', /token_endpoint_auth_signing_alg "PS256" is no longer accepted; update the registration with one of ES256/)
  })

  it('refuses a client without registered keys, and one whose jwks_uri breaks the outbound rules', async (t) => {
    const none = await setup(t, { metadata: { jwks: undefined } })
    await expectOAuthError(authenticate(none, await sign(none)), 'invalid_client', /client "client-1" has no registered keys \(jwks_uri, jwks or software_jwks_endpoint\)/)
    const plainHttp = await setup(t, { metadata: { jwks: undefined, jwks_uri: 'http://keys.example.com/jwks' } })
    await expectOAuthError(authenticate(plainHttp, await sign(plainHttp)), 'invalid_client', /registered jwks_uri "http:\/\/keys.example.com\/jwks" may not be fetched: JWKS URL/)
    const fromSsa = await setup(t, { metadata: { jwks: undefined, software_jwks_endpoint: 'https://10.0.0.1/jwks' } })
    await expectOAuthError(authenticate(fromSsa, await sign(fromSsa)), 'invalid_client', /registered software_jwks_endpoint "https:\/\/10.0.0.1\/jwks" may not be fetched/)
  })
})
