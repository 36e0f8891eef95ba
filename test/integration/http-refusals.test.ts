/**
 * Refusals decided before any route runs, each answered in the error table's RFC-shaped JSON
 * (src/lib/error-table.ts, docs/errors.md) instead of Fastify's or Node's own `{"error":"Bad Request","message":...}`:
 * Node's HTTP parser (malformed request, headers too large: clientError), Fastify's framework errors (bad URL),
 * body size, unknown routes; and a refused certificate at the client configuration endpoint, which is a refused
 * certificate-bound token (401 invalid_token with a Bearer challenge, RFC 8705 §3), never invalid_client.
 * Real server over real TLS on loopback.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import { mtlsRequest } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }

/** Writes `raw` bytes over TLS with the TPP's certificate and reads the whole answer until the server closes. */
function rawExchange(s: TestServer, raw: string): Promise<{ head: string; body: string }> {
  const { port } = new URL(s.server.url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), ca: sandbox.caCertificatePem, cert: sandbox.tpp.transport.certificatePem, key: sandbox.tpp.transport.privateKeyPem, servername: 'localhost' }, () => socket.write(raw))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const split = text.indexOf('\r\n\r\n')
      resolve({ head: text.slice(0, split), body: text.slice(split + 4) })
    })
  })
}

const headerOf = (head: string, name: string): string | undefined =>
  head.split('\r\n').find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim()

describe('refusals of Node and Fastify, in the error table shape', () => {
  it('answers headers larger than Node accepts with 431 and an RFC 6749 body (clientError HPE_HEADER_OVERFLOW)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const { head, body } = await rawExchange(s, `GET /jwks HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`)
    assert.equal(head.split('\r\n')[0], 'HTTP/1.1 431 Request Header Fields Too Large')
    assert.deepStrictEqual(JSON.parse(body), { error: 'invalid_request', error_description: 'the request headers are larger than this server accepts' })
    assert.deepStrictEqual({ type: headerOf(head, 'content-type'), cache: headerOf(head, 'cache-control') }, { type: 'application/json; charset=utf-8', cache: 'no-store' })
  })

  it('answers a request Node cannot parse with 400 and an RFC 6749 body (clientError)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const { head, body } = await rawExchange(s, 'POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
    assert.equal(head.split('\r\n')[0], 'HTTP/1.1 400 Bad Request')
    assert.deepStrictEqual(JSON.parse(body), { error: 'invalid_request', error_description: 'the request is not well-formed HTTP/1.1 and cannot be read' })
  })

  it('answers a malformed percent-encoding in the path with 400 (Fastify FST_ERR_BAD_URL)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const response = await mtlsRequest({ url: `${s.server.url}/register/%E0%A4%A`, ca: sandbox.caCertificatePem, cert: sandbox.tpp.transport.certificatePem, key: sandbox.tpp.transport.privateKeyPem })
    assert.deepStrictEqual(
      { status: response.status, body: response.json, cache: response.headers['cache-control'] },
      { status: 400, body: { error: 'invalid_request', error_description: 'the request path is not a valid URL: percent-encode it correctly' }, cache: NO_STORE['cache-control'] },
    )
  })

  it('answers an unknown route with 404 and a body naming it', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const response = await mtlsRequest({ url: `${s.server.url}/nowhere?x=1`, method: 'DELETE', ca: sandbox.caCertificatePem })
    assert.deepStrictEqual({ status: response.status, body: response.json }, { status: 404, body: { error: 'not_found', error_description: 'no endpoint DELETE /nowhere' } })
  })

  it('answers a body larger than server.bodyLimitBytes with 413', async (t) => {
    const s = await startDcrServer(t, sandbox, { server: { bodyLimitBytes: 1024 } })
    const response = await s.register('x'.repeat(2048))
    assert.deepStrictEqual({ status: response.status, body: response.json }, { status: 413, body: { error: 'invalid_request', error_description: 'the request body is larger than this server accepts (server.bodyLimitBytes)' } })
  })
})

describe('a refused client certificate at the client configuration endpoint (RFC 8705 §3)', () => {
  it('answers 401 invalid_token with a Bearer challenge carrying it, never invalid_client', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const description = 'a client certificate is required: call this endpoint over mutual TLS with your transport certificate'
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const response = await s.manage(method, 'SomeClient0000000000000', { token: 'a-token', certificate: null, ...(method === 'PUT' ? { body: '{}', contentType: 'application/jwt' } : {}) })
      assert.deepStrictEqual(
        { status: response.status, body: response.json, challenge: response.headers['www-authenticate'] },
        { status: 401, body: { error: 'invalid_token', error_description: description }, challenge: `Bearer error="invalid_token", error_description="${description}"` },
        method,
      )
    }
  })
})
