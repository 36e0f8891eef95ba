/**
 * The sandbox keystore: an https server on loopback that serves published JWKS documents, like the OB
 * Directory keystore serves directory and software JWKS (UK-DCR-13, UK-DCR-15). Its server certificate
 * comes from the sandbox CA, so a DCR server that trusts that CA (`outbound.caFiles`) fetches from it over
 * real TLS. GET/HEAD of a published path answers `application/json`; anything else is 404.
 */
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { JSONWebKeySet } from 'jose'
import type { CertificateAuthority } from './ca.ts'

export type JwksServer = {
  /** `https://<host>:<port>`, no trailing slash. */
  readonly url: string
  /** Serves `jwks` at `path` (replacing what was there: key rotation) and returns its full URL. */
  publish(path: string, jwks: JSONWebKeySet): string
  /** Stops serving `path`; later fetches get 404. */
  unpublish(path: string): void
  close(): Promise<void>
}

export type JwksServerOptions = {
  ca: CertificateAuthority
  /** Loopback address to listen on. */
  host?: '127.0.0.1'
  /** TCP port; 0 (default) picks a free one. */
  port?: number
}

export async function startJwksServer({ ca, host = '127.0.0.1', port = 0 }: JwksServerOptions): Promise<JwksServer> {
  const tls = await ca.issueServer({ commonName: 'sandbox keystore', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] })
  const documents = new Map<string, string>()

  const server: Server = createServer({ key: tls.privateKeyPem, cert: tls.certificatePem, minVersion: 'TLSv1.2' }, (request, response) => {
    const path = new URL(request.url ?? '/', 'https://sandbox.invalid').pathname
    const body = documents.get(path)
    if ((request.method !== 'GET' && request.method !== 'HEAD') || body === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}')
      return
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
    response.end(request.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const url = `https://${host}:${(server.address() as AddressInfo).port}`

  const normalise = (path: string): string => {
    if (!path.startsWith('/')) throw new TypeError(`a JWKS path starts with "/", got "${path}"`)
    return new URL(path, url).pathname
  }

  return {
    url,
    publish(path, jwks) {
      const pathname = normalise(path)
      documents.set(pathname, JSON.stringify(jwks))
      return new URL(pathname, url).href
    },
    unpublish(path) {
      documents.delete(normalise(path))
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}
