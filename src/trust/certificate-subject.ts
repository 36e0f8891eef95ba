/**
 * A certificate's subject read from its DER (@peculiar/asn1-x509), never from a printed form: what is compared
 * is what the CA signed, and an escaped `+` or `,` inside a value can never become an attribute of its own.
 * Attributes are listed most specific first, as RFC 4514 strings write them.
 */
import type { X509Certificate } from 'node:crypto'
import { AsnConvert } from '@peculiar/asn1-schema'
import { AttributeValue, Certificate } from '@peculiar/asn1-x509'

/** One subject attribute: its OID, its value as text, and the DER of the value in upper-case hex. */
export type SubjectAttribute = { oid: string; text: string; derHex: string }

export const hex = (bytes: ArrayBuffer | Uint8Array): string => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex').toUpperCase()

/** The text of a DER attribute value, or undefined when it is not a character string (e.g. raw `anyValue`). */
export function textOf(value: AttributeValue): string | undefined {
  return value.anyValue === undefined ? value.toString() : undefined
}

/**
 * Subjects by the SHA-256 fingerprint of the DER certificate. What a DER certificate's subject says never
 * changes, and parsing it with the ASN.1 schema library cost about a fifth of a registration's CPU when done
 * per request; a TPP presents the same transport certificate on every request. Bounded, oldest dropped first.
 */
const subjectCache = new Map<string, readonly SubjectAttribute[]>()
const SUBJECT_CACHE_SIZE = 1_024

function parseSubject(certificate: X509Certificate): readonly SubjectAttribute[] {
  const subject = AsnConvert.parse(certificate.raw, Certificate).tbsCertificate.subject
  // Array.from: the Name class would otherwise be the species of every derived array.
  const attributes = Array.from(subject, (rdn) => [...rdn])
    .flat()
    .map((attribute) => Object.freeze({ oid: attribute.type, text: textOf(attribute.value) ?? '', derHex: hex(AsnConvert.serialize(attribute.value)) }))
    .reverse()
  return Object.freeze(attributes)
}

/** The certificate's subject attributes, most specific first (BR-DCR-15), with the DER of each value; frozen, as it is shared. */
export function certificateSubjectAttributes(certificate: X509Certificate): readonly SubjectAttribute[] {
  const key = certificate.fingerprint256
  const known = subjectCache.get(key)
  if (known !== undefined) return known
  const attributes = parseSubject(certificate)
  if (subjectCache.size >= SUBJECT_CACHE_SIZE) subjectCache.delete(subjectCache.keys().next().value!)
  subjectCache.set(key, attributes)
  return attributes
}

