/**
 * transport-certificate: the request came with a client (transport) certificate that chains to a CA of
 * the SSA's directory, and whose subject names the SSA's software and organisation by one of the
 * configured subject rules (UK-DCR-38, BR-DCR-1, BR-DCR-8, BR-DCR-11, BR-DCR-12, BR-DCR-17, SEC-31,
 * RFC8705-11). When no directory was chosen (ssa-issuer and ssa-signature off), the CAs of every
 * configured directory are anchors.
 */
import { verifyChain } from '../../trust/certificate-chain.ts'
import { certificateSubject, formatDistinguishedName } from '../../trust/distinguished-name.ts'
import { repeatedSubjectAttributes, SUBJECT_RULE_DESCRIPTIONS, subjectMatches, type SubjectRule } from '../../trust/subject-rules.ts'
import type { BuiltInValidator } from '../context.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

const ID = 'transport-certificate'
const SSA: ClaimSource = { validator: ID, error: 'invalid_software_statement', where: 'software statement' }

export const transportCertificate: BuiltInValidator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-38', 'BR-DCR-1', 'BR-DCR-8', 'BR-DCR-11', 'BR-DCR-12', 'BR-DCR-17', 'SEC-31', 'RFC8705-11'],
  summary: "The transport certificate chains to a CA of the SSA's directory and its subject names the SSA's software and organisation.",
  errors: ['invalid_software_statement', 'unapproved_software_statement'],
  async check(ctx) {
    const presented = ctx.certificate
    if (presented === undefined) throw new ValidationError('unapproved_software_statement', ID, 'a transport certificate is required: call over mutual TLS with the certificate the directory issued')

    const anchors = ctx.directory?.transportCas ?? ctx.directories.all().flatMap((directory) => directory.transportCas)
    const chain = await verifyChain(presented.certificate, presented.intermediates, anchors, new Date(ctx.now * 1000))
    if (!chain.ok) {
      const whose = ctx.directory === undefined ? 'any trusted directory' : `directory ${JSON.stringify(ctx.directory.issuer)}`
      throw new ValidationError('unapproved_software_statement', ID, `the transport certificate is not accepted for ${whose}: ${chain.reason}`)
    }

    const rules = ctx.config.validators['transport-certificate'].subjectRules as SubjectRule[]
    const { softwareIdClaim, orgIdClaim } = ctx.config.ssa
    const claims = ctx.ssa?.claims ?? {}
    const ids = { softwareId: readString(claims, softwareIdClaim, SSA), orgId: readString(claims, orgIdClaim, SSA) }
    const subject = certificateSubject(presented.certificate)
    if (rules.some((rule) => subjectMatches(rule, subject, ids))) return

    if (rules.length === 0) throw new ValidationError('unapproved_software_statement', ID, 'no transport certificate subject rule is configured, so no certificate subject is accepted')
    const expected = rules.map((rule) => `${rule}: ${SUBJECT_RULE_DESCRIPTIONS[rule]}`).join('; ')
    const repeated = [...new Set(rules.flatMap((rule) => repeatedSubjectAttributes(rule, subject)))]
    const why = repeated.length === 0 ? '' : `; the subject has more than one ${repeated.join(', more than one ')}, and each attribute a subject rule reads must occur exactly once`
    throw new ValidationError(
      'unapproved_software_statement',
      ID,
      `the transport certificate subject ${formatDistinguishedName(subject)} does not name ${softwareIdClaim} ${quoted(ids.softwareId)} and ${orgIdClaim} ${quoted(ids.orgId)} of the software statement as required (${expected})${why}`,
      { claim: softwareIdClaim },
    )
  },
}
