/**
 * The steps every registration body goes through, in register and update alike: decode it, choose the
 * profile of its SSA's directory (which must accept the body as sent), then run that profile's validation
 * pipeline. What comes out is the checked request: the verified request and SSA, the directory, the facts an
 * extension service added (validation/context.ts, Established).
 */
import type { Config } from '../config/schema.ts'
import type { ClientRecord } from '../store/store.ts'
import type { ClientCertificate } from '../trust/types.ts'
import type { Operation, ValidationContext } from '../validation/context.ts'
import { runPipeline } from '../validation/pipeline.ts'
import type { RegistrationDependencies, RegistrationInput } from './dependencies.ts'
import { assertProfileAccepts, decodeRegistration, type DecodedRegistration } from './request.ts'

/** A decoded body and the profile it runs under. */
export type ChosenProfile = { decoded: DecodedRegistration; profile: Config }

/** Decodes the body and picks the configuration of the SSA's directory (its profile), which must accept the body. */
export function decodeUnderProfile(input: RegistrationInput, deps: Pick<RegistrationDependencies, 'profiles'>): ChosenProfile {
  const allowUnsignedJson = deps.profiles.all.some((profile) => profile.registration.allowUnsignedJson)
  const decoded = decodeRegistration(input.body, input.mediaType, { allowUnsignedJson })
  const profile = deps.profiles.forIssuer(decoded.ssa?.claims.iss)
  assertProfileAccepts(profile, decoded, input.mediaType)
  return { decoded, profile }
}

export type CheckCall = {
  chosen: ChosenProfile
  operation: Operation
  certificate: ClientCertificate | undefined
  /** Epoch milliseconds. */
  nowMs: number
  /** The client being updated. */
  client?: ClientRecord | undefined
}

/** Runs the profile's validators on the decoded body; returns the context they established, or throws the first refusal. */
export function checkRequest(deps: RegistrationDependencies, call: CheckCall): Promise<ValidationContext> {
  const now = Math.floor(call.nowMs / 1000)
  return runPipeline(
    {
      operation: call.operation,
      config: call.chosen.profile,
      registerStatus: deps.registerStatus,
      now,
      request: call.chosen.decoded.request,
      ssa: call.chosen.decoded.ssa,
      directory: undefined,
      certificate: call.certificate,
      directories: deps.directories,
      remoteKeySets: deps.remoteKeySets,
      isJtiUsed: (issuer, jti) => deps.store.isJtiUsed(issuer, jti, now),
      client: call.client,
    },
    deps.customValidators,
    deps.observeValidator,
  )
}
