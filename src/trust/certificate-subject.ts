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

/** The certificate's subject attributes, most specific first, each with the DER of its value; frozen, as it is shared. */
export const certificateSubject = rememberedPerCertificate((certificate): readonly Attribute[] => {
  const subject = AsnConvert.parse(certificate.raw, Certificate).tbsCertificate.subject
  // Array.from: the Name class would otherwise be the species of every derived array.
  const attributes = Array.from(subject, (rdn) => [...rdn])
    .flat()
    .map((attribute) => Object.freeze(attributeOfValue(normaliseType(attribute.type), attribute.value, hex(AsnConvert.serialize(attribute.value)))))
    .reverse()
  return Object.freeze(attributes)
})
