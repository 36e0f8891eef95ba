/**
 * Distinguished names: parsing the RFC 4514 strings that clients register (`tls_client_auth_subject_dn`,
 * RFC8705-2) and reading a certificate's subject from node:crypto, so the two can be compared attribute by
 * attribute with case-insensitive values (RFC 4517 caseIgnoreMatch, BR-DCR-13) instead of as raw strings.
 */
import type { X509Certificate } from 'node:crypto'
import { certificateSubjectAttributes } from './certificate-subject.ts'

/** One attribute of a DN. `type` is normalised: upper-case short name where one exists, else the dotted OID. */
export type Attribute = { type: string; value: string }

const ALIASES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  COMMONNAME: 'CN',
  '2.5.4.6': 'C',
  COUNTRYNAME: 'C',
  '2.5.4.7': 'L',
  LOCALITYNAME: 'L',
  '2.5.4.8': 'ST',
  STATEORPROVINCENAME: 'ST',
  '2.5.4.10': 'O',
  ORGANIZATIONNAME: 'O',
  '2.5.4.11': 'OU',
  ORGANIZATIONALUNITNAME: 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  USERID: 'UID',
  '2.5.4.97': 'ORGANIZATIONIDENTIFIER',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.15': 'BUSINESSCATEGORY',
  '1.3.6.1.4.1.311.60.2.1.3': 'JURISDICTIONCOUNTRYNAME',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
}

/** The canonical name of an attribute type, whatever spelling or OID form it came in. */
export function normaliseType(type: string): string {
  const trimmed = type.trim().replace(/^oid\./i, '')
  const upper = trimmed.toUpperCase()
  return ALIASES[upper] ?? ALIASES[trimmed] ?? upper
}

/** Thrown for a DN string that is not RFC 4514. */
export class DistinguishedNameError extends Error {
  override name = 'DistinguishedNameError'
}

/** An attribute as parsed, with its type as the string wrote it (`organizationIdentifier`, `2.5.4.97`, `oid.2.5.4.97`). */
export type WrittenAttribute = Attribute & { writtenType: string }

/**
 * Parses an RFC 4514 string (`CN=a,OU=b,O=c,C=GB`) into attributes, in the string's order (most specific
 * first). Multi-valued RDNs (`+`) become consecutive attributes. Escapes (`\,`, `\2C`) are decoded.
 */
export function parseDistinguishedName(dn: string): Attribute[] {
  return parseDistinguishedNameAsWritten(dn).map(({ type, value }) => ({ type, value }))
}

/** parseDistinguishedName, keeping how each type was written, for profiles that rule on it (BR-DCR-14). */
export function parseDistinguishedNameAsWritten(dn: string): WrittenAttribute[] {
  const attributes: WrittenAttribute[] = []
  let index = 0
  const fail = (why: string): never => {
    throw new DistinguishedNameError(`not an RFC 4514 distinguished name (${why} at position ${index})`)
  }
  if (dn.trim() === '') fail('empty')
  while (index < dn.length) {
    const equals = dn.indexOf('=', index)
    if (equals < 0) fail('attribute without "="')
    const type = dn.slice(index, equals).trim()
    if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(type)) fail(`bad attribute type "${type}"`)
    index = equals + 1
    let value = ''
    if (dn[index] === '#') {
      // Hex-encoded BER value (BR-DCR-14): kept as written; compared as text.
      const match = /^#[0-9A-Fa-f]+/.exec(dn.slice(index))
      if (!match) fail('bad hex value')
      value = match![0]
      index += value.length
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
      value = Buffer.from(bytes).toString('utf8').trim()
    }
    attributes.push({ type: normaliseType(type), value, writtenType: type })
    if (index < dn.length) index += 1 // skip , or +
  }
  return attributes
}

/**
 * The subject of a certificate as attributes in RFC 4514 order (most specific first), read from the DER
 * (certificate-subject.ts): node:crypto's printed subject escapes `+` inside values, so splitting the print
 * would let a crafted value pose as another attribute.
 */
export function certificateSubject(certificate: X509Certificate): Attribute[] {
  return certificateSubjectAttributes(certificate).map(({ oid, text }) => ({ type: normaliseType(oid), value: text }))
}

const escapeValue = (value: string): string =>
  value.replace(/[\\,+"<>;=]/g, (char) => `\\${char}`).replace(/^[ #]/, (char) => `\\${char}`).replace(/ $/, '\\ ')

const SHORT_NAMES = new Set(['CN', 'C', 'L', 'ST', 'O', 'OU', 'STREET', 'DC', 'UID'])
const OIDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ALIASES)
    .filter(([key]) => /^\d/.test(key))
    .map(([oid, name]) => [name, oid]),
)

/** Formats attributes as an RFC 4514 string; types without an RFC 4514 short name are written as OIDs. */
export function formatDistinguishedName(attributes: readonly Attribute[]): string {
  return attributes.map(({ type, value }) => `${SHORT_NAMES.has(type) ? type : (OIDS[type] ?? type)}=${escapeValue(value)}`).join(',')
}

const foldValue = (value: string): string => value.trim().replace(/\s+/g, ' ').toLowerCase()

/** Same attributes in the same order, values compared case-insensitively with spaces folded. */
export function distinguishedNamesMatch(a: readonly Attribute[], b: readonly Attribute[]): boolean {
  return a.length === b.length && a.every((attribute, i) => attribute.type === b[i]!.type && foldValue(attribute.value) === foldValue(b[i]!.value))
}

/** Every value of one attribute type, e.g. all `OU`s. */
export const valuesOf = (attributes: readonly Attribute[], type: string): string[] =>
  attributes.filter((attribute) => attribute.type === normaliseType(type)).map((attribute) => attribute.value)
