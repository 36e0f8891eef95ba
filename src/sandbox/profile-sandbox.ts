/**
 * The sandbox as each profile's bank expects to meet it, so that `open-dcr sandbox --profile P` starts a
 * server and a directory that match: for `obuk` and `rfc7591` the made-up UK directory ("Sandbox Directory",
 * OB legacy transport subject, UK-DCR-15, UK-DCR-38); for `cdr` a directory whose `iss` is `cdr-register`
 * (CDR-DCR-8) issuing CDR Register-shaped SSAs for the Koala Money recipient with a CDR transport
 * certificate; for `brazil` the Open Finance Brasil sandbox issuer (BR-DCR-7) with an ICP-Brasil-like
 * subject (BR-DCR-11, BR-DCR-12). The shapes themselves are in ssa-shapes.ts and directory.ts.
 */
import { PROFILE_NAMES } from '../config/schema.ts'
import { SANDBOX_ORGANISATION, type IssueSsaOptions, type SsaClaimsInput } from './directory.ts'
import type { LoadedSandbox, SandboxOptions } from './sandbox.ts'
import { obTransportSubject } from './tpp.ts'
import { BRAZIL_SANDBOX_ORGANISATION, BRAZIL_SANDBOX_SSA_ISSUER, brazilTransportSubject, CDR_REGISTER_ISSUER, CDR_SANDBOX_RECIPIENT, cdrTransportSubject, type SsaShape } from './ssa-shapes.ts'

/** The profiles a sandbox can play (config/profiles/). */
/** A sandbox exists for every profile preset. */
export const SANDBOX_PROFILES = PROFILE_NAMES
export type SandboxProfile = (typeof SANDBOX_PROFILES)[number]

export const isSandboxProfile = (value: unknown): value is SandboxProfile => typeof value === 'string' && (SANDBOX_PROFILES as readonly string[]).includes(value)

/** The SSA shape of a profile: plain RFC 7591 statements carry client metadata names (RFC7591-13). */
export const ssaShapeOf = (profile: SandboxProfile): SsaShape => (profile === 'obuk' ? 'uk' : profile)

/** The transport subject a profile's directory issues for a software and organisation (UK-DCR-38, CDR-DCR-1, BR-DCR-11/12). */
export function transportSubjectFor(profile: SandboxProfile, softwareId: string, orgId: string): string {
  switch (profile) {
    case 'cdr':
      return cdrTransportSubject(softwareId, orgId)
    case 'brazil':
      return brazilTransportSubject({ softwareId, orgId })
    case 'obuk':
    case 'rfc7591':
      return obTransportSubject(softwareId, orgId)
  }
}

/** createSandbox options for a sandbox that plays `profile`: directory issuer, participant ids, transport subject. */
export function sandboxOptionsFor(profile: SandboxProfile): Pick<SandboxOptions, 'directoryIssuer' | 'softwareId' | 'orgId' | 'tppTransportSubject'> {
  switch (profile) {
    case 'cdr': {
      const { softwareId, orgId } = CDR_SANDBOX_RECIPIENT
      return { directoryIssuer: CDR_REGISTER_ISSUER, softwareId, orgId, tppTransportSubject: cdrTransportSubject(softwareId, orgId) }
    }
    case 'brazil': {
      const { softwareId, orgId } = BRAZIL_SANDBOX_ORGANISATION
      return { directoryIssuer: BRAZIL_SANDBOX_SSA_ISSUER, softwareId, orgId, tppTransportSubject: brazilTransportSubject({ softwareId, orgId }) }
    }
    case 'obuk':
    case 'rfc7591':
      return { softwareId: SANDBOX_ORGANISATION.softwareId, orgId: SANDBOX_ORGANISATION.orgId }
  }
}

/**
 * A fresh SSA for the sandbox TPP in `profile`'s shape (its ids and JWKS URL first, then `claims`; a claim
 * given as `undefined` is left out).
 */
export function issueProfileSsa(sandbox: LoadedSandbox, profile: SandboxProfile, claims: Record<string, unknown> = {}, options: Omit<IssueSsaOptions, 'shape'> = {}): Promise<string> {
  switch (ssaShapeOf(profile)) {
    case 'cdr':
      return sandbox.issueCdrSsa(claims, options)
    case 'brazil':
      return sandbox.issueBrazilSsa(claims, options)
    case 'rfc7591':
      return sandbox.issueRfc7591Ssa(claims, options)
    case 'uk':
      return sandbox.issueSsa(claims as SsaClaimsInput, options)
  }
}
