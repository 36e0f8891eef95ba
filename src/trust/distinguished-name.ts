/**
 * Distinguished names: parsing the RFC 4514 strings that clients register (`tls_client_auth_subject_dn`,
 * RFC8705-2), writing attributes back as RFC 4514 strings, and the one comparison of a registered DN with a
 * certificate's subject (certificate-subject.ts, read from the DER), used by registration and by the token
 * endpoint alike: attribute by attribute, in order, values compared case-insensitively with spaces folded
 * (RFC 4517 distinguishedNameMatch with caseIgnoreMatch, BR-DCR-13). A `#<hex>` value (RFC 4514 §2.4, the
 * form Brazil requires for non-descriptor types, BR-DCR-14) is decoded from its DER, so it compares equal to
 * the same attribute encoded as a string.
 */
import { attributeOfHex, DistinguishedNameError, isDescriptor, normaliseType, oidOfType, type Attribute } from './dn-attribute.ts'

export { certificateIssuer, certificateSubject } from './certificate-subject.ts'
export { DistinguishedNameError, type Attribute } from './dn-attribute.ts'

/** An attribute as parsed, with its type as the string wrote it (`organizationIdentifier`, `2.5.4.97`) and whether its value was `#<hex>`. */
export type WrittenAttribute = Attribute & { readonly writtenType: string; readonly writtenAsHex: boolean }

/**
 * Parses an RFC 4514 string (`CN=a,OU=b,O=c,C=GB`) into attributes, in the string's order (most specific
 * first), each with how it was written, for profiles that rule on that (BR-DCR-14). Multi-valued RDNs (`+`)
 * become consecutive attributes. Escapes (`\,`, `\2C`) are decoded, and so are `#<hex>` values: a character
 * string becomes its text, any other DER value is kept as `#<hex>`.
 */
export function parseDistinguishedName(dn: string): WrittenAttribute[] {
  const attributes: WrittenAttribute[] = []
  let index = 0
  const fail = (why: string): never => {
    throw new DistinguishedNameError(`not an RFC 4514 distinguished name (${why} at position ${index})`)
  }
  if (dn.trim() === '') fail('empty')
  while (index < dn.length) {
    const equals = dn.indexOf('=', index)
    if (equals < 0) fail('attribute without "="')
    const writtenType = dn.slice(index, equals).trim()
    if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(writtenType)) fail(`bad attribute type "${writtenType}"`)
    const type = normaliseType(writtenType)
    index = equals + 1
    if (dn[index] === '#') {
      const match = /^#([0-9A-Fa-f]*)/.exec(dn.slice(index))!
      index += match[0].length
      if (match[1] === '' || (index < dn.length && dn[index] !== ',' && dn[index] !== '+')) fail('bad hex value')
      attributes.push({ ...attributeOfHex(type, match[1]!, writtenType), writtenType, writtenAsHex: true })
    } else {
      const bytes: number[] = []
      const pushText = (text: string) => bytes.push(...Buffer.from(text, 'utf8'))
      while (index < dn.length && dn[index] !== ',' && dn[index] !== '+') {
        const char = dn[index]!
        if (char === '\\') {
          const next = dn.slice(index + 1, index + 3)
          if (/^[0-9A-Fa-f]{2}$/.test(next)) {
            bytes.push(parseInt(next, 16))
            index += 3
          } else if (index + 1 < dn.length) {
            pushText(dn[index + 1]!)
            index += 2
          } else fail('dangling escape')
        } else {
          pushText(char)
          index += 1
        }
      }
      attributes.push({ type, value: Buffer.from(bytes).toString('utf8').trim(), writtenType, writtenAsHex: false })
    }
    if (index < dn.length) index += 1 // skip , or +
  }
  return attributes
}

/** RFC 4514 §2.4 escaping of a string value. */
const escapeValue = (value: string): string =>
  value.replace(/[\\,+"<>;=]/g, (char) => `\\${char}`).replace(/^[ #]/, (char) => `\\${char}`).replace(/ $/, '\\ ')

export type FormatOptions = {
  /** Write every non-descriptor attribute as `<oid>=#<hex DER>`, keeping the certificate's string type (Brazil, BR-DCR-14). */
  readonly nonDescriptorsAsHex?: boolean
}

/** Formats attributes as an RFC 4514 string; types without an RFC 4514 descriptor are written as OIDs. */
export function formatDistinguishedName(attributes: readonly Attribute[], options: FormatOptions = {}): string {
  return attributes
    .map((attribute) => {
      const { type, value, der, binary } = attribute
      if (isDescriptor(type)) return `${type}=${binary ? value : escapeValue(value)}`
      const oid = oidOfType(type) ?? type
      if (binary || (options.nonDescriptorsAsHex && der !== undefined)) return `${oid}=#${der}`
      return `${oid}=${escapeValue(value)}`
    })
    .join(',')
}

const fold = (value: string): string => value.trim().replace(/\s+/g, ' ').toLowerCase()

/** Two values are the same: as text (caseIgnoreMatch) when both are strings, else by their DER. */
const sameValue = (a: Attribute, b: Attribute): boolean => (a.binary || b.binary ? a.der !== undefined && a.der === b.der : fold(a.value) === fold(b.value))

/**
 * Whether a registered DN names the certificate's subject: same attributes, same order, same values
 * (RFC 4517 distinguishedNameMatch, caseIgnoreMatch values, BR-DCR-13). The one DN comparison of the server.
 */
export function distinguishedNamesMatch(registered: readonly Attribute[], subject: readonly Attribute[]): boolean {
  return registered.length === subject.length && registered.every((attribute, i) => attribute.type === subject[i]!.type && sameValue(attribute, subject[i]!))
}

/** Every string value of one attribute type, e.g. all `OU`s. */
export const valuesOf = (attributes: readonly Attribute[], type: string): string[] =>
  attributes.filter((attribute) => attribute.type === normaliseType(type) && !attribute.binary).map((attribute) => attribute.value)

/** How often each attribute type occurs, e.g. two `CN`s. */
export const occurrencesOf = (attributes: readonly Attribute[], type: string): number => attributes.filter((attribute) => attribute.type === normaliseType(type)).length
