/**
 * How a transport certificate's subject names the software and organisation of the SSA, per directory:
 * UK legacy OB transport certificates and OBWAC/eIDAS certificates (UK-DCR-38), the CDR (chain only, no
 * subject rule) and Brazil (BR-DCR-11 UID = software_id, BR-DCR-12 organizationIdentifier OFBBR-<org_id>
 * or, for older certificates, OU = org_id). Identifiers are compared exactly: they are case-sensitive
 * Base62 / UUID values, and a loose match would let one organisation's certificate pass for another's.
 * A rule refuses a subject in which an attribute it reads occurs more than once (so the one it matches on
 * occurs exactly once): with two CNs a subject would pass when either named the software, and one
 * certificate would register as two pieces of software.
 */
import { occurrencesOf, valuesOf, type Attribute } from './distinguished-name.ts'

import type { SubjectRule } from '../config/schema.ts'

export { SUBJECT_RULES, type SubjectRule } from '../config/schema.ts'

/** The SSA identities a subject must name; undefined when the SSA lacks the claim. */
export type SubjectIdentities = { softwareId: string | undefined; orgId: string | undefined }

/** What each rule requires, for error descriptions. */
export const SUBJECT_RULE_DESCRIPTIONS: Readonly<Record<SubjectRule, string>> = {
  'ob-legacy': 'CN=<software_id> and OU=<org_id>',
  obwac: 'organizationIdentifier=PSD<country>-<authority>-[Unknown]<org_id> or CN=<org_id>',
  cdr: 'no subject requirement',
  brazil: 'UID=<software_id> and (organizationIdentifier=OFBBR-<org_id> or OU=<org_id>)',
}

/** The attributes each rule reads, as error descriptions name them. */
export const SUBJECT_RULE_ATTRIBUTES: Readonly<Record<SubjectRule, readonly string[]>> = {
  'ob-legacy': ['CN', 'OU'],
  obwac: ['organizationIdentifier', 'CN'],
  cdr: [],
  brazil: ['UID', 'organizationIdentifier', 'OU'],
}

/** The attributes `rule` reads that occur more than once in the subject; the rule refuses such a subject. */
export const repeatedSubjectAttributes = (rule: SubjectRule, attributes: readonly Attribute[]): string[] =>
  SUBJECT_RULE_ATTRIBUTES[rule].filter((type) => occurrencesOf(attributes, type) > 1)

const has = (attributes: readonly Attribute[], type: string, value: string | undefined): boolean =>
  value !== undefined && value !== '' && valuesOf(attributes, type).some((candidate) => candidate.trim() === value)

/** PSD2 organisation identifier prefix (ETSI EN 319 412-1 §5.1.4): `PSD` + country + `-` + authority + `-`; OB adds `Unknown` for directory-only ids. */
const PSD2_PREFIX = /^PSD[A-Z]{2}-[A-Z0-9]{2,8}-(?:Unknown)?/

function obwacOrganisationIdentifierMatches(attributes: readonly Attribute[], orgId: string | undefined): boolean {
  if (orgId === undefined) return false
  return valuesOf(attributes, 'organizationIdentifier').some((value) => {
    const prefix = PSD2_PREFIX.exec(value.trim())
    return prefix !== null && value.trim().slice(prefix[0].length) === orgId
  })
}

/** True when the certificate subject `attributes` names the SSA identities the way `rule` requires. */
export function subjectMatches(rule: SubjectRule, attributes: readonly Attribute[], identities: SubjectIdentities): boolean {
  // An empty claim names nothing: it must not match an empty or prefix-only attribute.
  const ids = { softwareId: identities.softwareId || undefined, orgId: identities.orgId || undefined }
  if (repeatedSubjectAttributes(rule, attributes).length > 0) return false
  switch (rule) {
    case 'ob-legacy':
      return has(attributes, 'CN', ids.softwareId) && has(attributes, 'OU', ids.orgId)
    case 'obwac':
      return obwacOrganisationIdentifierMatches(attributes, ids.orgId) || has(attributes, 'CN', ids.orgId)
    case 'cdr':
      return true
    case 'brazil':
      return has(attributes, 'UID', ids.softwareId) && (has(attributes, 'organizationIdentifier', ids.orgId === undefined ? undefined : `OFBBR-${ids.orgId}`) || has(attributes, 'OU', ids.orgId))
  }
}
