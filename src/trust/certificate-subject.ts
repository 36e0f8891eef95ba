/**
 * A certificate's subject read from its DER (@peculiar/asn1-x509), never from a printed form: what is compared
 * is what the CA signed, and an escaped `+` or `,` inside a value can never become an attribute of its own.
 * Attributes are listed most specific first, as RFC 4514 strings write them (BR-DCR-15), and remembered per
 * certificate (per-certificate.ts).
 */
import { AsnConvert } from '@peculiar/asn1-schema'
import { Certificate } from '@peculiar/asn1-x509'
import { attributeOfValue, hex, normaliseType, type Attribute } from './dn-attribute.ts'
import { rememberedPerCertificate } from './per-certificate.ts'

type Name = Certificate['tbsCertificate']['subject']

/** A Name's attributes, most specific first, each with the DER of its value; frozen, as it is shared. */
function attributesOf(name: Name): readonly Attribute[] {
  // Array.from: the Name class would otherwise be the species of every derived array.
  const attributes = Array.from(name, (rdn) => [...rdn])
    .flat()
    .map((attribute) => Object.freeze(attributeOfValue(normaliseType(attribute.type), attribute.value, hex(AsnConvert.serialize(attribute.value)))))
    .reverse()
  return Object.freeze(attributes)
}

/** The certificate's subject attributes, most specific first. */
export const certificateSubject = rememberedPerCertificate((certificate): readonly Attribute[] => attributesOf(AsnConvert.parse(certificate.raw, Certificate).tbsCertificate.subject))

/** The certificate's issuer attributes, most specific first (for messages and the extension service, never for trust). */
export const certificateIssuer = rememberedPerCertificate((certificate): readonly Attribute[] => attributesOf(AsnConvert.parse(certificate.raw, Certificate).tbsCertificate.issuer))
