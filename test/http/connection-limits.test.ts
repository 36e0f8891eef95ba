/**
 * Connection caps and deadlines (issue 13 item 11; DESIGN.md Operations: every unauthenticated resource is
 * bounded): a slowloris client (headers a byte at a time), a slow body, a silent TCP peer that never starts TLS,
 * an idle kept-alive connection, and connections past `server.maxConnections` are cut within their bound.
 * Real server over real TLS on loopback; the bounds are set short so that each test measures its own.
 */
import assert from 'node:assert/strict'
import { connect as tcpConnect, type Socket } from 'node:net'
import { connect, type TLSSocket } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

const portOf = (s: TestServer): number => Number(new URL(s.server.url).port)

/** A TLS connection with the TPP's certificate, resolved once the handshake is done. */
function tlsConnection(s: TestServer): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: portOf(s), ca: sandbox.caCertificatePem, cert: sandbox.tpp.transport.certificatePem, key: sandbox.tpp.transport.privateKeyPem, servername: 'localhost' }, () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Milliseconds until the server closes `socket`, with everything it wrote; fails past `limitMs`. */
function closedWithin(socket: Socket, limitMs: number, started = Date.now()): Promise<{ afterMs: number; received: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the server still held the connection after ${limitMs} ms`))
    }, limitMs)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ afterMs: Date.now() - started, received: Buffer.concat(chunks).toString('utf8') })
    })
  })
}

/** Writes one byte of `text` every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let index = 0
  const timer = setInterval(() => {
    if (socket.destroyed || index >= text.length) return clearInterval(timer)
    socket.write(text[index++]!)
  }, everyMs)
  socket.once('close', () => clearInterval(timer))
}

const SHORT_DEADLINES = { server: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 500, idleTimeoutMs: 20000, tlsHandshakeTimeoutMs: 1000 } }

describe('connection deadlines', () => {

  it('cuts a slowloris client whose headers arrive a byte at a time within server.headersTimeoutMs, answering 408', async (t) => {
    const s = await startDcrServer(t, sandbox, SHORT_DEADLINES)
    const socket = await tlsConnection(s)
    const started = Date.now()
    socket.write('POST /register HTTP/1.1\r\nHost: localhost\r\n')
    trickle(socket, 'X-Slow: ' + 'a'.repeat(200), 200)
    const { afterMs, received } = await closedWithin(socket, 5000, started)
    assert.ok(afterMs >= 900 && afterMs < 2500, `closed after ${afterMs} ms, expected about 1000`)
    assert.match(received, /^HTTP\/1\.1 408 /)
    assert.deepStrictEqual(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)), { error: 'invalid_request', error_description: 'the request was not received in time' })
  })

  it('cuts a body sent at a byte every 200 ms within server.requestTimeoutMs', async (t) => {
    const s = await startDcrServer(t, sandbox, SHORT_DEADLINES)
    const socket = await tlsConnection(s)
    const started = Date.now()
    socket.write('POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/jwt\r\nContent-Length: 1000\r\n\r\n')
    trickle(socket, 'e'.repeat(1000), 200)
    const { afterMs } = await closedWithin(socket, 6000, started)
    assert.ok(afterMs >= 1800 && afterMs < 3500, `closed after ${afterMs} ms, expected about 2000`)
  })

  it('closes a TCP peer that never starts the TLS handshake within server.tlsHandshakeTimeoutMs', async (t) => {
    const s = await startDcrServer(t, sandbox, SHORT_DEADLINES)
    const socket = tcpConnect({ host: '127.0.0.1', port: portOf(s) })
    await new Promise((resolve) => socket.once('connect', resolve))
    const { afterMs } = await closedWithin(socket, 5000)
    assert.ok(afterMs < 2500, `closed after ${afterMs} ms, expected about 1000`)
  })

  it('closes a kept-alive connection idle after its answer within server.keepAliveTimeoutMs', async (t) => {
    const s = await startDcrServer(t, sandbox, SHORT_DEADLINES)
    const socket = await tlsConnection(s)
    socket.write('GET /.well-known/openid-configuration HTTP/1.1\r\nHost: localhost\r\n\r\n')
    const started = Date.now()
    const { afterMs, received } = await closedWithin(socket, 5000, started)
    assert.match(received, /^HTTP\/1\.1 200 /)
    assert.ok(afterMs < 1800, `closed after ${afterMs} ms, expected about 500`)
  })
})

describe('connection cap', () => {
  it('refuses connections past server.maxConnections while the first ones are held', async (t) => {
    const s = await startDcrServer(t, sandbox, { server: { maxConnections: 3 } })
    const held = await Promise.all([tlsConnection(s), tlsConnection(s), tlsConnection(s)])
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: portOf(s), ca: sandbox.caCertificatePem, cert: sandbox.tpp.transport.certificatePem, key: sandbox.tpp.transport.privateKeyPem, servername: 'localhost' }, () => {
        socket.destroy()
        resolve('handshake completed')
      })
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(`refused: ${error.code ?? error.message}`))
      socket.once('close', () => resolve('refused: closed'))
    })
    assert.match(refused, /^refused: /)
    held[0]!.destroy()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const again = await tlsConnection(s)
    for (const socket of [...held, again]) socket.destroy()
  })
})

describe('draining', () => {
  it('answers a request that arrives while the server stops with 503 temporarily_unavailable and Retry-After', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const socket = await tlsConnection(s)
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    // The first request is in flight (its body incomplete) when the server starts to stop, so it is served...
    socket.write('POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 12\r\n\r\ngrant')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const stopping = s.server.app.close()
    await new Promise((resolve) => setTimeout(resolve, 100))
    // ...and the one pipelined behind it arrives while the server drains.
    socket.write('_type=xGET /.well-known/openid-configuration HTTP/1.1\r\nHost: localhost\r\n\r\n')
    await closed
    await stopping
    const text = Buffer.concat(chunks).toString('utf8')
    const second = text.slice(text.indexOf('HTTP/1.1', 1))
    assert.match(text, /^HTTP\/1\.1 4\d\d /)
    assert.match(second, /^HTTP\/1\.1 503 /)
    assert.match(second, /\r\nretry-after: 1\r\n/i)
    assert.deepStrictEqual(JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4)), { error: 'temporarily_unavailable', error_description: 'the server is shutting down; send the request again' })
  })
})
