/** One HTTP exchange of the conformance run, with TLS refusals kept as results rather than thrown. */
import { mtlsRequest } from '../sandbox/mtls-client.ts'
import type { ConformanceMaterial, Transport } from './material.ts'

export type ExchangeResult = {
  /** HTTP status, or 0 when the connection was refused before an answer (TLS handshake, reset). */
  status: number
  json: unknown
  /** The `WWW-Authenticate` header of the answer, if any (RFC 6750 §3 challenges of management refusals). */
  wwwAuthenticate?: string
  /** Why there was no HTTP answer, or a note of the case. */
  note?: string
  /** What the case found wrong beyond status and error (e.g. a GET that differs from the 201); fails the case. */
  problem?: string
}

export type ExchangeRequest = {
  method: string
  path: string
  body?: string
  contentType?: string
  headers?: Record<string, string>
  /** No client certificate at all. */
  withoutCertificate?: boolean
  /** Another transport certificate than the material's primary one (another participant, an untrusted CA). */
  transport?: Transport
}

export async function exchange(material: ConformanceMaterial, request: ExchangeRequest): Promise<ExchangeResult> {
  const transport = request.transport ?? material.transport
  try {
    const response = await mtlsRequest({
      url: new URL(request.path, material.serverUrl).href,
      method: request.method,
      headers: { accept: 'application/json', ...(request.body !== undefined ? { 'content-type': request.contentType ?? material.contentType } : {}), ...request.headers },
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.withoutCertificate ? {} : { cert: transport.certificatePem, key: transport.privateKeyPem }),
      ...(material.caPem ? { ca: material.caPem } : {}),
    })
    const challenge = response.headers['www-authenticate']
    const wwwAuthenticate = Array.isArray(challenge) ? challenge.join(', ') : challenge
    return { status: response.status, json: response.json, ...(wwwAuthenticate === undefined ? {} : { wwwAuthenticate }) }
  } catch (error) {
    return { status: 0, json: undefined, note: `no HTTP answer: ${(error as Error).message}` }
  }
}
