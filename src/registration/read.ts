/**
 * GET /register/{client_id} (RFC7592-7), as its steps, after the caller was authorised
 * (management-authorization.ts): the registration the authorizer read, a new registration access token where
 * rotation asks for one, recorded with the read's audit event, and the client information.
 */
import { successEvent, type AuditFacts } from '../audit/audit-writer.ts'
import type { ClientRecord } from '../store/store.ts'
import { answerOf, nextRegistrationToken } from './client-answer.ts'
import type { ManagementInput, RegistrationDependencies } from './dependencies.ts'
import type { ManagementAuthorization } from './management-authorization.ts'
import { clientGone, refusalHook } from './refusals.ts'
import { steps } from './step-list.ts'

export type ManagementStart = { clientId: string; auth: ManagementAuthorization; input: ManagementInput; nowMs: number }

export const managementFacts = (operation: 'read' | 'update' | 'delete', { clientId, input, nowMs }: ManagementStart): AuditFacts => ({
  at: nowMs,
  operation,
  clientId,
  certificateThumbprint: input.certificate?.thumbprint,
  remoteAddress: input.remoteAddress,
})

/** The active registration: the snapshot the authorizer read, or (signed recovery) read now. */
export async function activeClient(deps: Pick<RegistrationDependencies, 'store'>, clientId: string): Promise<ClientRecord | undefined> {
  const client = await deps.store.getClient(clientId)
  return client?.status === 'active' ? client : undefined
}

/** A write that failed because the client went away in between answers like an unknown client (SEC-33). */
export async function orGone<T>(deps: Pick<RegistrationDependencies, 'store'>, clientId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (await activeClient(deps, clientId)) throw error
    throw clientGone()
  }
}

export function readSteps(deps: RegistrationDependencies) {
  const config = deps.profiles.top
  return steps<ManagementStart>()
    .step('client', async ({ auth, clientId }) => (auth.kind === 'signed-recovery' ? await activeClient(deps, clientId) : auth.client) ?? Promise.reject(clientGone()))
    .step('nextToken', ({ auth, nowMs }) => (auth.kind === 'registration-access-token' ? nextRegistrationToken(config, 'read', nowMs) : undefined))
    .step('recorded', (state) => {
      const success = successEvent({ ...managementFacts('read', state), softwareId: state.client.softwareId })
      const next = state.nextToken
      return orGone(deps, state.clientId, () => (next === undefined ? deps.store.recordAudit(success) : deps.store.rotateRegistrationToken(state.clientId, next.rotation, Math.floor(state.nowMs / 1000), success)))
    })
    .step('answer', ({ client, nextToken }) => answerOf(config, client, nextToken?.token))
}

export async function read(deps: RegistrationDependencies, verb: ReturnType<typeof readSteps>, start: ManagementStart) {
  const done = await verb.run(start, refusalHook(deps, (state) => ({ facts: managementFacts('read', start), profile: undefined, softwareId: state.client?.softwareId })))
  return done.answer
}
