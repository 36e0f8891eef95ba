/**
 * What is read from a certificate's DER, remembered per certificate. A DER certificate never changes, and a
 * TPP presents the same transport certificate on every request of a keep-alive connection, so a subject,
 * its subjectAltNames or its extensions are parsed once, not per request (parsing the subject with the
 * ASN.1 schema library cost about a fifth of a registration's CPU when done per request).
 */
import type { X509Certificate } from 'node:crypto'

/** How many certificates each remembered reading keeps; the oldest is dropped first. */
export const PER_CERTIFICATE_CACHE_SIZE = 1_024

/**
 * `read`, remembered by the SHA-256 fingerprint of the DER certificate (not by the object: each request
 * may hold another X509Certificate of the same DER). What `read` returns is shared, so it should be frozen.
 */
export function rememberedPerCertificate<T>(read: (certificate: X509Certificate) => T): (certificate: X509Certificate) => T {
  const known = new Map<string, T>()
  return (certificate) => {
    const key = certificate.fingerprint256
    if (known.has(key)) return known.get(key)!
    const value = read(certificate)
    if (known.size >= PER_CERTIFICATE_CACHE_SIZE) known.delete(known.keys().next().value!)
    known.set(key, value)
    return value
  }
}
