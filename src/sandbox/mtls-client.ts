/**
 * The TPP side of mutual TLS: one HTTPS request presenting a client certificate, trusting the given CA.
 * Used by the `tpp` commands and by the integration tests, so both speak to the server the same way.
 */
import { request as httpsRequest } from 'node:https'

export type MtlsRequest = {
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** PEM client certificate and key; omit both to connect without a certificate. */
  cert?: string
  key?: string
  /** PEM CA that issued the server certificate. */
  ca?: string
  timeoutMs?: number
}

export type MtlsResponse = {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
}

export function mtlsRequest(options: MtlsRequest): Promise<MtlsResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body)
    const req = httpsRequest(
      options.url,
      {
        method: options.method ?? 'GET',
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...options.headers },
        ...(options.cert ? { cert: options.cert } : {}),
        ...(options.key ? { key: options.key } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
        agent: false,
        timeout: options.timeoutMs ?? 10000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
        })
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer from ${options.url} within ${options.timeoutMs ?? 10000} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}
