/**
 * Path validation of a presented transport certificate (RFC 5280 §6.1): leaf → presented intermediates → one
 * of the configured trust anchors (a directory's transport CAs). Each link is checked for issuer name and
 * signature, each certificate for its validity dates, the leaf for allowing client authentication, every
 * issuer for being a CA (basicConstraints cA), for being allowed to sign certificates (keyUsage keyCertSign)
 * and for its path length (pathLenConstraint); no certificate below the anchor may carry a critical extension
 * this server does not process; and the path, the anchor's own name constraints included, is run through
 * pkijs's RFC 5280 path validation for name constraints and policies. Implements SEC-31, RFC8705-3,
 * RFC8705-11 (only the directory CAs are anchors), UK-DCR-38 (chain part), BR-DCR-1 and BR-DCR-17 (chain
 * part). Revocation (OCSP/CRL) is not checked here.
 */
import { certificateSubject, formatDistinguishedName } from './distinguished-name.ts'
import { webcrypto, type X509Certificate } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import * as pkijs from 'pkijs'
import { rememberedPerCertificate } from './per-certificate.ts'

export type ChainResult = { ok: true } | { ok: false; reason: string }

/** Most CA certificates above the leaf, the anchor included. */
export const MAX_CHAIN_DEPTH = 5
/** id-kp-clientAuth (RFC 5280 §4.2.1.12). */
export const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2'
/** anyExtendedKeyUsage (RFC 5280 §4.2.1.12): allows every purpose, client authentication included. */
const ANY_EKU = '2.5.29.37.0'
const NAME_CONSTRAINTS = '2.5.29.30'

/** The extensions whose meaning this check (or pkijs's path validation) enforces; any other critical one refuses the certificate (RFC 5280 §4.2). */
const PROCESSED_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.19', // basicConstraints
  '2.5.29.15', // keyUsage
  '2.5.29.37', // extKeyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.18', // issuerAltName
  NAME_CONSTRAINTS,
  '2.5.29.32', // certificatePolicies
  '2.5.29.33', // policyMappings
  '2.5.29.36', // policyConstraints
  '2.5.29.54', // inhibitAnyPolicy
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
])

/** What the rules read of one certificate, from its DER with @peculiar/x509; remembered per certificate. */
type Facts = {
  readonly isCa: boolean
  /** basicConstraints pathLenConstraint; undefined when unlimited. */
  readonly pathLength: number | undefined
  readonly keyCertSign: boolean
  readonly unknownCritical: readonly string[]
  /** The same certificate for pkijs's path validation. */
  readonly pkijs: pkijs.Certificate
}

const factsOf = rememberedPerCertificate((certificate): Facts => {
  const parsed = new x509.X509Certificate(certificate.raw)
  const basic = parsed.getExtension(x509.BasicConstraintsExtension)
  const usage = parsed.getExtension(x509.KeyUsagesExtension)
  return Object.freeze({
    isCa: basic?.ca === true,
    pathLength: basic?.ca === true ? basic.pathLength : undefined,
    keyCertSign: usage !== null && (usage.usages & x509.KeyUsageFlags.keyCertSign) !== 0,
    unknownCritical: Object.freeze(parsed.extensions.filter((extension) => extension.critical && !PROCESSED_EXTENSIONS.has(extension.type)).map((extension) => extension.type)),
    pkijs: pkijs.Certificate.fromBER(certificate.raw),
  })
})

/** The subject as an RFC 4514 string read from the DER (never Node's printed form), most specific first, for messages. */
export const nameOf = (certificate: X509Certificate): string => formatDistinguishedName(certificateSubject(certificate))

export function datesProblem(certificate: X509Certificate, now: Date, role: string): string | undefined {
  if (now < certificate.validFromDate) return `the ${role} certificate (${nameOf(certificate)}) is not valid before ${certificate.validFromDate.toISOString()}`
  if (now > certificate.validToDate) return `the ${role} certificate (${nameOf(certificate)}) expired on ${certificate.validToDate.toISOString()}`
  return undefined
}

/** How many (certificate, issuer) link results and path verdicts are remembered; the oldest is dropped first. */
export const LINK_CACHE_SIZE = 1024

/** Bounded memo: what a set of DER certificates says never changes. */
function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= LINK_CACHE_SIZE) cache.delete(cache.keys().next().value!)
  cache.set(key, value)
  return value
}

/**
 * Link results by the SHA-256 fingerprints of the two certificates. A TPP on keep-alive connections presents
 * the same certificate on every request, and the signature check (a public-key operation on the event loop)
 * is then done once, not per request. Dates are still checked each time.
 */
const linkCache = new Map<string, boolean>()

/** True when `issuer` names itself as the issuer of `child` and its key verifies `child`'s signature. */
function issued(issuer: X509Certificate, child: X509Certificate): boolean {
  const key = `${child.fingerprint256}>${issuer.fingerprint256}`
  return linkCache.get(key) ?? remember(linkCache, key, child.checkIssued(issuer) && child.verify(issuer.publicKey))
}

/** The extended key usage of the leaf must allow clientAuth when the extension is present (SEC-31). */
export function clientAuthProblem(leaf: X509Certificate): string | undefined {
  const purposes = leaf.keyUsage
  if (purposes === undefined || purposes.length === 0) return undefined
  if (purposes.includes(CLIENT_AUTH_EKU) || purposes.includes(ANY_EKU)) return undefined
  return `the certificate (${nameOf(leaf)}) does not allow TLS client authentication (its extended key usage lacks clientAuth ${CLIENT_AUTH_EKU})`
}

const criticalProblem = (certificate: X509Certificate): string | undefined => {
  const unknown = factsOf(certificate).unknownCritical
  return unknown.length === 0 ? undefined : `the certificate ${nameOf(certificate)} has a critical extension this server does not process (${unknown.join(', ')}), so it cannot be accepted (RFC 5280 §4.2)`
}

/** RFC 5280 §6.1.4: an issuer is a CA, may sign certificates, and has no more CA certificates below it than its pathLenConstraint allows. */
function issuerProblem(issuer: X509Certificate, role: 'issuer' | 'trusted certificate', casBelow: number): string | undefined {
  const facts = factsOf(issuer)
  if (!facts.isCa) return `the ${role} ${nameOf(issuer)} is not a CA certificate`
  if (!facts.keyCertSign) return `the ${role} ${nameOf(issuer)} may not sign certificates (its keyUsage lacks keyCertSign)`
  if (facts.pathLength !== undefined && casBelow > facts.pathLength) {
    return `the ${role} ${nameOf(issuer)} allows ${facts.pathLength} intermediate CA certificate(s) below it (basicConstraints pathLenConstraint), the chain has ${casBelow}`
  }
  return undefined
}

const webCryptoEngine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] })

/** pkijs verdicts by the fingerprints of the path, leaf first; only verdicts that do not depend on the date. */
const pathCache = new Map<string, string | undefined>()

/**
 * RFC 5280 §6.1 through pkijs: name constraints (RFC 5280 §4.2.1.10; the anchor's own constraints are its
 * inputs) and policies. The signature and date checks it repeats were done above, so its verdict on a path
 * is remembered.
 */
async function pathValidationProblem(path: readonly X509Certificate[], now: Date): Promise<string | undefined> {
  const key = path.map((certificate) => certificate.fingerprint256).join('>')
  if (pathCache.has(key)) return pathCache.get(key)
  const anchor = factsOf(path.at(-1)!).pkijs
  const anchorConstraints = anchor.extensions?.find((extension) => extension.extnID === NAME_CONSTRAINTS)?.parsedValue as pkijs.NameConstraints | undefined
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [anchor],
    // pkijs takes the last of `certs` as the leaf.
    certs: path.slice(0, -1).map((certificate) => factsOf(certificate).pkijs).reverse(),
    checkDate: now,
  })
  const result = await engine.verify({ initialPermittedSubtreesSet: anchorConstraints?.permittedSubtrees ?? [], initialExcludedSubtreesSet: anchorConstraints?.excludedSubtrees ?? [] }, webCryptoEngine)
  const problem = result.result ? undefined : `the certificate chain of ${nameOf(path[0]!)} fails RFC 5280 path validation: ${result.resultMessage}`
  // A date failure (pkijs code 8) belongs to this moment, not to the path.
  return result.resultCode === 8 ? problem : remember(pathCache, key, problem)
}

/**
 * Checks that `leaf` chains to one of `anchors` through `intermediates` (in any order; unused ones are
 * ignored), at `now`. Anchors are trusted as configured, but must still be CAs allowed to sign certificates
 * and in their validity period.
 */
export async function verifyChain(leaf: X509Certificate, intermediates: readonly X509Certificate[], anchors: readonly X509Certificate[], now: Date): Promise<ChainResult> {
  const problem = await chainProblem(leaf, intermediates, anchors, now)
  return problem === undefined ? { ok: true } : { ok: false, reason: problem }
}

async function chainProblem(leaf: X509Certificate, intermediates: readonly X509Certificate[], anchors: readonly X509Certificate[], now: Date): Promise<string | undefined> {
  if (anchors.length === 0) return 'no trusted certificate authority is configured'
  // A transport certificate is an end-entity certificate; a CA certificate presented as one is refused.
  if (leaf.ca) return `the client certificate (${nameOf(leaf)}) is a CA certificate, not a transport certificate`
  const leafProblem = datesProblem(leaf, now, 'client') ?? clientAuthProblem(leaf) ?? criticalProblem(leaf)
  if (leafProblem !== undefined) return leafProblem

  const unused = [...intermediates]
  const path: X509Certificate[] = [leaf]
  for (let depth = 1; depth <= MAX_CHAIN_DEPTH; depth += 1) {
    const current = path.at(-1)!
    const anchor = anchors.find((candidate) => issued(candidate, current))
    if (anchor !== undefined) {
      const anchorProblem = issuerProblem(anchor, 'trusted certificate', depth - 1) ?? datesProblem(anchor, now, 'trusted CA')
      return anchorProblem ?? (await pathValidationProblem([...path, anchor], now))
    }
    const index = unused.findIndex((candidate) => issued(candidate, current))
    if (index < 0) return `the certificate ${nameOf(current)} is not issued by a trusted certificate authority of this directory`
    const intermediate = unused.splice(index, 1)[0]!
    const intermediateProblem = issuerProblem(intermediate, 'issuer', depth - 1) ?? datesProblem(intermediate, now, 'intermediate CA') ?? criticalProblem(intermediate)
    if (intermediateProblem !== undefined) return intermediateProblem
    path.push(intermediate)
  }
  return `the certificate chain is longer than ${MAX_CHAIN_DEPTH} CA certificates`
}
