/**
 * The certificate identity a tls_client_auth client registers (RFC8705-2: exactly one of a subject DN or a
 * subjectAltName of one type) and whether a certificate carries a registered subjectAltName, compared the
 * way that name type is defined (RFC8705-3). Used both when a client registers (validation) and when it
 * authenticates at the token endpoint (tokens), so the two can never disagree.
 */
import type { X509Certificate } from 'node:crypto'

/** The ways a tls_client_auth client names its certificate; exactly one is registered (RFC8705-2). */
export const TLS_IDENTITY_CLAIMS = ['tls_client_auth_subject_dn', 'tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email'] as const
export type TlsIdentityClaim = (typeof TLS_IDENTITY_CLAIMS)[number]
/** The identity claims that name a subjectAltName entry. */
export type TlsSanClaim = Exclude<TlsIdentityClaim, 'tls_client_auth_subject_dn'>

/**
 * The URI entries of a certificate's subjectAltName. node:crypto prints the extension as `TYPE:value`
 * entries joined by ", ", JSON-quoting any value with special characters (commas inside are escaped).
 */
function subjectAltNameUris(certificate: X509Certificate): string[] {
  const text = certificate.subjectAltName ?? ''
  const entry = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/y
  const uris: string[] = []
  let match: RegExpExecArray | null
  while (entry.lastIndex < text.length && (match = entry.exec(text)) !== null) {
    const [, type, raw] = match
    if (type !== 'URI' || raw === undefined) continue
    try {
      uris.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw)
    } catch {
      // an entry node:crypto did not quote as JSON: it cannot equal a registered URI
    }
  }
  return uris
}

/** Whether the certificate carries the registered SAN, compared the way its type is defined (RFC8705-3). */
export function certificateHasSan(certificate: X509Certificate, claim: TlsSanClaim, value: string): boolean {
  try {
    switch (claim) {
      case 'tls_client_auth_san_dns':
        // Exact name, case-insensitive as DNS is; a wildcard in the certificate does not stand for the registered name.
        return certificate.checkHost(value, { subject: 'never', wildcards: false }) !== undefined
      case 'tls_client_auth_san_email':
        return certificate.checkEmail(value, { subject: 'never' }) !== undefined
      case 'tls_client_auth_san_ip':
        // checkIP compares addresses, not spellings (2001:db8::1 = 2001:DB8:0:0:0:0:0:1).
        return certificate.checkIP(value) !== undefined
      case 'tls_client_auth_san_uri':
        return subjectAltNameUris(certificate).includes(value)
    }
  } catch {
    // node:crypto throws on names it cannot compare (e.g. a NUL): no match
    return false
  }
}
