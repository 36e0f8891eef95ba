/**
 * The bounded fetch against real servers on loopback (SEC-14..16): trusted CAs, the SSRF guard on IP
 * literals and on resolved host names, http only by opt-in, no redirects, one timeout for the whole
 * exchange, a response size cap and the host allow-list.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { ConfigError, resolve } from '../../src/config/fields.ts'
import { configSchema, type Config } from '../../src/config/schema.ts'
import { createCertificateAuthority, type CertificateAuthority } from '../../src/sandbox/ca.ts'
import { createBoundedFetch, OutboundFetchError, type OutboundFetchErrorReason } from '../../src/trust/bounded-fetch.ts'
import { json, startHttpServer, startHttpsServer, temporaryFile } from '../helpers/loopback-servers.ts'

const JWKS = { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] }

let ca: CertificateAuthority
before(async () => {
  ca = await createCertificateAuthority('bounded-fetch test CA')
})

const outbound = (values: Record<string, unknown> = {}): Config['outbound'] => resolve(configSchema.fields.outbound, values, 'outbound')

/** Outbound settings that trust the test CA and allow loopback, like the sandbox. */
const sandboxOutbound = (t: import('node:test').TestContext, values: Record<string, unknown> = {}): Config['outbound'] =>
  outbound({ caFiles: [temporaryFile(t, 'ca.pem', ca.certificatePem)], allowPrivateAddresses: true, ...values })

async function assertRefused(promise: Promise<unknown>, reason: OutboundFetchErrorReason, messagePart?: RegExp): Promise<OutboundFetchError> {
  const error = await promise.then(
    () => assert.fail(`expected an OutboundFetchError (${reason})`),
    (caught: unknown) => caught,
  )
  assert.ok(error instanceof OutboundFetchError, `expected OutboundFetchError, got ${String(error)}`)
  assert.equal(error.reason, reason, error.message)
  if (messagePart) assert.match(error.message, messagePart)
  return error
}

test('fetches a JWKS over https from a server whose CA is in outbound.caFiles', async (t) => {
  const server = await startHttpsServer(t, ca, json(JWKS))
  const fetch = createBoundedFetch(sandboxOutbound(t))
  const response = await fetch(`${server.url}/jwks`, { headers: new Headers({ accept: 'application/json' }) })
  assert.equal(response.status, 200)
  assert.equal(response.headers.get('content-type'), 'application/json')
  assert.deepEqual(await response.json(), JWKS)
})

test('passes a non-redirect error status through as a Response (jose then refuses it)', async (t) => {
  const server = await startHttpsServer(t, ca, (_request, response) => response.writeHead(404).end('missing'))
  const response = await createBoundedFetch(sandboxOutbound(t))(`${server.url}/jwks`)
  assert.equal(response.status, 404)
  assert.equal(await response.text(), 'missing')
})

test('rejects a server whose CA is not trusted', async (t) => {
  const server = await startHttpsServer(t, ca, json(JWKS))
  await assertRefused(createBoundedFetch(outbound({ allowPrivateAddresses: true }))(`${server.url}/jwks`), 'tls')
})

test('rejects a loopback IP-literal URL without allowPrivateAddresses, before connecting (SEC-15)', async (t) => {
  const server = await startHttpsServer(t, ca, json(JWKS))
  const fetch = createBoundedFetch(sandboxOutbound(t, { allowPrivateAddresses: false }))
  await assertRefused(fetch(`${server.url}/jwks`), 'private-address', /127\.0\.0\.1/)
  assert.equal(server.requests, 0)
})

test('rejects a host name that resolves to loopback without allowPrivateAddresses (SEC-15)', async (t) => {
  const server = await startHttpsServer(t, ca, json(JWKS))
  const fetch = createBoundedFetch(sandboxOutbound(t, { allowPrivateAddresses: false }))
  await assertRefused(fetch(`https://localhost:${server.port}/jwks`), 'private-address', /"localhost" resolves to/)
  assert.equal(server.requests, 0)
})

test('rejects private, link-local, CGNAT, mapped and ULA IP literals in every URL spelling (SEC-15)', async () => {
  const fetch = createBoundedFetch(outbound())
  for (const url of [
    'https://10.0.0.5/jwks',
    'https://172.16.3.4/jwks',
    'https://192.168.1.1/jwks',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/jwks',
    'https://0.0.0.0/jwks',
    'https://224.0.0.1/jwks',
    'https://2130706433/jwks',
    'https://0x7f.1/jwks',
    'https://[::1]/jwks',
    'https://[::ffff:127.0.0.1]/jwks',
    'https://[fd00::1]/jwks',
    'https://[fe80::1]/jwks',
  ]) {
    await assertRefused(fetch(url), 'private-address')
  }
})

test('rejects plain http unless allowHttp (SEC-14)', async (t) => {
  const server = await startHttpServer(t, json(JWKS))
  await assertRefused(createBoundedFetch(sandboxOutbound(t))(`${server.url}/jwks`), 'insecure-scheme', /must use https/)
  assert.equal(server.requests, 0)
  const allowed = await createBoundedFetch(sandboxOutbound(t, { allowHttp: true }))(`${server.url}/jwks`)
  assert.deepEqual(await allowed.json(), JWKS)
})

test('rejects schemes other than https and http, and URLs that do not parse', async () => {
  const fetch = createBoundedFetch(outbound({ allowHttp: true }))
  await assertRefused(fetch('file:///etc/passwd'), 'insecure-scheme')
  await assertRefused(fetch('ftp://keystore.example/jwks'), 'insecure-scheme')
  await assertRefused(fetch('not a url'), 'invalid-url')
  await assertRefused(fetch('https://user:pass@keystore.example/jwks'), 'invalid-url')
})

test('rejects a redirect and does not follow it (SEC-16)', async (t) => {
  const server = await startHttpsServer(t, ca, (request, response) => {
    if (request.url === '/moved') response.writeHead(302, { location: '/jwks' }).end()
    else json(JWKS)(request, response)
  })
  await assertRefused(createBoundedFetch(sandboxOutbound(t))(`${server.url}/moved`), 'redirect', /302/)
  assert.equal(server.requests, 1)
})

test('times out a server that does not answer within outbound.timeoutMs (SEC-16)', async (t) => {
  const timers: NodeJS.Timeout[] = []
  t.after(() => timers.forEach(clearTimeout))
  const server = await startHttpsServer(t, ca, (request, response) => {
    timers.push(setTimeout(() => json(JWKS)(request, response), 5000))
  })
  const started = Date.now()
  await assertRefused(createBoundedFetch(sandboxOutbound(t, { timeoutMs: 300 }))(`${server.url}/jwks`), 'timeout', /300 ms/)
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`)
})

test('times out a server that sends headers then stalls the body: the timeout covers the whole exchange', async (t) => {
  const server = await startHttpsServer(t, ca, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.write('{"keys":[')
  })
  const started = Date.now()
  await assertRefused(createBoundedFetch(sandboxOutbound(t, { timeoutMs: 300 }))(`${server.url}/jwks`), 'timeout')
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`)
})

test('rejects a body larger than outbound.maxResponseBytes announced by content-length (SEC-16)', async (t) => {
  const big = JSON.stringify({ keys: [], padding: 'x'.repeat(10_000) })
  const server = await startHttpsServer(t, ca, (_request, response) => response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) }).end(big))
  await assertRefused(createBoundedFetch(sandboxOutbound(t, { maxResponseBytes: 1024 }))(`${server.url}/jwks`), 'too-large', /1024 bytes/)
})

test('rejects a chunked body that grows past outbound.maxResponseBytes (SEC-16)', async (t) => {
  const server = await startHttpsServer(t, ca, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    for (let index = 0; index < 20; index++) response.write('x'.repeat(512))
    response.end()
  })
  await assertRefused(createBoundedFetch(sandboxOutbound(t, { maxResponseBytes: 1024 }))(`${server.url}/jwks`), 'too-large')
})

test('accepts a body of exactly outbound.maxResponseBytes', async (t) => {
  const body = 'x'.repeat(1024)
  const server = await startHttpsServer(t, ca, (_request, response) => response.writeHead(200).end(body))
  const response = await createBoundedFetch(sandboxOutbound(t, { maxResponseBytes: 1024 }))(`${server.url}/jwks`)
  assert.equal((await response.text()).length, 1024)
})

test('rejects a host that is not in outbound.allowedHosts, and fetches from one that is (SEC-14)', async (t) => {
  const server = await startHttpsServer(t, ca, json(JWKS))
  const fetch = createBoundedFetch(sandboxOutbound(t, { allowedHosts: ['localhost'] }))
  await assertRefused(fetch(`${server.url}/jwks`), 'host-not-allowed', /"127\.0\.0\.1" is not in outbound\.allowedHosts/)
  await assertRefused(fetch(`https://localhost.attacker.example:${server.port}/jwks`), 'host-not-allowed')
  assert.equal(server.requests, 0)
  const response = await fetch(`https://localhost:${server.port}/jwks`)
  assert.deepEqual(await response.json(), JWKS)
})

test("rejects when the caller's signal aborts", async (t) => {
  const timers: NodeJS.Timeout[] = []
  t.after(() => timers.forEach(clearTimeout))
  const server = await startHttpsServer(t, ca, (request, response) => {
    timers.push(setTimeout(() => json(JWKS)(request, response), 5000))
  })
  const fetch = createBoundedFetch(sandboxOutbound(t))
  await assertRefused(fetch(`${server.url}/jwks`, { signal: AbortSignal.timeout(100) }), 'timeout')
  const controller = new AbortController()
  const pending = fetch(`${server.url}/jwks`, { signal: controller.signal })
  controller.abort()
  await assertRefused(pending, 'aborted')
  await assertRefused(fetch(`${server.url}/jwks`, { signal: AbortSignal.abort() }), 'aborted')
})

test('refuses methods other than GET and HEAD', async () => {
  await assert.rejects(createBoundedFetch(outbound())('https://keystore.example/jwks', { method: 'POST' }), TypeError)
})

test('rejects an unreadable outbound.caFiles entry at creation with a ConfigError naming the key', () => {
  assert.throws(
    () => createBoundedFetch(outbound({ caFiles: ['/nonexistent/ca.pem'] })),
    (error: unknown) => error instanceof ConfigError && error.key === 'outbound.caFiles' && /ENOENT/.test(error.message),
  )
})
