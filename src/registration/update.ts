/**
 * PUT /register/{client_id} (RFC7592-9..13), as its steps, after the caller was authorised: decode the body
 * under its directory's profile, find the registration it replaces (for a signed recovery, one whose software
 * the decoded statement names), run the whole pipeline for operation `update`, check what an update may not
 * change (update-request.ts), for a recovery the certificate, then replace the metadata in full (RFC7592-9,
 * UK-DCR-7) with its JTIs, a new registration access token where one is due, and the audit event.
 */
import { successEvent } from '../audit/audit-writer.ts'
import type { ClientRecord } from '../store/store.ts'
import { StoreConflictError } from '../store/store.ts'
import type { ValidationContext } from '../validation/context.ts'
import { jtisToRecord } from '../validation/validators/jti-replay.ts'
import { answerOf, nextRegistrationToken } from './client-answer.ts'
import { checkRequest, decodeUnderProfile, type ChosenProfile } from './checked-request.ts'
import type { RegistrationDependencies, RegistrationInput } from './dependencies.ts'
import type { ManagementAuthorization } from './management-authorization.ts'
import { registeredMetadata } from './metadata.ts'
import { activeClient, managementFacts } from './read.ts'
import { clientGone, conflictAsRefusal, refusalHook } from './refusals.ts'
import { assertRecoveryCertificate, assertRecoveryTarget } from './signed-recovery.ts'
import { steps } from './step-list.ts'
import { assertUpdateRequest } from './update-request.ts'

const stringOr = (value: unknown, fallback: string | undefined): string | undefined => (typeof value === 'string' && value !== '' ? value : fallback)

type Start = { clientId: string; auth: ManagementAuthorization; input: RegistrationInput; nowMs: number }

/** The registration to replace; a signed recovery first proves, on the decoded statement, that it names its software. */
async function clientToReplace(deps: RegistrationDependencies, { clientId, auth }: Start, chosen: ChosenProfile): Promise<ClientRecord> {
  const client = await activeClient(deps, clientId)
  if (auth.kind === 'signed-recovery') assertRecoveryTarget(client, chosen.decoded, chosen.profile)
  if (client === undefined) throw clientGone()
  return client
}

/** The registration as the checked request replaces it. */
function replacement(client: ClientRecord, { profile }: ChosenProfile, checked: ValidationContext, input: RegistrationInput): ClientRecord {
  const ssaClaims = checked.ssa?.claims
  return {
    ...client,
    orgId: stringOr(ssaClaims?.[profile.ssa.orgIdClaim], client.orgId),
    directoryIssuer: checked.directory?.issuer ?? client.directoryIssuer,
    metadata: registeredMetadata(profile, checked.request.claims, ssaClaims, checked.extensionMetadata ?? {}),
    // A profile where the statement is optional keeps the registered one when an update sends none.
    softwareStatement: checked.ssa?.compact ?? client.softwareStatement,
    // The registration follows the certificate of the latest proven update (e.g. after a certificate renewal).
    certificateThumbprint: input.certificate?.thumbprint ?? client.certificateThumbprint,
    updatedAt: checked.now,
  }
}

export function updateSteps(deps: RegistrationDependencies) {
  const config = deps.profiles.top
  return steps<Start>()
    .step('chosen', ({ input }) => decodeUnderProfile(input, deps))
    .step('client', (state) => clientToReplace(deps, state, state.chosen))
    .step('checked', ({ chosen, client, input, nowMs }) => checkRequest(deps, { chosen, operation: 'update', certificate: input.certificate, nowMs, client }))
    .step('permitted', ({ checked, client }) => assertUpdateRequest(checked, client))
    .step('recoveryCertificate', ({ auth, client, input, checked, chosen }) => auth.kind === 'signed-recovery' && assertRecoveryCertificate(client, input.certificate, checked.ssa?.claims, chosen.profile))
    .step('replaced', ({ client, chosen, checked, input }) => replacement(client, chosen, checked, input))
    .step('nextToken', ({ auth, nowMs }) => (auth.kind === 'access-token' ? undefined : nextRegistrationToken(config, auth.kind === 'signed-recovery' ? 'recovery' : 'update', nowMs)))
    .step('stored', async (state) => {
      const { replaced, chosen, checked, nextToken } = state
      const jtis = chosen.profile.validators['jti-replay'].enabled ? jtisToRecord(checked) : []
      const success = successEvent({ ...managementFacts('update', state), softwareId: replaced.softwareId }, state.auth.kind === 'signed-recovery' ? 'signed recovery' : undefined)
      try {
        await deps.store.updateClient(replaced, jtis, success, { registrationToken: nextToken?.rotation })
      } catch (error) {
        if (!(error instanceof StoreConflictError) && !(await activeClient(deps, state.clientId))) throw clientGone()
        throw conflictAsRefusal(error, replaced.softwareId, checked.ssa?.claims.iss, chosen.profile)
      }
      return true
    })
    .step('answer', ({ replaced, nextToken }) => answerOf(config, replaced, nextToken?.token))
}

export async function update(deps: RegistrationDependencies, verb: ReturnType<typeof updateSteps>, start: Start) {
  const done = await verb.run(start, refusalHook(deps, (state) => ({ facts: managementFacts('update', start), profile: state.chosen?.profile, softwareId: state.client?.softwareId })))
  return done.answer
}
