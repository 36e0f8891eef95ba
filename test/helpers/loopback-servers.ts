/**
 * Real servers on 127.0.0.1 (port 0) for tests of outbound fetching: https with a certificate from a
 * sandbox CA, or plain http. Each counts the requests it received and closes in `t.after`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { CertificateAuthority } from '../../src/sandbox/ca.ts'

export type Handler = (request: IncomingMessage, response: ServerResponse) => void

export type LoopbackServer = {
  /** `https://127.0.0.1:<port>` or `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly port: number
  /** Requests received so far. */
  readonly requests: number
}

async function listen(t: TestContext, server: HttpServer | HttpsServer, scheme: 'http' | 'https', handlerCount: { value: number }): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  )
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    get requests() {
      return handlerCount.value
    },
  }
}

/** An https server whose certificate (for 127.0.0.1, ::1 and localhost) is issued by `ca`. */
export async function startHttpsServer(t: TestContext, ca: CertificateAuthority, handler: Handler): Promise<LoopbackServer> {
  const tls = await ca.issueServer({ commonName: 'loopback test server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] })
  const count = { value: 0 }
  const server = createHttpsServer({ key: tls.privateKeyPem, cert: tls.certificatePem }, (request, response) => {
    count.value++
    handler(request, response)
  })
  return listen(t, server, 'https', count)
}

export async function startHttpServer(t: TestContext, handler: Handler): Promise<LoopbackServer> {
  const count = { value: 0 }
  const server = createHttpServer((request, response) => {
    count.value++
    handler(request, response)
  })
  return listen(t, server, 'http', count)
}

/** Writes `content` to a file in a fresh temporary folder, removed after the test. */
export function temporaryFile(t: TestContext, name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'open-dcr-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

/** Answers `body` as JSON with 200. */
export const json =
  (body: unknown): Handler =>
  (_request, response) => {
    const text = JSON.stringify(body)
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text)
  }
