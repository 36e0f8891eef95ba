/**
 * verifyAccessToken (UK-DCR-2, CDR-DCR-2, SEC-1..3, SEC-12, UK-DCR-6) and the certificate binding check
 * (RFC8705-7, SEC-32), with real server keys in a keys file, tokens from issueAccessToken, a real SQLite
 * store for revocation and real certificates from a CA. Each refusal asserts its stable reason, the
 * `invalid_token` code, a description naming what to fix, and that the token is never echoed.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair, importJWK, SignJWT, UnsecuredJWT } from 'jose'
import { thumbprintOf } from '../../src/http/client-cert.ts'
import { createCertificateAuthority, type IssuedCertificate } from '../../src/sandbox/ca.ts'
import { openSqliteStore } from '../../src/store/sqlite.ts'
import type { Store } from '../../src/store/store.ts'
import { assertCertificateBinding, sameThumbprint } from '../../src/tokens/binding.ts'
import { InvalidTokenError, type InvalidTokenReason } from '../../src/tokens/bearer-token-errors.ts'
import { issueAccessToken, type AccessTokenClaims } from '../../src/tokens/issue.ts'
import { generateServerKey, loadServerKeys, type ServerKeys } from '../../src/tokens/server-keys.ts'
import { createAccessTokenVerifier, verifyAccessToken } from '../../src/tokens/verify.ts'
import type { ClientCertificate } from '../../src/trust/types.ts'
import type { KeySet } from '../../src/trust/types.ts'
import { TEST_ISSUER, testConfig } from '../helpers/context.ts'

const NOW = 1_800_000_000
const config = testConfig()
const SKEW = config.validators.freshness.clockSkewSeconds

let dir: string
let keys: ServerKeys
let esKeys: ServerKeys
let store: Store
let transport: IssuedCertificate
let otherTransport: IssuedCertificate

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'open-dcr-verify-'))
  keys = await loadServerKeys(join(dir, 'ps256.json'), 'PS256')
  esKeys = await loadServerKeys(join(dir, 'es256.json'), 'ES256')
  store = openSqliteStore({ path: join(dir, 'store.db'), synchronous: 'NORMAL' })
  const ca = await createCertificateAuthority('verify test CA')
  transport = await ca.issueClient({ subject: 'CN=software-1,OU=org-1,O=OpenBanking,C=GB' })
  otherTransport = await ca.issueClient({ subject: 'CN=software-1,OU=org-1,O=OpenBanking,C=GB' })
})
after(async () => {
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

const presented = (issued: IssuedCertificate): ClientCertificate => ({ certificate: issued.certificate, intermediates: [], thumbprint: thumbprintOf(issued.certificate.raw), source: 'tls' })

async function issue(overrides: { keys?: ServerKeys; clientId?: string; scope?: string; thumbprint?: string; now?: number; lifetimeSeconds?: number } = {}) {
  return issueAccessToken(overrides.keys ?? keys, {
    issuer: TEST_ISSUER,
    clientId: overrides.clientId ?? 'client-1',
    scope: overrides.scope ?? 'openid',
    thumbprint: overrides.thumbprint,
    lifetimeSeconds: overrides.lifetimeSeconds ?? 300,
    now: overrides.now ?? NOW,
  })
}

/** Valid claims of a server access token, with `overrides` (undefined removes a claim). */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { iss: TEST_ISSUER, aud: TEST_ISSUER, sub: 'client-1', client_id: 'client-1', scope: 'openid', iat: NOW, exp: NOW + 300, jti: `jti-${Math.random()}`, ...overrides }
  for (const [name, value] of Object.entries(base)) if (value === undefined) delete base[name]
  return base
}

/** `payload` signed by the server's current key (or `header` changes), as an attacker with the key could not. */
const signedByServer = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: keys.current.alg, kid: keys.current.kid, typ: 'at+jwt', ...header }).sign(keys.current.privateKey)

const verify = (token: string, now = NOW) => verifyAccessToken(token, { serverKeys: keys, config, store, now })

async function expectRefused(promise: Promise<unknown>, reason: InvalidTokenReason, describes: RegExp, token?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InvalidTokenError, `expected InvalidTokenError, got ${String(error)}`)
    assert.equal(error.reason, reason)
    assert.equal(error.error, 'invalid_token')
    assert.match(error.message, describes)
    if (token !== undefined) assert.ok(!error.message.includes(token) && !error.message.includes(token.split('.')[2] || token), 'the token is never echoed')
    return true
  })
}

describe('verifyAccessToken', () => {
  it('returns the claims of a valid PS256 access token of this server', async () => {
    const { token, claims: issued } = await issue({ thumbprint: 'x5t-1', scope: 'openid accounts' })
    assert.deepEqual(await verify(token), issued)
  })

  it('returns the claims of a valid ES256 access token of this server', async () => {
    const { token, claims: issued } = await issue({ keys: esKeys })
    assert.deepEqual(await verifyAccessToken(token, { serverKeys: esKeys, config, store, now: NOW }), issued)
  })

  it('accepts a token signed by an older key still in the keys file (rotation)', async () => {
    const newer = await generateServerKey('ES256')
    const older = await generateServerKey('PS256')
    const file = join(dir, 'rotated.json')
    await writeFile(file, JSON.stringify({ keys: [newer, older] }))
    const rotated = await loadServerKeys(file, 'PS256')
    const payload = claims()
    const token = await new SignJWT(payload).setProtectedHeader({ alg: 'PS256', kid: older.kid!, typ: 'at+jwt' }).sign(await importJWK(older, 'PS256'))
    assert.equal((await verifyAccessToken(token, { serverKeys: rotated, config, store, now: NOW })).jti, payload.jti)
  })

  it('accepts a token without scope as scope ""', async () => {
    const token = await signedByServer(claims({ scope: undefined }))
    assert.equal((await verify(token)).scope, '')
  })

  it('accepts a token expired by less than the clock skew, and refuses an expired one', async () => {
    const { token } = await issue({ now: NOW - 300 })
    assert.equal((await verify(token, NOW + SKEW - 1)).client_id, 'client-1')
    await expectRefused(verify(token, NOW + SKEW), 'expired', /access token has expired: obtain a new access token/, token)
  })

  it('refuses a token signed by a stranger key under the server kid', async () => {
    const { privateKey } = await generateKeyPair('PS256')
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'PS256', kid: keys.current.kid, typ: 'at+jwt' }).sign(privateKey)
    await expectRefused(verify(token), 'signature', /not signed by a key of this server/, token)
  })

  it('refuses a token signed by a stranger key with an unknown kid', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'stranger', typ: 'at+jwt' }).sign(privateKey)
    await expectRefused(verify(token), 'signature', /not signed by a key of this server/, token)
  })

  it('refuses an unsigned token (alg none)', async () => {
    const token = new UnsecuredJWT(claims()).encode()
    await expectRefused(verify(token), 'algorithm', /must be signed with PS256 or ES256/, token)
  })

  it('refuses an HS256 token even when its secret is the public key material', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(keys.publicJwks))
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: keys.current.kid, typ: 'at+jwt' }).sign(secret)
    await expectRefused(verify(token), 'algorithm', /must be signed with PS256 or ES256/, token)
  })

  it('refuses a JWT whose typ is not at+jwt (e.g. an id token or a client assertion)', async () => {
    const token = await signedByServer(claims(), { typ: 'JWT' })
    await expectRefused(verify(token), 'type', /typ must be at\+jwt/, token)
  })

  it('refuses a token of another issuer', async () => {
    const token = await signedByServer(claims({ iss: 'https://other-bank.example.com' }))
    await expectRefused(verify(token), 'issuer', /iss must be this server's issuer/, token)
  })

  it('refuses a token for another audience', async () => {
    const token = await signedByServer(claims({ aud: 'https://resource.example.com' }))
    await expectRefused(verify(token), 'audience', /aud must be this server's issuer/, token)
  })

  it('refuses a token without client_id', async () => {
    const token = await signedByServer(claims({ client_id: undefined }))
    await expectRefused(verify(token), 'malformed', /client_id claim is missing/, token)
  })

  it('refuses a token whose cnf has no x5t#S256', async () => {
    const token = await signedByServer(claims({ cnf: { jkt: 'abc' } }))
    await expectRefused(verify(token), 'malformed', /cnf claim must be an object with the x5t#S256/, token)
  })

  it('refuses a token issued in the future beyond the skew', async () => {
    const token = await signedByServer(claims({ iat: NOW + SKEW + 1, exp: NOW + 600 }))
    await expectRefused(verify(token), 'not-yet-valid', /iat is in the future/, token)
  })

  it('refuses a revoked token until it expires (UK-DCR-6)', async () => {
    const { token, claims: issued } = await issue()
    await store.revokeAccessToken(issued.jti, issued.exp)
    await expectRefused(verify(token), 'revoked', /has been revoked/, token)
  })

  it('refuses a string that is not a JWT', async () => {
    await expectRefused(verify('not-a-jwt'), 'malformed', /not a signed JWT of this server/)
    await expectRefused(verify('a.b.c'), 'malformed', /not a signed JWT of this server/)
  })
})

describe('createAccessTokenVerifier (a cache of verified tokens per server instance)', () => {
  /** The server's real keys, counting how often a signature check asks for a key. */
  function countingKeys(): { serverKeys: ServerKeys; lookups: () => number } {
    let count = 0
    const keySet: KeySet = (header, token) => {
      count += 1
      return keys.keySet(header, token)
    }
    return { serverKeys: { ...keys, keySet }, lookups: () => count }
  }

  /** `token` with one character in the middle of its signature changed. */
  function withTamperedSignature(token: string): string {
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const middle = Math.floor(signature.length / 2)
    const changed = signature[middle] === 'A' ? 'B' : 'A'
    return `${header}.${payload}.${signature.slice(0, middle)}${changed}${signature.slice(middle + 1)}`
  }

  it('checks the signature of a repeated token once and returns the same claims', async () => {
    const { serverKeys, lookups } = countingKeys()
    const verifier = createAccessTokenVerifier({ serverKeys, config, store })
    const { token, claims: issued } = await issue({ thumbprint: 'x5t-1' })
    assert.deepEqual(await verifier.verify(token, NOW), issued)
    assert.deepEqual(await verifier.verify(token, NOW + 10), issued)
    assert.equal(lookups(), 1)
  })

  it('refuses a cached token once expired, with the same clock skew as verifyAccessToken', async () => {
    const verifier = createAccessTokenVerifier({ serverKeys: keys, config, store })
    const { token } = await issue({ lifetimeSeconds: 300 })
    assert.equal((await verifier.verify(token, NOW)).client_id, 'client-1')
    assert.equal((await verifier.verify(token, NOW + 300 + SKEW - 1)).client_id, 'client-1')
    await expectRefused(verifier.verify(token, NOW + 300 + SKEW), 'expired', /access token has expired: obtain a new access token/, token)
    await expectRefused(verifier.verify(token, NOW + 300 + SKEW + 60), 'expired', /access token has expired/, token)
  })

  it('refuses a cached token once revoked (UK-DCR-6)', async () => {
    const verifier = createAccessTokenVerifier({ serverKeys: keys, config, store })
    const { token, claims: issued } = await issue()
    assert.equal((await verifier.verify(token, NOW)).jti, issued.jti)
    await store.revokeAccessToken(issued.jti, issued.exp)
    await expectRefused(verifier.verify(token, NOW + 1), 'revoked', /has been revoked/, token)
  })

  it('refuses a token with a tampered signature after the genuine one was cached', async () => {
    const verifier = createAccessTokenVerifier({ serverKeys: keys, config, store })
    const { token } = await issue()
    await verifier.verify(token, NOW)
    const tampered = withTamperedSignature(token)
    await expectRefused(verifier.verify(tampered, NOW), 'signature', /not signed by a key of this server/, tampered)
    assert.equal((await verifier.verify(token, NOW)).client_id, 'client-1')
  })

  it('refuses a token with a tampered payload under the genuine signature after the genuine one was cached', async () => {
    const verifier = createAccessTokenVerifier({ serverKeys: keys, config, store })
    const { token } = await issue()
    await verifier.verify(token, NOW)
    const [header, , signature] = token.split('.') as [string, string, string]
    const other = (await issue({ clientId: 'client-2' })).token.split('.')[1]!
    const tampered = `${header}.${other}.${signature}`
    await expectRefused(verifier.verify(tampered, NOW), 'signature', /not signed by a key of this server/, tampered)
  })

  it('never caches a refused token: it is verified again on the next call', async () => {
    const { serverKeys, lookups } = countingKeys()
    const verifier = createAccessTokenVerifier({ serverKeys, config, store })
    const token = await signedByServer(claims({ iat: NOW + SKEW + 1, exp: NOW + 600 }))
    await expectRefused(verifier.verify(token, NOW), 'not-yet-valid', /iat is in the future/, token)
    assert.equal((await verifier.verify(token, NOW + 2)).client_id, 'client-1')
    assert.equal(lookups(), 2)
  })

  it('checks nbf of a cached token against the time of each call', async () => {
    const verifier = createAccessTokenVerifier({ serverKeys: keys, config, store })
    const token = await signedByServer(claims({ nbf: NOW + 30 }))
    assert.equal((await verifier.verify(token, NOW + 30)).client_id, 'client-1')
    await expectRefused(verifier.verify(token, NOW + 30 - SKEW - 1), 'not-yet-valid', /nbf is in the future/, token)
  })

  it('keeps a cache per verifier, not per process', async () => {
    const { serverKeys, lookups } = countingKeys()
    const { token } = await issue()
    await createAccessTokenVerifier({ serverKeys, config, store }).verify(token, NOW)
    await createAccessTokenVerifier({ serverKeys, config, store }).verify(token, NOW)
    assert.equal(lookups(), 2)
  })

  it('drops the oldest token when the cache is full', async () => {
    const { serverKeys, lookups } = countingKeys()
    const verifier = createAccessTokenVerifier({ serverKeys, config, store, cacheEntries: 1 })
    const first = (await issue()).token
    const second = (await issue()).token
    await verifier.verify(first, NOW)
    await verifier.verify(second, NOW)
    await verifier.verify(second, NOW)
    assert.equal(lookups(), 2)
    await verifier.verify(first, NOW)
    assert.equal(lookups(), 3)
  })

  it('returns frozen claims, so that no caller can change what a later call sees', async () => {
    const verifier = createAccessTokenVerifier({ serverKeys: keys, config, store })
    const { token } = await issue({ thumbprint: 'x5t-1' })
    const verified = await verifier.verify(token, NOW)
    assert.throws(() => {
      ;(verified as { client_id: string }).client_id = 'client-2'
    }, TypeError)
    assert.throws(() => {
      ;(verified.cnf as { 'x5t#S256': string })['x5t#S256'] = 'other'
    }, TypeError)
    assert.equal((await verifier.verify(token, NOW)).client_id, 'client-1')
  })
})

describe('assertCertificateBinding (RFC8705-7)', () => {
  const bound = (issued: IssuedCertificate): Pick<AccessTokenClaims, 'cnf'> => ({ cnf: { 'x5t#S256': thumbprintOf(issued.certificate.raw) } })

  it('accepts a bound token presented with its certificate', () => {
    assertCertificateBinding(bound(transport), presented(transport), { requireBinding: true })
  })

  it('refuses a bound token presented with another certificate of the same subject', () => {
    assert.throws(() => assertCertificateBinding(bound(transport), presented(otherTransport), { requireBinding: true }), (error: unknown) => {
      assert.ok(error instanceof InvalidTokenError)
      assert.equal(error.reason, 'certificate-mismatch')
      assert.match(error.message, /bound to another client certificate \(cnf x5t#S256\)/)
      return true
    })
  })

  it('refuses a bound token presented without a certificate', () => {
    assert.throws(() => assertCertificateBinding(bound(transport), undefined, { requireBinding: false }), { name: 'InvalidTokenError', reason: 'certificate-mismatch', message: /present that certificate over mutual TLS/ })
  })

  it('refuses an unbound token where binding is required, and accepts it where not', () => {
    assert.throws(() => assertCertificateBinding({}, presented(transport), { requireBinding: true }), { name: 'InvalidTokenError', reason: 'certificate-mismatch', message: /not bound to a client certificate/ })
    assertCertificateBinding({}, presented(transport), { requireBinding: false })
  })

  it('compares thumbprints exactly', () => {
    assert.equal(sameThumbprint('abc', 'abc'), true)
    assert.equal(sameThumbprint('abc', 'abd'), false)
    assert.equal(sameThumbprint('abc', 'abcd'), false)
  })
})
