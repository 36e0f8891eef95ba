/**
 * Path validation of a presented transport certificate: leaf → presented intermediates → one of the
 * configured trust anchors (a directory's transport CAs), each link checked for issuer name and signature,
 * each certificate for its validity dates, each issuer for being a CA, and the leaf for allowing client
 * authentication. Implements SEC-31, RFC8705-3, RFC8705-11 (only the directory CAs are anchors),
 * UK-DCR-38 (chain part), BR-DCR-1 and BR-DCR-17 (chain part). Revocation (OCSP/CRL) is not checked here.
 */
import type { X509Certificate } from 'node:crypto'

export type ChainResult = { ok: true } | { ok: false; reason: string }

/** Most CA certificates above the leaf, the anchor included. */
export const MAX_CHAIN_DEPTH = 5
/** id-kp-clientAuth (RFC 5280 §4.2.1.12). */
export const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2'
/** anyExtendedKeyUsage (RFC 5280 §4.2.1.12): allows every purpose, client authentication included. */
const ANY_EKU = '2.5.29.37.0'

/** The subject on one line, most specific attribute first, for messages. */
export const nameOf = (certificate: X509Certificate): string => certificate.subject.split('\n').reverse().join(', ')

export function datesProblem(certificate: X509Certificate, now: Date, role: string): string | undefined {
  if (now < certificate.validFromDate) return `the ${role} certificate (${nameOf(certificate)}) is not valid before ${certificate.validFromDate.toISOString()}`
  if (now > certificate.validToDate) return `the ${role} certificate (${nameOf(certificate)}) expired on ${certificate.validToDate.toISOString()}`
  return undefined
}

/** How many (certificate, issuer) link results are remembered; the oldest is dropped first. */
export const LINK_CACHE_SIZE = 1024

/**
 * Link results by the SHA-256 fingerprints of the two certificates. Whether one DER certificate names and
 * is signed by another never changes, so the result is remembered: a TPP on keep-alive connections
 * presents the same certificate on every request, and the signature check (a public-key operation on the
 * event loop) is then done once, not per request. Dates, CA flags and key usage are still checked each time.
 */
const linkCache = new Map<string, boolean>()

/** True when `issuer` names itself as the issuer of `child` and its key verifies `child`'s signature. */
function issued(issuer: X509Certificate, child: X509Certificate): boolean {
  const key = `${child.fingerprint256}>${issuer.fingerprint256}`
  const known = linkCache.get(key)
  if (known !== undefined) return known
  const result = child.checkIssued(issuer) && child.verify(issuer.publicKey)
  if (linkCache.size >= LINK_CACHE_SIZE) linkCache.delete(linkCache.keys().next().value!)
  linkCache.set(key, result)
  return result
}

/** The extended key usage of the leaf must allow clientAuth when the extension is present (SEC-31). */
export function clientAuthProblem(leaf: X509Certificate): string | undefined {
  const purposes = leaf.keyUsage
  if (purposes === undefined || purposes.length === 0) return undefined
  if (purposes.includes(CLIENT_AUTH_EKU) || purposes.includes(ANY_EKU)) return undefined
  return `the certificate (${nameOf(leaf)}) does not allow TLS client authentication (its extended key usage lacks clientAuth ${CLIENT_AUTH_EKU})`
}

/**
 * Checks that `leaf` chains to one of `anchors` through `intermediates` (in any order; unused ones are
 * ignored), at `now`. Anchors are trusted as configured, but must still be CAs and in their validity period.
 */
export function verifyChain(leaf: X509Certificate, intermediates: readonly X509Certificate[], anchors: readonly X509Certificate[], now: Date): ChainResult {
  if (anchors.length === 0) return { ok: false, reason: 'no trusted certificate authority is configured' }
  // A transport certificate is an end-entity certificate; a CA certificate presented as one is refused.
  if (leaf.ca) return { ok: false, reason: `the client certificate (${nameOf(leaf)}) is a CA certificate, not a transport certificate` }
  const leafDates = datesProblem(leaf, now, 'client')
  if (leafDates !== undefined) return { ok: false, reason: leafDates }
  const purpose = clientAuthProblem(leaf)
  if (purpose !== undefined) return { ok: false, reason: purpose }

  const unused = [...intermediates]
  let current = leaf
  for (let depth = 1; depth <= MAX_CHAIN_DEPTH; depth += 1) {
    const anchor = anchors.find((candidate) => issued(candidate, current))
    if (anchor !== undefined) {
      if (!anchor.ca) return { ok: false, reason: `the trusted certificate ${nameOf(anchor)} is not a CA certificate` }
      const anchorDates = datesProblem(anchor, now, 'trusted CA')
      return anchorDates === undefined ? { ok: true } : { ok: false, reason: anchorDates }
    }
    const index = unused.findIndex((candidate) => issued(candidate, current))
    if (index < 0) return { ok: false, reason: `the certificate ${nameOf(current)} is not issued by a trusted certificate authority of this directory` }
    const intermediate = unused.splice(index, 1)[0]!
    if (!intermediate.ca) return { ok: false, reason: `the issuer ${nameOf(intermediate)} is not a CA certificate` }
    const dates = datesProblem(intermediate, now, 'intermediate CA')
    if (dates !== undefined) return { ok: false, reason: dates }
    current = intermediate
  }
  return { ok: false, reason: `the certificate chain is longer than ${MAX_CHAIN_DEPTH} CA certificates` }
}
