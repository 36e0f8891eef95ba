/**
 * The TPP side of mutual TLS: one HTTPS request presenting a client certificate, trusting the given CA.
 * Used by the `tpp` commands, the conformance run and the integration tests, so all speak to the server the
 * same way, through the one outbound client (trust/outbound-http.ts): https only, a response size cap, a
 * deadline, and no redirects (a 3xx is an OutboundFetchError, not an answer). The bank is wherever the
 * user points the TPP, loopback included, so the address guard is off here.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { createOutboundHttp } from '../trust/outbound-http.ts'

export type MtlsRequest = {
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** PEM client certificate and key; omit both to connect without a certificate. */
  cert?: string
  key?: string
  /** PEM CA that issued the server certificate, trusted alone; omitted: the system trust store. */
  ca?: string
}

export type MtlsResponse = {
  status: number
  headers: IncomingHttpHeaders
  text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
}

/** The TPP's client: any bank, https only; no answer of a DCR server comes near 8 MiB. */
const tppClient = createOutboundHttp({
  allowHttp: false,
  allowPrivateAddresses: true,
  allowedHosts: [],
  timeoutMs: 10_000,
  maxResponseBytes: 8 * 1024 * 1024,
  extraCas: [],
})

export async function mtlsRequest(options: MtlsRequest): Promise<MtlsResponse> {
  const response = await tppClient.request({
    url: options.url,
    method: options.method ?? 'GET',
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.body === undefined ? {} : { body: options.body }),
    clientCertificate: options.cert !== undefined && options.key !== undefined ? { certificatePem: options.cert, privateKeyPem: options.key } : undefined,
    pinnedCas: options.ca,
  })
  const text = response.body.toString('utf8')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}
