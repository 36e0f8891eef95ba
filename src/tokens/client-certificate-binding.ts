/**
 * The certificate a client is bound to (SEC-32, RFC8705-6, UK-DCR-38, BR-DCR-11/12): a client that registered
 * over mutual TLS keeps that transport certificate's thumbprint (`ClientRecord.certificateThumbprint`) and is
 * used only over that certificate or a renewal of it, a certificate whose subject names the client's software
 * and organisation by the profile's transport-certificate subject rules. Another software's certificate from
 * the same CA is not the client's, even together with the client's signing key. A client registered without
 * a certificate (plain RFC 7591 without mutual TLS) is bound to none. One rule for the token endpoint, for
 * management authorization and for signed recovery, so they never disagree on whose certificate it is.
 */
import type { Config } from '../config/schema.ts'
import type { ClientRecord } from '../store/store.ts'
import { certificateSubject } from '../trust/distinguished-name.ts'
import { subjectMatches, type SubjectRule } from '../trust/subject-rules.ts'
import type { ClientCertificate } from '../trust/types.ts'
import { sameThumbprint } from './binding.ts'

/**
 * Whether a presented certificate is the client's: the one it registered with, or one whose subject names its
 * software and organisation by the configured transport-certificate subject rules (a renewed certificate).
 * `orgId` may come from a newer software statement than the registered one.
 */
export function certificateIdentifiesClient(client: ClientRecord, certificate: ClientCertificate, config: Config, orgId: string | undefined = client.orgId): boolean {
  if (client.certificateThumbprint !== undefined && sameThumbprint(client.certificateThumbprint, certificate.thumbprint)) return true
  const rules = config.validators['transport-certificate'].subjectRules as SubjectRule[]
  const subject = certificateSubject(certificate.certificate)
  return rules.some((rule) => subjectMatches(rule, subject, { softwareId: client.softwareId, orgId }))
}

/** Whether `certificate` may act for `client`: the client registered without one, or it identifies the client. */
export function certificateMayActForClient(client: ClientRecord, certificate: ClientCertificate | undefined, config: Config): boolean {
  if (client.certificateThumbprint === undefined) return true
  return certificate !== undefined && certificateIdentifiesClient(client, certificate, config)
}
