/**
 * How a refused registration or management call is answered and recorded: the profile's wording of the
 * description (errors.descriptions, CDR-DCR-24), a unique-key conflict at commit turned into the refusal the
 * validators would have given (SEC-11, SEC-37), and the one answer for a client that is gone (SEC-33).
 */
import type { AuditFacts } from '../audit/audit-writer.ts'
import type { Config } from '../config/schema.ts'
import { StoreConflictError } from '../store/store.ts'
import { InvalidTokenError } from '../tokens/bearer-token-errors.ts'
import { ValidationError } from '../validation/errors.ts'
import { profileErrorDescription } from '../validation/error-description.ts'
import type { RegistrationDependencies } from './dependencies.ts'
import { duplicateRegistrationError } from './duplicate-registration.ts'
import { NOT_THIS_CLIENT } from './management-authorization.ts'
import type { FailedRun } from './step-list.ts'

/** Id under which a registration past registration.maxClientsPerSoftware / maxClientsPerOrganisation is refused. */
export const CLIENT_CAP = 'client-cap'

/** The registration was deleted (or never existed) after the caller was authorised. */
export const clientGone = (): InvalidTokenError => new InvalidTokenError('wrong-client', NOT_THIS_CLIENT)

/** The refusal as the client sees it: the profile's wording of the description. */
export function worded(error: unknown, profile: Config): unknown {
  if (!(error instanceof ValidationError)) return error
  return new ValidationError(error.error, error.validator, profileErrorDescription(error, profile), { ...(error.claim ? { claim: error.claim } : {}), cause: error })
}

/** A unique-key conflict at commit is the same refusal the validators give, raced by another request. */
export function conflictAsRefusal(error: unknown, softwareId: string, ssaIssuer: unknown, profile: Config): unknown {
  if (!(error instanceof StoreConflictError)) return error
  if (error.conflict === 'software_id') return duplicateRegistrationError(profile, softwareId)
  if (error.conflict === 'software_cap' || error.conflict === 'organisation_cap') {
    return new ValidationError('invalid_client_metadata', CLIENT_CAP, `${error.message}: delete a registration that is no longer used (DELETE /register/{client_id}) before registering another`)
  }
  if (error.issuer !== undefined && error.issuer === ssaIssuer) {
    return new ValidationError('invalid_software_statement', 'jti-replay', 'the software statement jti has already been used: obtain a new software statement from the directory', { claim: 'jti' })
  }
  return new ValidationError('invalid_client_metadata', 'jti-replay', 'the request jti has already been used: sign a new request with a fresh jti', { claim: 'jti' })
}

/** What a failed run of a verb knows, for its audit event and its answer. */
export type RefusalFacts = { facts: AuditFacts; softwareId: unknown; profile: Config | undefined }

/**
 * The failure hook of every verb: the refusal worded by the profile it ran under, recorded once with the
 * facts known so far (the step that failed, when the error names no validator), then answered.
 */
export function refusalHook<S>(deps: RegistrationDependencies, factsOf: (state: Partial<S>) => RefusalFacts): (failure: FailedRun<S>) => Promise<unknown> {
  return async ({ error, step, state }) => {
    const { facts, softwareId, profile } = factsOf(state)
    const answer = worded(error, profile ?? deps.profiles.top)
    await deps.audit.failed(answer, { ...facts, softwareId: typeof softwareId === 'string' ? softwareId : undefined }, step)
    return answer
  }
}
