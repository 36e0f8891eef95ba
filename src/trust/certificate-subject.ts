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

/** The certificate's subject attributes, most specific first (BR-DCR-15), with the DER of each value. */
export function certificateSubjectAttributes(certificate: X509Certificate): SubjectAttribute[] {
  const subject = AsnConvert.parse(certificate.raw, Certificate).tbsCertificate.subject
  // Array.from: the Name class would otherwise be the species of every derived array.
  return Array.from(subject, (rdn) => [...rdn])
    .flat()
    .map((attribute) => ({ oid: attribute.type, text: textOf(attribute.value) ?? '', derHex: hex(AsnConvert.serialize(attribute.value)) }))
    .reverse()
}

