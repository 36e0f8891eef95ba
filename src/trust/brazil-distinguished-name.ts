/**
 * Subject DNs the Open Finance Brasil way (BR-DCR-13..16): a `tls_client_auth_subject_dn` writes in string
 * form only the RFC 4514 §3 descriptors (CN, L, ST, O, OU, C, STREET, DC, UID); every other attribute
 * (organizationIdentifier 2.5.4.97, serialNumber 2.5.4.5, businessCategory 2.5.4.15, jurisdictionCountryName
 * 1.3.6.1.4.1.311.60.2.1.3, ...) is written as its dotted OID with `#` and the hex of its DER value, which keeps
 * the certificate's string type (UTF8String 0C, PrintableString 13). This file holds only those rules of
 * writing; parsing, the certificate's subject (from its DER) and the comparison are distinguished-name.ts's,
 * the same at registration and at the token endpoint.
 */
import type { X509Certificate } from 'node:crypto'
import { certificateSubject, DistinguishedNameError, formatDistinguishedName, parseDistinguishedName, type Attribute } from './distinguished-name.ts'
import { RFC4514_DESCRIPTOR_OIDS } from './dn-attribute.ts'

/** The certificate's subject in the Brazil string form, e.g. to register as `tls_client_auth_subject_dn`. */
export const brazilSubjectDnOf = (certificate: X509Certificate): string => formatDistinguishedName(certificateSubject(certificate), { nonDescriptorsAsHex: true })

/**
 * Parses a `tls_client_auth_subject_dn` written the Brazil way. Throws a DistinguishedNameError naming the
 * attribute when the string is not RFC 4514, names a non-descriptor attribute by name (`organizationIdentifier=`),
 * gives a non-descriptor attribute a string value (`2.5.4.97=OFBBR-...`) instead of `#<hex DER>`, or gives
 * hex that is not one DER character string.
 */
export function parseBrazilSubjectDn(dn: string): Attribute[] {
  return parseDistinguishedName(dn).map(({ writtenType, writtenAsHex, ...attribute }) => {
    const isOid = /^\d+(\.\d+)+$/.test(writtenType)
    if (!isOid && !Object.hasOwn(RFC4514_DESCRIPTOR_OIDS, writtenType.toUpperCase())) {
      throw new DistinguishedNameError(`attribute ${writtenType} is not an RFC 4514 descriptor (${Object.keys(RFC4514_DESCRIPTOR_OIDS).join(', ')}): write it as its dotted OID with =#<hex of the DER value>`)
    }
    if (isOid && !writtenAsHex) throw new DistinguishedNameError(`attribute ${writtenType} is written by OID, so its value must be #<hex of the DER value>, not a string`)
    if (attribute.binary) throw new DistinguishedNameError(`the value of ${writtenType} is not the hex of one DER-encoded string (UTF8String, PrintableString, ...)`)
    return attribute
  })
}
