/**
 * The per-URL remote key sets (SEC-4, SEC-14, SEC-17): URLs refused before anything is created, one cached
 * jose key set per URL with LRU eviction, the bounded fetch underneath, and jose's single refetch on an
 * unknown kid after the cooldown, against a real https JWKS server that rotates its keys.
 */
import assert from 'node:assert/strict'
import { before, test, type TestContext } from 'node:test'
import { errors, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose'
import { resolve } from '../../src/config/fields.ts'
import { configSchema, type Config } from '../../src/config/schema.ts'
import { createCertificateAuthority, type CertificateAuthority } from '../../src/sandbox/ca.ts'
import { OutboundFetchError } from '../../src/trust/outbound-http.ts'
import { createRemoteKeySets, JwksUrlError } from '../../src/trust/remote-key-sets.ts'
import type { OutboundUrlProblemReason } from '../../src/trust/outbound-url.ts'
import { startHttpsServer, temporaryFile, type LoopbackServer } from '../helpers/loopback-servers.ts'

let ca: CertificateAuthority
before(async () => {
  ca = await createCertificateAuthority('remote-key-sets test CA')
})

const outbound = (t: TestContext, values: Record<string, unknown> = {}): Config['outbound'] =>
  resolve(configSchema.fields.outbound, { caFiles: [temporaryFile(t, 'ca.pem', ca.certificatePem)], allowPrivateAddresses: true, ...values }, 'outbound')

type SigningKey = { kid: string; privateKey: CryptoKey; publicJwk: JWK }

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } }
}

const sign = (key: SigningKey): Promise<string> => new SignJWT({ sub: 'test' }).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' }).setIssuedAt().sign(key.privateKey)

/** A JWKS server whose document the test can replace (key rotation); counts fetches. */
async function rotatingJwksServer(t: TestContext, initial: SigningKey[]): Promise<{ server: LoopbackServer; url: string; rotate(keys: SigningKey[]): void }> {
  let body = JSON.stringify({ keys: initial.map((key) => key.publicJwk) })
  const server = await startHttpsServer(t, ca, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
  })
  return {
    server,
    url: `${server.url}/org/software.jwks`,
    rotate(keys) {
      body = JSON.stringify({ keys: keys.map((key) => key.publicJwk) })
    },
  }
}

function assertUrlRefused(action: () => unknown, reason: OutboundUrlProblemReason): void {
  assert.throws(action, (error: unknown) => error instanceof JwksUrlError && error.reason === reason && /^JWKS URL /.test(error.message))
}

test('refuses a plain-http JWKS URL unless allowHttp, before creating a key set (SEC-14)', (t) => {
  const keySets = createRemoteKeySets(outbound(t))
  assertUrlRefused(() => keySets.forUrl('http://keystore.example/x.jwks'), 'insecure-scheme')
  assert.equal(keySets.size, 0)
  const lenient = createRemoteKeySets(outbound(t, { allowHttp: true }))
  lenient.forUrl('http://keystore.example/x.jwks')
  assert.equal(lenient.size, 1)
})

test('refuses an unparseable JWKS URL before creating a key set', (t) => {
  const keySets = createRemoteKeySets(outbound(t))
  assertUrlRefused(() => keySets.forUrl('keystore.example/x.jwks'), 'invalid-url')
  assertUrlRefused(() => keySets.forUrl(''), 'invalid-url')
  assert.equal(keySets.size, 0)
})

test('refuses a JWKS URL whose host is not in outbound.allowedHosts or is a private IP literal (SEC-14, SEC-15)', (t) => {
  const keySets = createRemoteKeySets(outbound(t, { allowedHosts: ['keystore.openbankingtest.org.uk'], allowPrivateAddresses: false }))
  assertUrlRefused(() => keySets.forUrl('https://keystore.openbankingtest.org.uk.attacker.example/x.jwks'), 'host-not-allowed')
  const open = createRemoteKeySets(outbound(t, { allowPrivateAddresses: false }))
  assertUrlRefused(() => open.forUrl('https://169.254.169.254/latest/meta-data/'), 'private-address')
  assert.equal(keySets.size + open.size, 0)
  assert.equal(typeof keySets.forUrl('https://keystore.openbankingtest.org.uk/org/x.jwks'), 'function')
})

test('returns the same cached key set for the same URL and evicts the least recently used beyond maxCachedJwks', (t) => {
  const keySets = createRemoteKeySets(outbound(t, { maxCachedJwks: 2 }))
  const a = keySets.forUrl('https://a.example/jwks')
  const b = keySets.forUrl('https://b.example/jwks')
  assert.equal(keySets.forUrl('https://a.example/jwks'), a)
  assert.equal(keySets.size, 2)
  keySets.forUrl('https://c.example/jwks') // b is now the least recently used
  assert.equal(keySets.size, 2)
  assert.equal(keySets.forUrl('https://a.example/jwks'), a)
  assert.notEqual(keySets.forUrl('https://b.example/jwks'), b)
  assert.equal(keySets.size, 2)
})

test('verifies a JWT with a key fetched over https through the bounded fetch', async (t) => {
  const key = await signingKey('k1')
  const jwks = await rotatingJwksServer(t, [key])
  const keySets = createRemoteKeySets(outbound(t))
  const { payload } = await jwtVerify(await sign(key), keySets.forUrl(jwks.url), { algorithms: ['ES256'] })
  assert.equal(payload.sub, 'test')
  await jwtVerify(await sign(key), keySets.forUrl(jwks.url), { algorithms: ['ES256'] })
  assert.equal(jwks.server.requests, 1, 'the second verification uses the cached JWKS')
})

test('refetches once on an unknown kid after the cooldown and finds the rotated key (SEC-4, SEC-17)', async (t) => {
  const [oldKey, newKey] = [await signingKey('old'), await signingKey('new')]
  const jwks = await rotatingJwksServer(t, [oldKey])
  const keySets = createRemoteKeySets(outbound(t, { jwksCooldownSeconds: 0 }))
  await jwtVerify(await sign(oldKey), keySets.forUrl(jwks.url))
  jwks.rotate([newKey])
  await jwtVerify(await sign(newKey), keySets.forUrl(jwks.url))
  assert.equal(jwks.server.requests, 2)
})

test('rejects an unknown kid without refetching while the cooldown lasts (SEC-17)', async (t) => {
  const [oldKey, newKey] = [await signingKey('old'), await signingKey('new')]
  const jwks = await rotatingJwksServer(t, [oldKey])
  const keySets = createRemoteKeySets(outbound(t, { jwksCooldownSeconds: 30 }))
  await jwtVerify(await sign(oldKey), keySets.forUrl(jwks.url))
  jwks.rotate([newKey])
  for (let attempt = 0; attempt < 5; attempt++) {
    await assert.rejects(jwtVerify(await sign(newKey), keySets.forUrl(jwks.url)), errors.JWKSNoMatchingKey)
  }
  assert.equal(jwks.server.requests, 1, 'random kids cannot force fetches during the cooldown')
})

test('rejects an unknown kid after one refetch when the rotated JWKS does not have it either', async (t) => {
  const [oldKey, strangerKey] = [await signingKey('old'), await signingKey('stranger')]
  const jwks = await rotatingJwksServer(t, [oldKey])
  const keySets = createRemoteKeySets(outbound(t, { jwksCooldownSeconds: 0 }))
  await jwtVerify(await sign(oldKey), keySets.forUrl(jwks.url))
  await assert.rejects(jwtVerify(await sign(strangerKey), keySets.forUrl(jwks.url)), errors.JWKSNoMatchingKey)
  assert.equal(jwks.server.requests, 2)
})

test('fails verification with the OutboundFetchError when the JWKS server is too slow', async (t) => {
  const timers: NodeJS.Timeout[] = []
  t.after(() => timers.forEach(clearTimeout))
  const server = await startHttpsServer(t, ca, (_request, response) => {
    timers.push(setTimeout(() => response.end('{"keys":[]}'), 5000))
  })
  const key = await signingKey('k1')
  const keySets = createRemoteKeySets(outbound(t, { timeoutMs: 300 }))
  await assert.rejects(jwtVerify(await sign(key), keySets.forUrl(`${server.url}/jwks`)), (error: unknown) => error instanceof OutboundFetchError && error.reason === 'timeout')
})

/** A JWKS server answering a valid JWKS of `key` under the given Content-Type (none when undefined). */
async function jwksServedAs(t: TestContext, key: SigningKey, contentType: string | undefined): Promise<string> {
  const body = JSON.stringify({ keys: [key.publicJwk] })
  const server = await startHttpsServer(t, ca, (_request, response) => {
    response.writeHead(200, { ...(contentType === undefined ? {} : { 'content-type': contentType }), 'content-length': Buffer.byteLength(body) }).end(body)
  })
  return `${server.url}/jwks`
}

const refusedAsMediaType = (served: RegExp) => (error: unknown) => error instanceof OutboundFetchError && error.reason === 'media-type' && served.test(error.message) && /must be served as application\/json or application\/jwk-set\+json/.test(error.message)

test('refuses a JWKS served as text/html, even when its body is a valid JWKS (issue 13 item 6)', async (t) => {
  const key = await signingKey('k1')
  const keySets = createRemoteKeySets(outbound(t))
  await assert.rejects(jwtVerify(await sign(key), keySets.forUrl(await jwksServedAs(t, key, 'text/html; charset=utf-8'))), refusedAsMediaType(/served the JWKS as text\/html;/))
  await assert.rejects(keySets.forUrl(await jwksServedAs(t, key, 'text/plain')).reload(), refusedAsMediaType(/as text\/plain/))
})

test('refuses a JWKS served without a Content-Type or as another JSON-looking type (issue 13 item 6)', async (t) => {
  const key = await signingKey('k1')
  const keySets = createRemoteKeySets(outbound(t))
  await assert.rejects(keySets.forUrl(await jwksServedAs(t, key, undefined)).reload(), refusedAsMediaType(/without a Content-Type/))
  await assert.rejects(keySets.forUrl(await jwksServedAs(t, key, 'application/jwk+json')).reload(), refusedAsMediaType(/as application\/jwk\+json/))
  await assert.rejects(keySets.forUrl(await jwksServedAs(t, key, 'application/json-seq')).reload(), refusedAsMediaType(/as application\/json-seq/))
})

test('uses a JWKS served as application/json or application/jwk-set+json, parameters and case aside (RFC 7517 §8.5.1)', async (t) => {
  const key = await signingKey('k1')
  const keySets = createRemoteKeySets(outbound(t))
  for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/jwk-set+json', 'Application/JWK-Set+JSON ; charset=UTF-8']) {
    const { payload } = await jwtVerify(await sign(key), keySets.forUrl(await jwksServedAs(t, key, contentType)))
    assert.equal(payload.sub, 'test', contentType)
  }
})
