/**
 * The one outbound client (trust/outbound-http.ts) and its fetch face against real servers on loopback
 * (SEC-14..16): trusted CAs, the address guard in the connect step on IP literals and on resolved host
 * names, http only by opt-in, no redirects, one timeout for the whole exchange, a response size cap, the
 * host allow-list, and per call a client certificate (mutual TLS) and pinned CAs.
 */
import assert from 'node:assert/strict'
import type { LookupAddress } from 'node:dns'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { before, test, type TestContext } from 'node:test'
import { ConfigError, resolve } from '../../src/config/fields.ts'
import { configSchema, type Config } from '../../src/config/schema.ts'
import { createCertificateAuthority, type CertificateAuthority } from '../../src/sandbox/ca.ts'
import { createBoundedFetch, createOutboundHttp, OutboundFetchError, type OutboundFetchErrorReason, type OutboundPolicy, type Resolver } from '../../src/trust/outbound-http.ts'
import { json, startHttpServer, startHttpsServer, temporaryFile } from '../helpers/loopback-servers.ts'

const JWKS = { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] }

let ca: CertificateAuthority
before(async () => {
  ca = await createCertificateAuthority('outbound-http test CA')
})

const outbound = (values: Record<string, unknown> = {}): Config['outbound'] => resolve(configSchema.fields.outbound, values, 'outbound')

/** Outbound settings that trust the test CA and allow loopback, like the sandbox. */
const sandboxOutbound = (t: TestContext, values: Record<string, unknown> = {}): Config['outbound'] =>
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

/** A policy with the address guard on, as in production. */
const guardedPolicy = (values: Partial<OutboundPolicy> = {}): OutboundPolicy => ({
  allowHttp: false,
  allowPrivateAddresses: false,
  allowedHosts: [],
  timeoutMs: 2000,
  maxResponseBytes: 65536,
  extraCas: [ca.certificatePem],
  settings: 'outbound',
  ...values,
})

/** A resolver answering `addresses` for every name, counting how often it is asked. */
function fakeResolver(addresses: LookupAddress[]): Resolver & { calls: number } {
  const resolver = Object.assign(
    ((_hostname, _options, callback) => {
      resolver.calls++
      setImmediate(() => callback(null, addresses))
    }) as Resolver,
    { calls: 0 },
  )
  return resolver
}

test('refuses, in the connect step, a host name that resolves to a special-purpose address the old table missed (SEC-15)', async () => {
  for (const address of [
    { address: '192.0.2.10', family: 4 },
    { address: '203.0.113.5', family: 4 },
    { address: '2001:db8::1', family: 6 },
    { address: '2001::1', family: 6 },
    { address: '64:ff9b::7f00:1', family: 6 },
  ]) {
    const resolver = fakeResolver([address])
    const client = createOutboundHttp(guardedPolicy(), resolver)
    await assertRefused(client.request({ url: 'https://keys.tpp.example/jwks' }), 'private-address', new RegExp(`"keys\\.tpp\\.example" resolves to ${address.address.replace(/\./g, '\\.')}`))
    assert.equal(resolver.calls, 1, address.address)
  }
})

test('refuses a host name when any one of its addresses is forbidden, before connecting to any of them (SEC-15)', async (t) => {
  const server = await startHttpsServer(t, ca, json(JWKS))
  const resolver = fakeResolver([
    { address: '93.184.216.34', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ])
  await assertRefused(createOutboundHttp(guardedPolicy(), resolver).request({ url: `https://keys.tpp.example:${server.port}/jwks` }), 'private-address', /resolves to 127\.0\.0\.1/)
  assert.equal(server.requests, 0)
})

test('resolves a host name once, inside the connect step, so no later answer can be connected to (DNS rebinding)', async (t) => {
  const server = await startHttpsServer(t, ca, json(JWKS))
  const resolver = fakeResolver([{ address: '127.0.0.1', family: 4 }])
  const client = createOutboundHttp(guardedPolicy(), resolver)
  await assertRefused(client.request({ url: `https://keys.tpp.example:${server.port}/jwks` }), 'private-address')
  assert.equal(resolver.calls, 1, 'one resolution: the one whose answer the socket would connect to')
  assert.equal(server.requests, 0)
  // With the guard lifted, the socket goes where that one answer says, and TLS still checks the name asked for.
  const lifted = createOutboundHttp(guardedPolicy({ allowPrivateAddresses: true }), resolver)
  await assertRefused(lifted.request({ url: `https://keys.tpp.example:${server.port}/jwks` }), 'tls', /ERR_TLS_CERT_ALTNAME_INVALID/)
  assert.equal(resolver.calls, 2)
  assert.equal(server.requests, 0, 'the handshake failed: no request was sent')
})

/** An https server that asks for a client certificate issued by `clientCa` and answers the subject it got. */
async function mtlsServer(t: TestContext, clientCa: string): Promise<{ url: string }> {
  const tls = await ca.issueServer({ commonName: 'mtls test server', ipAddresses: ['127.0.0.1'] })
  const server = createHttpsServer({ key: tls.privateKeyPem, cert: tls.certificatePem, ca: clientCa, requestCert: true, rejectUnauthorized: false }, (request, response) => {
    const peer = (request.socket as TLSSocket).getPeerCertificate()
    const subject = peer.subject === undefined ? null : peer.subject.CN
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ subject, authorized: (request.socket as TLSSocket).authorized }))
  })
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise))
  t.after(() => new Promise<void>((resolvePromise) => {
    server.close(() => resolvePromise())
    server.closeAllConnections()
  }))
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/who` }
}

test('presents a client certificate given for one call only, and never on a pooled connection of another call (RFC 8705)', async (t) => {
  const tpp = await ca.issueClient({ subject: 'CN=tpp-transport,O=Test' })
  const server = await mtlsServer(t, ca.certificatePem)
  const client = createOutboundHttp(guardedPolicy({ allowPrivateAddresses: true }))
  const plain = await client.request({ url: server.url })
  assert.deepEqual(JSON.parse(plain.body.toString('utf8')), { subject: null, authorized: false })
  const mutual = await client.request({ url: server.url, clientCertificate: { certificatePem: tpp.certificatePem, privateKeyPem: tpp.privateKeyPem } })
  assert.deepEqual(JSON.parse(mutual.body.toString('utf8')), { subject: 'tpp-transport', authorized: true })
  const after = await client.request({ url: server.url })
  assert.deepEqual(JSON.parse(after.body.toString('utf8')), { subject: null, authorized: false })
})

test('trusts only the pinned CA of a call: a server certificate of another CA is refused, even one the policy trusts', async (t) => {
  const other = await createCertificateAuthority('another CA')
  const server = await startHttpsServer(t, ca, json(JWKS))
  const client = createOutboundHttp(guardedPolicy({ allowPrivateAddresses: true }))
  await assertRefused(client.request({ url: `${server.url}/jwks`, pinnedCas: other.certificatePem }), 'tls')
  const pinned = await createOutboundHttp(guardedPolicy({ allowPrivateAddresses: true, extraCas: [] })).request({ url: `${server.url}/jwks`, pinnedCas: [ca.certificatePem] })
  assert.deepEqual(JSON.parse(pinned.body.toString('utf8')), JWKS)
})

test('sends a POST body and reads an error status as an answer, not a refusal', async (t) => {
  let received = ''
  const server = await startHttpServer(t, (request, response) => {
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (received += chunk))
    request.on('end', () => response.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"no"}'))
  })
  const client = createOutboundHttp(guardedPolicy({ allowPrivateAddresses: true, allowHttp: true }))
  const response = await client.request({ url: `${server.url}/decide`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
  assert.equal(response.status, 422)
  assert.equal(response.headers['content-type'], 'application/json')
  assert.equal(received, '{"a":1}')
})

test('refuses every 3xx of any method, and names the status (SEC-16)', async (t) => {
  const server = await startHttpServer(t, (_request, response) => response.writeHead(307, { location: 'http://169.254.169.254/' }).end())
  const client = createOutboundHttp(guardedPolicy({ allowPrivateAddresses: true, allowHttp: true }))
  for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
    await assertRefused(client.request({ url: `${server.url}/x`, method, ...(method === 'GET' ? {} : { body: '{}' }) }), 'redirect', /answered 307; redirects are not followed/)
  }
  assert.equal(server.requests, 4)
})

test('times out a TLS handshake that never completes: the connect step is bounded too (SEC-16)', async (t) => {
  const sockets: Socket[] = []
  const silent = createTcpServer((socket) => sockets.push(socket))
  await new Promise<void>((resolvePromise) => silent.listen(0, '127.0.0.1', resolvePromise))
  t.after(() => new Promise<void>((resolvePromise) => {
    sockets.forEach((socket) => socket.destroy())
    silent.close(() => resolvePromise())
  }))
  const started = Date.now()
  const client = createOutboundHttp(guardedPolicy({ allowPrivateAddresses: true, timeoutMs: 300 }))
  await assertRefused(client.request({ url: `https://127.0.0.1:${(silent.address() as AddressInfo).port}/jwks` }), 'timeout', /300 ms \(outbound\.timeoutMs\)/)
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`)
  assert.equal(sockets.length, 1)
})
