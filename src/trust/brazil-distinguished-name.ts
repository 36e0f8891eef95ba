/**
 * Subject DNs the Open Finance Brasil way (BR-DCR-13..16): a `tls_client_auth_subject_dn` writes in string
 * form only the RFC 4514 §3 descriptors (CN, L, ST, O, OU, C, STREET, DC, UID); every other attribute
 * (organizationIdentifier 2.5.4.97, serialNumber 2.5.4.5, businessCategory 2.5.4.15, jurisdictionCountryName
 * 1.3.6.1.4.1.311.60.2.1.3, ...) is written as its dotted OID with `#` and the hex of its DER value, which keeps
 * the certificate's string type (UTF8String 0C, PrintableString 13). The certificate side is read from the
 * certificate's DER subject with @peculiar/asn1-x509, never from a printed form, so what is compared is what
 * the CA signed; RDNs are listed most specific first (BR-DCR-15). Values are compared as text,
 * case-insensitively with spaces folded (caseIgnoreMatch, BR-DCR-13).
 */
import type { X509Certificate } from 'node:crypto'
import { AsnConvert } from '@peculiar/asn1-schema'
import { AttributeValue } from '@peculiar/asn1-x509'
import { certificateSubjectAttributes, hex, textOf, type SubjectAttribute } from './certificate-subject.ts'
import { DistinguishedNameError, parseDistinguishedNameAsWritten } from './distinguished-name.ts'

export { certificateSubjectAttributes, type SubjectAttribute }

/** The RFC 4514 §3 descriptors (BR-DCR-14: the only names accepted in string form) and their OIDs. */
const DESCRIPTOR_OIDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  C: '2.5.4.6',
  STREET: '2.5.4.9',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
}
const DESCRIPTOR_BY_OID: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(DESCRIPTOR_OIDS).map(([name, oid]) => [oid, name]))

/** Writes subject attributes as Brazil requires: descriptors as escaped strings, all others `<oid>=#<hex DER>` (BR-DCR-14). */
export function formatBrazilSubjectDn(attributes: readonly SubjectAttribute[]): string {
  return attributes
    .map(({ oid, text, derHex }) => {
      const descriptor = DESCRIPTOR_BY_OID[oid]
      return descriptor === undefined ? `${oid}=#${derHex}` : `${descriptor}=${escapeValue(text)}`
    })
    .join(',')
}

/** The certificate's subject in the Brazil string form, e.g. to register as `tls_client_auth_subject_dn`. */
export const brazilSubjectDnOf = (certificate: X509Certificate): string => formatBrazilSubjectDn(certificateSubjectAttributes(certificate))

const escapeValue = (value: string): string =>
  value.replace(/[\\,+"<>;=]/g, (char) => `\\${char}`).replace(/^[ #]/, (char) => `\\${char}`).replace(/ $/, '\\ ')

/** Decodes a `#<hex>` value into its text; throws DistinguishedNameError when it is not one DER character string. */
function decodeHexValue(written: string, typeName: string): { text: string; derHex: string } {
  const bytes = Buffer.from(written.slice(1), 'hex')
  if (written.length % 2 === 0 || bytes.length * 2 !== written.length - 1) throw new DistinguishedNameError(`the value of ${typeName} is not whole bytes of hex`)
  let value: AttributeValue
  try {
    value = AsnConvert.parse(bytes, AttributeValue)
  } catch {
    throw new DistinguishedNameError(`the value of ${typeName} is not the hex of a DER-encoded string`)
  }
  const text = textOf(value)
  // The re-encoding must give the same bytes: no trailing garbage, no non-string value.
  if (text === undefined || hex(AsnConvert.serialize(value)) !== hex(bytes)) throw new DistinguishedNameError(`the value of ${typeName} is not the hex of one DER-encoded string (UTF8String, PrintableString, ...)`)
  return { text, derHex: hex(bytes) }
}

/**
 * Parses a `tls_client_auth_subject_dn` written the Brazil way. Throws a DistinguishedNameError naming the
 * attribute when the string is not RFC 4514, names a non-descriptor attribute by name (`organizationIdentifier=`),
 * or gives a non-descriptor attribute a string value (`2.5.4.97=OFBBR-...`) instead of `#<hex DER>`.
 */
export function parseBrazilSubjectDn(dn: string): SubjectAttribute[] {
  return parseDistinguishedNameAsWritten(dn).map(({ writtenType, value }) => {
    const bareType = writtenType.replace(/^oid\./i, '')
    const isOid = /^\d+(\.\d+)+$/.test(bareType)
    if (!isOid) {
      const oid = DESCRIPTOR_OIDS[bareType.toUpperCase()]
      if (oid === undefined) throw new DistinguishedNameError(`attribute ${writtenType} is not an RFC 4514 descriptor (${Object.keys(DESCRIPTOR_OIDS).join(', ')}): write it as its dotted OID with =#<hex of the DER value>`)
      return value.startsWith('#') ? { oid, ...decodeHexValue(value, writtenType) } : { oid, text: value, derHex: '' }
    }
    if (!value.startsWith('#')) {
      throw new DistinguishedNameError(`attribute ${bareType} is written by OID, so its value must be #<hex of the DER value>, not a string`)
    }
    return { oid: bareType, ...decodeHexValue(value, bareType) }
  })
}

const fold = (value: string): string => value.trim().replace(/\s+/g, ' ').toLowerCase()

/** RFC 4517 distinguishedNameMatch with caseIgnoreMatch values (BR-DCR-13): same attributes, same order, same text. */
export function brazilSubjectsMatch(registered: readonly SubjectAttribute[], certificate: readonly SubjectAttribute[]): boolean {
  return registered.length === certificate.length && registered.every((attribute, i) => attribute.oid === certificate[i]!.oid && fold(attribute.text) === fold(certificate[i]!.text))
}
