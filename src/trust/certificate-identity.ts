/**
 * The certificate identity a tls_client_auth client registers (RFC8705-2: exactly one of a subject DN or a
 * subjectAltName of one type) and whether a certificate carries a registered subjectAltName, compared the
 * way that name type is defined (RFC8705-3). Used both when a client registers (validation) and when it
 * authenticates at the token endpoint (tokens), so the two can never disagree.
 */
import type { X509Certificate } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import { AsnConvert } from '@peculiar/asn1-schema'
import { Certificate, id_ce_subjectAltName, SubjectAlternativeName } from '@peculiar/asn1-x509'
import { rememberedPerCertificate } from './per-certificate.ts'

/** The ways a tls_client_auth client names its certificate; exactly one is registered (RFC8705-2). */
export const TLS_IDENTITY_CLAIMS = ['tls_client_auth_subject_dn', 'tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email'] as const
export type TlsIdentityClaim = (typeof TLS_IDENTITY_CLAIMS)[number]
/** The identity claims that name a subjectAltName entry. */
export type TlsSanClaim = Exclude<TlsIdentityClaim, 'tls_client_auth_subject_dn'>

/** The subjectAltName entries a tls_client_auth client may register (RFC8705-2). */
export type SubjectAltNames = { readonly dns: readonly string[]; readonly uri: readonly string[]; readonly email: readonly string[]; readonly ip: readonly string[] }

/** The subjectAltName of a certificate, read from its DER (never from node:crypto's printed form); remembered per certificate. */
export const subjectAltNamesOf = rememberedPerCertificate((certificate): SubjectAltNames => {
  const extension = AsnConvert.parse(certificate.raw, Certificate).tbsCertificate.extensions?.find((candidate) => candidate.extnID === id_ce_subjectAltName)
  // Array.from: the GeneralNames class would otherwise be the species of every derived array.
  const names = extension === undefined ? [] : Array.from(AsnConvert.parse(extension.extnValue, SubjectAlternativeName))
  const of = (pick: (name: (typeof names)[number]) => string | undefined): readonly string[] => Object.freeze(names.flatMap((name) => pick(name) ?? []))
  return Object.freeze({
    dns: of((name) => name.dNSName),
    uri: of((name) => name.uniformResourceIdentifier),
    email: of((name) => name.rfc822Name),
    // @peculiar/asn1-x509 writes the octets as an address; one of another length never reads as an IP below.
    ip: of((name) => name.iPAddress),
  })
})

/** RFC 5321 §2.4: the local part is case-sensitive, the domain is not. */
function sameMailbox(registered: string, carried: string): boolean {
  const at = registered.lastIndexOf('@')
  const carriedAt = carried.lastIndexOf('@')
  if (at <= 0 || carriedAt <= 0) return false
  return registered.slice(0, at) === carried.slice(0, carriedAt) && registered.slice(at + 1).toLowerCase() === carried.slice(carriedAt + 1).toLowerCase()
}

/** Addresses, not spellings (2001:db8::1 = 2001:DB8:0:0:0:0:0:1), compared by node:net. */
function sameAddress(registered: string, carried: string): boolean {
  const family = isIP(registered)
  if (family === 0 || isIP(carried) !== family) return false
  const list = new BlockList()
  list.addAddress(carried, family === 4 ? 'ipv4' : 'ipv6')
  return list.check(registered, family === 4 ? 'ipv4' : 'ipv6')
}

/** Whether the certificate carries the registered SAN, compared the way its type is defined (RFC8705-3). */
export function certificateHasSan(certificate: X509Certificate, claim: TlsSanClaim, value: string): boolean {
  const names = subjectAltNamesOf(certificate)
  switch (claim) {
    case 'tls_client_auth_san_dns':
      // Exact name, case-insensitive as DNS is; a wildcard in the certificate does not stand for the registered name.
      return names.dns.some((name) => name.toLowerCase() === value.toLowerCase())
    case 'tls_client_auth_san_email':
      return names.email.some((name) => sameMailbox(value, name))
    case 'tls_client_auth_san_ip':
      return names.ip.some((address) => sameAddress(value, address))
    case 'tls_client_auth_san_uri':
      return names.uri.includes(value)
  }
}
