/**
 * Whether a client certificate that chains to no trusted CA is a usable self-signed certificate, the only
 * kind self_signed_tls_client_auth accepts without a chain (RFC 8705 §2.2, RFC8705-4): it names itself as
 * its issuer and its own key verifies its signature, it is within its validity dates, and its extended key
 * usage (when present) allows TLS client authentication. A certificate of an unknown or failed chain (an
 * expired directory certificate, a CA this server does not trust) is not self-signed and stays refused, so
 * the missing chain check never stands in for a failed one. Whose certificate it is, is decided by the
 * client's registered keys (tokens/client-auth/self-signed-tls-client-auth.ts), not here.
 */
import type { X509Certificate } from 'node:crypto'
import { clientAuthProblem, datesProblem, nameOf } from './certificate-chain.ts'
import { certificateIssuer, formatDistinguishedName } from './distinguished-name.ts'

/** Undefined when `certificate` is a self-signed certificate usable at `now`; else why it is not. */
export function selfSignedCertificateProblem(certificate: X509Certificate, now: Date): string | undefined {
  if (!certificate.checkIssued(certificate)) {
    return `the certificate (${nameOf(certificate)}) is not self-signed: its issuer is ${formatDistinguishedName(certificateIssuer(certificate))}`
  }
  if (!certificate.verify(certificate.publicKey)) return `the certificate (${nameOf(certificate)}) names itself as its issuer but its own key does not verify its signature`
  return datesProblem(certificate, now, 'self-signed client') ?? clientAuthProblem(certificate)
}
