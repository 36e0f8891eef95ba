/**
 * The registration checks in their fixed, documented order (docs/validation.md). The order is part of the
 * security design: the SSA is verified before anything in it is trusted (SEC-10), the transport certificate is
 * bound to the verified SSA, and only then is the request verified with the TPP keys the SSA points to.
 * The first failing check ends the run with its ValidationError; a switched-off check is skipped.
 */
import type { BuiltInValidator, Established, EstablishedFact, ValidationContext, Validator } from './context.ts'
import { ValidationError } from './errors.ts'
import { ssaIssuer } from './validators/ssa-issuer.ts'
import { ssaSignature } from './validators/ssa-signature.ts'
import { transportCertificate } from './validators/transport-certificate.ts'
import { softwareStatus } from './validators/software-status.ts'
import { requestSignature } from './validators/request-signature.ts'
import { metadataTypes } from './validators/metadata-types.ts'
import { audience } from './validators/audience.ts'
import { requestIssuer } from './validators/request-issuer.ts'
import { freshness } from './validators/freshness.ts'
import { jtiReplay } from './validators/jti-replay.ts'
import { requiredAttributes } from './validators/required-attributes.ts'
import { redirectUriFormat } from './validators/redirect-uri-format.ts'
import { redirectUriSubset } from './validators/redirect-uri-subset.ts'
import { hostnameConsistency } from './validators/hostname-consistency.ts'
import { tokenEndpointAuth } from './validators/token-endpoint-auth.ts'
import { algorithms } from './validators/algorithms.ts'
import { grantAndResponseTypes } from './validators/grant-and-response-types.ts'
import { rolesAndScopes } from './validators/roles-and-scopes.ts'
import { applicationType } from './validators/application-type.ts'

/** Every built-in validator, in the order they run; custom validators (validation/custom/) run after them. */
export const builtInValidators: readonly BuiltInValidator[] = [
  ssaIssuer,
  ssaSignature,
  transportCertificate,
  softwareStatus,
  requestSignature,
  // First after the signatures, so that every later check reads claims of the declared types.
  metadataTypes,
  audience,
  requestIssuer,
  freshness,
  jtiReplay,
  requiredAttributes,
  redirectUriFormat,
  redirectUriSubset,
  hostnameConsistency,
  tokenEndpointAuth,
  algorithms,
  grantAndResponseTypes,
  rolesAndScopes,
  applicationType,
]

const isBuiltIn = (validator: Validator): validator is BuiltInValidator => (builtInValidators as readonly Validator[]).includes(validator)

/** The context the next check sees: `established` in place, after checking that the validator declared each fact. */
function withEstablished(ctx: ValidationContext, validator: Validator, established: Established): ValidationContext {
  for (const fact of Object.keys(established) as EstablishedFact[]) {
    if (!(validator.establishes ?? []).includes(fact)) throw new TypeError(`validator ${validator.id} returned "${fact}", which it does not declare in establishes`)
  }
  return Object.freeze({ ...ctx, ...established })
}

/**
 * Runs the enabled validators that apply to the context's operation, each on the context the earlier ones
 * established; returns the final context (verified SSA and request, directory), or throws the first ValidationError.
 */
export async function runPipeline(ctx: ValidationContext, custom: readonly Validator[] = [], observe?: ValidatorObserver): Promise<ValidationContext> {
  let current = ctx
  for (const validator of [...builtInValidators, ...custom]) {
    if (!validator.operations.includes(current.operation)) continue
    if (isBuiltIn(validator) && !current.config.validators[validator.id].enabled) continue
    const started = observe === undefined ? 0 : performance.now()
    let established: Established | void
    try {
      established = await validator.check(current)
    } catch (error) {
      observe?.(validator.id, error instanceof ValidationError ? error.error : 'error', (performance.now() - started) / 1000)
      throw error
    }
    observe?.(validator.id, 'pass', (performance.now() - started) / 1000)
    if (established !== undefined) current = withEstablished(current, validator, established)
  }
  return current
}

/** Told of every check that ran: its id, `pass` or the RFC error it refused with (`error` for a fault), and its time in seconds. */
export type ValidatorObserver = (id: string, outcome: string, seconds: number) => void
