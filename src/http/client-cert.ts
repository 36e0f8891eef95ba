/**
 * The client certificate of a request. In `mtls` mode it comes from Node's TLS handshake, which already
 * checked it against the configured CAs; in `proxy` mode it comes from a header, taken only from a trusted
 * proxy's address and chain-checked here (RFC8705-10, SEC-29, SEC-30). A request without an acceptable
 * certificate is refused with a JSON error, never a dropped connection.
 */
import { createHash, X509Certificate } from 'node:crypto'
import type { PeerCertificate, TLSSocket } from 'node:tls'
import type { FastifyRequest } from 'fastify'
import type { Config } from '../config/schema.ts'
import type { ClientCertificate } from '../trust/types.ts'
import { verifyChain } from '../trust/certificate-chain.ts'
import { pemCertificateBlocks } from '../trust/pem-certificates.ts'
import { HttpError } from './errors.ts'

/** RFC 8705 `x5t#S256`: base64url of the SHA-256 of the DER certificate. */
export const thumbprintOf = (der: Buffer): string => createHash('sha256').update(der).digest('base64url')

/** The token endpoint's answer; /register and the management endpoint answer a refusal in their own terms. */
const refuse = (description: string): HttpError => new HttpError('token.client-certificate', description)

/**
 * The accepted certificate of each TLS connection: building the chain with getPeerCertificate(true) and
 * parsing it costs more than the rest of a keep-alive request, and a connection's certificate cannot change
 * because the server refuses renegotiation (app.ts sets SSL_OP_NO_RENEGOTIATION). Refusals are not cached.
 */
const certificateOfSocket = new WeakMap<TLSSocket, ClientCertificate>()

function fromTls(request: FastifyRequest, required: boolean): ClientCertificate | undefined {
  const socket = request.raw.socket as TLSSocket
  const cached = certificateOfSocket.get(socket)
  if (cached !== undefined) return cached
  // getPeerX509Certificate() would avoid the re-parse but gives no issuer chain, so the chain comes from here.
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(true) : undefined
  if ((!peer || !peer.raw) && !required) return undefined
  if (!peer || !peer.raw) throw refuse('a client certificate is required: call this endpoint over mutual TLS with your transport certificate')
  if (!socket.authorized) throw refuse(`the client certificate is not issued by a CA this server trusts (${socket.authorizationError ?? 'unknown issuer'})`)
  const intermediates: X509Certificate[] = []
  let issuer: PeerCertificate | undefined = (peer as { issuerCertificate?: PeerCertificate }).issuerCertificate
  let previous: PeerCertificate = peer
  while (issuer && issuer !== previous && issuer.raw && !issuer.raw.equals(previous.raw) && intermediates.length < 5) {
    intermediates.push(new X509Certificate(issuer.raw))
    previous = issuer
    issuer = (issuer as { issuerCertificate?: PeerCertificate }).issuerCertificate
  }
  const certificate: ClientCertificate = { certificate: new X509Certificate(peer.raw), intermediates, thumbprint: thumbprintOf(peer.raw), source: 'tls' }
  certificateOfSocket.set(socket, certificate)
  return certificate
}

/** Parses the proxy header: URL-encoded PEM (nginx `$ssl_client_escaped_cert`) or base64 DER; exactly one certificate. */
export function parseCertificateHeader(value: string): X509Certificate {
  const text = value.includes('%') ? decodeURIComponent(value) : value
  if (text.includes('-----BEGIN')) {
    const blocks = pemCertificateBlocks(text)
    if (blocks.length !== 1) throw refuse('the client certificate header must hold exactly one PEM certificate')
    return new X509Certificate(blocks[0]!)
  }
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) throw refuse('the client certificate header is neither PEM nor base64 DER')
  return new X509Certificate(Buffer.from(text, 'base64'))
}

async function fromProxy(request: FastifyRequest, config: Config, anchors: readonly X509Certificate[], required: boolean): Promise<ClientCertificate | undefined> {
  const { certificateHeader, trustedAddresses } = config.server.proxy
  const header = request.headers[certificateHeader.toLowerCase()]
  const peer = request.raw.socket.remoteAddress ?? ''
  const trusted = trustedAddresses.includes(peer) || trustedAddresses.includes(peer.replace(/^::ffff:/, ''))
  if (header !== undefined && !trusted) request.log.warn({ peer }, 'client certificate header from an untrusted peer ignored')
  if ((header === undefined || !trusted) && !required) return undefined
  if (header === undefined || !trusted) throw refuse('a client certificate is required: call this endpoint over mutual TLS through the bank\'s TLS gateway')
  if (Array.isArray(header)) throw refuse('the client certificate header must appear once')
  let certificate: X509Certificate
  try {
    certificate = parseCertificateHeader(header)
  } catch (error) {
    if (error instanceof HttpError) throw error
    throw refuse('the client certificate header does not hold a readable X.509 certificate')
  }
  const chain = await verifyChain(certificate, [], anchors, new Date())
  if (!chain.ok) throw refuse(`the client certificate is not issued by a CA this server trusts (${chain.reason})`)
  return { certificate, intermediates: [], thumbprint: thumbprintOf(certificate.raw), source: 'proxy' }
}

/** The request's client certificate, or an HttpError 401 explaining what is missing. */
export async function clientCertificateOf(request: FastifyRequest, config: Config, anchors: readonly X509Certificate[]): Promise<ClientCertificate> {
  return (config.server.mode === 'mtls' ? fromTls(request, true) : await fromProxy(request, config, anchors, true))!
}

/** The certificate if one is presented (it must still be trusted), else undefined: for registration without mutual TLS (plain RFC 7591). */
export async function optionalClientCertificateOf(request: FastifyRequest, config: Config, anchors: readonly X509Certificate[]): Promise<ClientCertificate | undefined> {
  return config.server.mode === 'mtls' ? fromTls(request, false) : fromProxy(request, config, anchors, false)
}
