/**
 * The sandbox TPP's client (sandbox/mtls-client.ts) over the one outbound client: the transport certificate
 * is presented, the pinned CA alone is trusted, https only, and neither a redirect nor an endless body is
 * taken as the bank's answer.
 */
import assert from 'node:assert/strict'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { before, test, type TestContext } from 'node:test'
import { createCertificateAuthority, type CertificateAuthority } from '../../src/sandbox/ca.ts'
import { mtlsRequest } from '../../src/sandbox/mtls-client.ts'
import { OutboundFetchError } from '../../src/trust/outbound-http.ts'
import { startHttpServer, startHttpsServer, type Handler } from '../helpers/loopback-servers.ts'

let ca: CertificateAuthority
before(async () => {
  ca = await createCertificateAuthority('mtls-client test CA')
})

const refused = (reason: string, message: RegExp) => (error: unknown) => error instanceof OutboundFetchError && error.reason === reason && message.test(error.message)

/** A bank on loopback that asks for a transport certificate issued by the test CA. */
async function bank(t: TestContext, handler: Handler): Promise<string> {
  const tls = await ca.issueServer({ commonName: 'bank', ipAddresses: ['127.0.0.1'] })
  const server = createHttpsServer({ key: tls.privateKeyPem, cert: tls.certificatePem, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true }, handler)
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise))
  t.after(() => new Promise<void>((resolvePromise) => {
    server.close(() => resolvePromise())
    server.closeAllConnections()
  }))
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`
}

test('presents the transport certificate, trusts the pinned CA and returns status, headers, text and JSON', async (t) => {
  const transport = await ca.issueClient({ subject: 'CN=software-1,O=TPP' })
  const url = await bank(t, (request, response) => {
    const subject = (request.socket as TLSSocket).getPeerCertificate().subject.CN
    response.writeHead(201, { 'content-type': 'application/json', 'x-seen': String(subject) }).end(JSON.stringify({ method: request.method, subject }))
  })
  const response = await mtlsRequest({ url: `${url}/register`, method: 'POST', body: 'x', cert: transport.certificatePem, key: transport.privateKeyPem, ca: ca.certificatePem })
  assert.equal(response.status, 201)
  assert.equal(response.headers['x-seen'], 'software-1')
  assert.deepEqual(response.json, { method: 'POST', subject: 'software-1' })
  assert.equal(response.text, '{"method":"POST","subject":"software-1"}')
})

test('refuses a bank that answers a redirect instead of returning it as an answer (SEC-16)', async (t) => {
  const server = await startHttpsServer(t, ca, (_request, response) => response.writeHead(302, { location: 'https://elsewhere.example/register' }).end())
  await assert.rejects(mtlsRequest({ url: `${server.url}/register`, ca: ca.certificatePem }), refused('redirect', /answered 302; redirects are not followed/))
})

test('refuses an answer larger than 8 MiB, counted while it streams in', async (t) => {
  const server = await startHttpsServer(t, ca, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    const chunk = 'x'.repeat(1024 * 1024)
    for (let index = 0; index < 9; index++) response.write(chunk)
    response.end()
  })
  await assert.rejects(mtlsRequest({ url: `${server.url}/big`, ca: ca.certificatePem }), refused('too-large', /larger than 8388608 bytes/))
})

test('refuses plain http and a server certificate the pinned CA did not issue', async (t) => {
  const http = await startHttpServer(t, (_request, response) => response.end('{}'))
  await assert.rejects(mtlsRequest({ url: `${http.url}/x` }), refused('insecure-scheme', /must use https/))
  assert.equal(http.requests, 0)
  const other = await createCertificateAuthority('not the bank CA')
  const server = await startHttpsServer(t, ca, (_request, response) => response.end('{}'))
  await assert.rejects(mtlsRequest({ url: `${server.url}/x`, ca: other.certificatePem }), refused('tls', /request failed/))
})
