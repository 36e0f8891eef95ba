/**
 * One attribute of a distinguished name, the same shape whether it was read from a certificate's DER or
 * parsed from an RFC 4514 string, so that both compare one way (RFC 4517 distinguishedNameMatch). Holds the
 * attribute type names (RFC 4514 §3 descriptors and the other types the regimes use, by OID) and the
 * reading of a DER attribute value (@peculiar/asn1-x509), never of a printed form.
 */
import { AsnConvert } from '@peculiar/asn1-schema'
import { AttributeValue } from '@peculiar/asn1-x509'

/** One attribute of a DN. */
export type Attribute = {
  /** Normalised type: the RFC 4514 short name where one exists, else the dotted OID (or the upper-case name as written). */
  readonly type: string
  /** The value as text; for a DER value that is not a character string, its RFC 4514 §2.4 form `#<hex DER>`. */
  readonly value: string
  /** The DER of the value in upper-case hex, where known: always for a certificate, for a string value written `#<hex>`. */
  readonly der?: string
  /** Set when the DER value is not a character string: such a value is compared by its DER only. */
  readonly binary?: true
}

/** The RFC 4514 §3 descriptors: the only type names RFC 4514 writes by name (BR-DCR-14), with their OIDs. */
export const RFC4514_DESCRIPTOR_OIDS: Readonly<Record<string, string>> = {
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

/** Types without an RFC 4514 descriptor that the regimes name (eIDAS, ICP-Brasil), by their usual names. */
const OTHER_TYPE_OIDS: Readonly<Record<string, string>> = {
  ORGANIZATIONIDENTIFIER: '2.5.4.97',
  SERIALNUMBER: '2.5.4.5',
  BUSINESSCATEGORY: '2.5.4.15',
  JURISDICTIONCOUNTRYNAME: '1.3.6.1.4.1.311.60.2.1.3',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
}

/** Long names of the descriptors (RFC 4519). */
const LONG_NAMES: Readonly<Record<string, string>> = {
  COMMONNAME: 'CN',
  COUNTRYNAME: 'C',
  LOCALITYNAME: 'L',
  STATEORPROVINCENAME: 'ST',
  ORGANIZATIONNAME: 'O',
  ORGANIZATIONALUNITNAME: 'OU',
  STREETADDRESS: 'STREET',
  DOMAINCOMPONENT: 'DC',
  USERID: 'UID',
}

const NAME_BY_OID: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({ ...RFC4514_DESCRIPTOR_OIDS, ...OTHER_TYPE_OIDS }).map(([name, oid]) => [oid, name]),
)

/** The canonical name of an attribute type, whatever spelling or OID form it came in (`cn`, `commonName`, `2.5.4.3`, `oid.2.5.4.3` → `CN`). */
export function normaliseType(type: string): string {
  const trimmed = type.trim().replace(/^oid\./i, '')
  const upper = trimmed.toUpperCase()
  return NAME_BY_OID[trimmed] ?? LONG_NAMES[upper] ?? upper
}

/** The dotted OID of a normalised type, or undefined for a name this server does not know. */
export const oidOfType = (type: string): string | undefined => (/^\d+(\.\d+)+$/.test(type) ? type : (RFC4514_DESCRIPTOR_OIDS[type] ?? OTHER_TYPE_OIDS[type]))

/** Whether a normalised type is an RFC 4514 §3 descriptor (written by name in RFC 4514 strings). */
export const isDescriptor = (type: string): boolean => Object.hasOwn(RFC4514_DESCRIPTOR_OIDS, type)

export const hex = (bytes: ArrayBuffer | Uint8Array): string => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex').toUpperCase()

/** An attribute of `type` from its parsed DER value: its text when it is a character string, else its `#hex`. */
export function attributeOfValue(type: string, value: AttributeValue, der: string): Attribute {
  // anyValue holds what is no DirectoryString / IA5String (an INTEGER, a SEQUENCE...).
  return value.anyValue === undefined ? { type, value: value.toString(), der } : { type, value: `#${der}`, der, binary: true }
}

/** Thrown for a DN string that is not RFC 4514. */
export class DistinguishedNameError extends Error {
  override name = 'DistinguishedNameError'
}

/**
 * Reads an RFC 4514 `#<hex>` value (the BER of the value, §2.4) as an attribute of `type`. Throws a
 * DistinguishedNameError naming `writtenType` when the hex is not whole bytes or not exactly one DER value.
 */
export function attributeOfHex(type: string, hexText: string, writtenType: string): Attribute {
  const bytes = Buffer.from(hexText, 'hex')
  if (bytes.length * 2 !== hexText.length) throw new DistinguishedNameError(`the value of ${writtenType} is not whole bytes of hex`)
  let value: AttributeValue
  try {
    value = AsnConvert.parse(bytes, AttributeValue)
  } catch {
    throw new DistinguishedNameError(`the value of ${writtenType} is not the hex of a DER-encoded string`)
  }
  // The re-encoding must give the same bytes: no trailing garbage.
  if (hex(AsnConvert.serialize(value)) !== hex(bytes)) throw new DistinguishedNameError(`the value of ${writtenType} is not the hex of one DER-encoded string (UTF8String, PrintableString, ...)`)
  return attributeOfValue(type, value, hex(bytes))
}
