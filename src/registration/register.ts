/**
 * POST /register (RFC 7591 §3), as its steps: decode the body under the profile of its SSA's directory, run
 * that profile's checks, build what the bank registers, then write client, JTIs, first registration access
 * token and audit event in one transaction. A refused request writes only its audit event (DESIGN.md, Data).
 */
import { successEvent, type AuditFacts } from '../audit/audit-writer.ts'
import type { Config } from '../config/schema.ts'
import type { ClientRecord } from '../store/store.ts'
import { newRegistrationToken } from '../tokens/registration-token.ts'
import type { ValidationContext } from '../validation/context.ts'
import { jtisToRecord } from '../validation/validators/jti-replay.ts'
import { answerOf, usesRegistrationTokens } from './client-answer.ts'
import { checkRequest, decodeUnderProfile, type ChosenProfile } from './checked-request.ts'
import { newClientId } from './client-id.ts'
import type { RegistrationDependencies, RegistrationInput } from './dependencies.ts'
import { registeredMetadata } from './metadata.ts'
import { conflictAsRefusal, refusalHook } from './refusals.ts'
import { steps } from './step-list.ts'
import { softwareIdOf } from './update-request.ts'

const stringOr = (value: unknown, fallback: string | undefined): string | undefined => (typeof value === 'string' && value !== '' ? value : fallback)

type Start = { input: RegistrationInput; nowMs: number }

const factsOf = ({ input, nowMs }: Start, clientId?: string): AuditFacts => ({
  at: nowMs,
  operation: 'create',
  certificateThumbprint: input.certificate?.thumbprint,
  remoteAddress: input.remoteAddress,
  clientId,
})

/** The registration a checked request asks for. */
function newClient({ profile }: ChosenProfile, checked: ValidationContext, input: RegistrationInput, nowMs: number): ClientRecord {
  const ssaClaims = checked.ssa?.claims
  return {
    clientId: newClientId(profile.registration.clientIdBytes, nowMs),
    softwareId: softwareIdOf(checked, profile) ?? '',
    orgId: stringOr(ssaClaims?.[profile.ssa.orgIdClaim], undefined),
    directoryIssuer: checked.directory?.issuer,
    metadata: registeredMetadata(profile, checked.request.claims, ssaClaims, checked.extensionMetadata ?? {}),
    softwareStatement: checked.ssa?.compact,
    certificateThumbprint: input.certificate?.thumbprint,
    status: 'active',
    createdAt: checked.now,
    updatedAt: checked.now,
  }
}

/** Client, JTIs, first registration access token and success event in one transaction; a raced duplicate is refused as the validators would. */
async function stored(deps: RegistrationDependencies, profile: Config, state: Start & { checked: ValidationContext; client: ClientRecord; firstToken: { hash: string } | undefined }): Promise<true> {
  const { client, checked } = state
  const jtis = profile.validators['jti-replay'].enabled ? jtisToRecord(checked) : []
  const options = {
    exclusiveSoftwareId: !profile.registration.allowMultiplePerSoftwareId,
    registrationTokenHash: state.firstToken?.hash,
    // Counted in the store's transaction, so concurrent registrations cannot pass a cap together.
    maxClientsPerSoftware: profile.registration.maxClientsPerSoftware,
    maxClientsPerOrganisation: profile.registration.maxClientsPerOrganisation,
  }
  try {
    await deps.store.createClient(client, jtis, successEvent({ ...factsOf(state, client.clientId), softwareId: client.softwareId }), options)
  } catch (error) {
    throw conflictAsRefusal(error, client.softwareId, checked.ssa?.claims.iss, profile)
  }
  return true
}

export function registerSteps(deps: RegistrationDependencies) {
  // Management (its tokens, its answers) follows the server's top-level profile, whatever the directory's.
  const management = deps.profiles.top
  return steps<Start>()
    .step('chosen', ({ input }) => decodeUnderProfile(input, deps))
    .step('checked', ({ chosen, input, nowMs }) => checkRequest(deps, { chosen, operation: 'create', certificate: input.certificate, nowMs }))
    .step('client', ({ chosen, checked, input, nowMs }) => newClient(chosen, checked, input, nowMs))
    .step('firstToken', () => (usesRegistrationTokens(management) ? newRegistrationToken() : undefined))
    .step('stored', (state) => stored(deps, state.chosen.profile, state))
    .step('answer', ({ client, firstToken }) => answerOf(management, client, firstToken?.token))
}

/** Registers the client a request asks for; throws the (audited) refusal of the first step that fails. */
export async function register(deps: RegistrationDependencies, verb: ReturnType<typeof registerSteps>, input: RegistrationInput) {
  const start: Start = { input, nowMs: deps.clock() }
  const done = await verb.run(
    start,
    refusalHook(deps, (state) => ({
      facts: factsOf(start),
      profile: state.chosen?.profile,
      // As decoded where the checks refused it: the audit trail records what the request claimed to be.
      softwareId: state.client?.softwareId ?? (state.chosen && (state.checked?.ssa ?? state.chosen.decoded.ssa)?.claims[state.chosen.profile.ssa.softwareIdClaim]),
    })),
  )
  return done.answer
}
