/**
 * The client certificate of a request. In `mtls` mode it comes from Node's TLS handshake, which already
 * checked it against the configured CAs; in `proxy` mode it comes from a header, taken only from a trusted
 * proxy's address and chain-checked here (RFC8705-10, SEC-29, SEC-30). A request without an acceptable
 * certificate is refused with a JSON error, never a dropped connection. Every endpoint requires a chain to
 * a trusted CA, except the token endpoint, which also takes a self-signed certificate for
 * self_signed_tls_client_auth (RFC 8705 §2.2, RFC8705-4: never chain-validated); whether the client may use
 * one is decided by tokens/client-authentication.ts.
 */
import { createHash, X509Certificate } from 'node:crypto'
import type { PeerCertificate, TLSSocket } from 'node:tls'
import type { FastifyRequest } from 'fastify'
import type { Config } from '../config/schema.ts'
import type { ClientCertificate, TokenEndpointCertificate } from '../trust/types.ts'
import { verifyChain } from '../trust/certificate-chain.ts'
import { selfSignedCertificateProblem } from '../trust/self-signed-certificate.ts'
import { pemCertificateBlocks } from '../trust/pem-certificates.ts'
import { HttpError } from './errors.ts'

/** RFC 8705 `x5t#S256`: base64url of the SHA-256 of the DER certificate. */
export const thumbprintOf = (der: Buffer): string => createHash('sha256').update(der).digest('base64url')

/** The token endpoint's answer; /register and the management endpoint answer a refusal in their own terms. */
const refuse = (description: string): HttpError => new HttpError('token.client-certificate', description)

/**
 * The presented certificate of each TLS connection, with whether it chained: building the chain with
 * getPeerCertificate(true) and parsing it costs more than the rest of a keep-alive request, and neither a
 * connection's certificate nor its handshake's verdict can change because the server refuses renegotiation
 * (app.ts sets SSL_OP_NO_RENEGOTIATION). A missing certificate is not cached.
 */
const certificateOfSocket = new WeakMap<TLSSocket, TokenEndpointCertificate>()

function fromTls(request: FastifyRequest, required: boolean): TokenEndpointCertificate | undefined {
  const socket = request.raw.socket as TLSSocket
  const cached = certificateOfSocket.get(socket)
  if (cached !== undefined) return cached
  // getPeerX509Certificate() would avoid the re-parse but gives no issuer chain, so the chain comes from here.
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(true) : undefined
  if ((!peer || !peer.raw) && !required) return undefined
  if (!peer || !peer.raw) throw refuse('a client certificate is required: call this endpoint over mutual TLS with your transport certificate')
  const intermediates: X509Certificate[] = []
  let issuer: PeerCertificate | undefined = (peer as { issuerCertificate?: PeerCertificate }).issuerCertificate
  let previous: PeerCertificate = peer
  while (issuer && issuer !== previous && issuer.raw && !issuer.raw.equals(previous.raw) && intermediates.length < 5) {
    intermediates.push(new X509Certificate(issuer.raw))
    previous = issuer
    issuer = (issuer as { issuerCertificate?: PeerCertificate }).issuerCertificate
  }
  const unchained = socket.authorized ? undefined : String(socket.authorizationError ?? 'unknown issuer')
  const certificate: TokenEndpointCertificate = { certificate: new X509Certificate(peer.raw), intermediates, thumbprint: thumbprintOf(peer.raw), source: 'tls', unchained }
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

async function fromProxy(request: FastifyRequest, config: Config, anchors: readonly X509Certificate[], required: boolean): Promise<TokenEndpointCertificate | undefined> {
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
  return { certificate, intermediates: [], thumbprint: thumbprintOf(certificate.raw), source: 'proxy', unchained: chain.ok ? undefined : chain.reason }
}

async function presentedCertificateOf(request: FastifyRequest, config: Config, anchors: readonly X509Certificate[], required: boolean): Promise<TokenEndpointCertificate | undefined> {
  return config.server.mode === 'mtls' ? fromTls(request, required) : fromProxy(request, config, anchors, required)
}

const untrusted = (reason: string): HttpError => refuse(`the client certificate is not issued by a CA this server trusts (${reason})`)

/** `presented` if it chains to a trusted CA, else the 401 saying why not. */
function chained(presented: TokenEndpointCertificate): ClientCertificate {
  if (presented.unchained !== undefined) throw untrusted(presented.unchained)
  return presented
}

/** The request's client certificate, chained to a trusted CA, or an HttpError 401 explaining what is missing. */
export async function clientCertificateOf(request: FastifyRequest, config: Config, anchors: readonly X509Certificate[]): Promise<ClientCertificate> {
  return chained((await presentedCertificateOf(request, config, anchors, true))!)
}

/** The certificate if one is presented (it must still be trusted), else undefined: for registration without mutual TLS (plain RFC 7591). */
export async function optionalClientCertificateOf(request: FastifyRequest, config: Config, anchors: readonly X509Certificate[]): Promise<ClientCertificate | undefined> {
  const presented = await presentedCertificateOf(request, config, anchors, false)
  return presented === undefined ? undefined : chained(presented)
}

/**
 * The token endpoint's client certificate: chained to a trusted CA, or self-signed (RFC 8705 §2.2). A
 * certificate that is neither (issued by an unknown CA, or of a chain that fails: expired, wrong purpose)
 * is refused here, whatever the client; a self-signed one is left to the client's registered method.
 */
export async function tokenEndpointCertificateOf(request: FastifyRequest, config: Config, anchors: readonly X509Certificate[], now: Date): Promise<TokenEndpointCertificate> {
  const presented = (await presentedCertificateOf(request, config, anchors, true))!
  if (presented.unchained === undefined) return presented
  const problem = selfSignedCertificateProblem(presented.certificate, now)
  if (problem !== undefined) throw refuse(`the client certificate is not issued by a CA this server trusts (${presented.unchained}), and it is not a usable self-signed certificate for self_signed_tls_client_auth: ${problem}`)
  return presented
}
