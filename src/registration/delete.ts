/**
 * DELETE /register/{client_id} (RFC7592-15, UK-DCR-9), as its steps, after the caller was authorised: the
 * active registration, then marked deleted with its registration access tokens removed and the audit event,
 * in one transaction (204).
 */
import { successEvent } from '../audit/audit-writer.ts'
import type { RegistrationDependencies } from './dependencies.ts'
import { activeClient, managementFacts, orGone, type ManagementStart } from './read.ts'
import { clientGone, refusalHook } from './refusals.ts'
import { steps } from './step-list.ts'

export function deleteSteps(deps: RegistrationDependencies) {
  return steps<ManagementStart>()
    .step('client', async ({ clientId }) => (await activeClient(deps, clientId)) ?? Promise.reject(clientGone()))
    .step('deleted', (state) =>
      orGone(deps, state.clientId, () => deps.store.deleteClient(state.clientId, Math.floor(state.nowMs / 1000), successEvent({ ...managementFacts('delete', state), softwareId: state.client.softwareId }))),
    )
}

export async function remove(deps: RegistrationDependencies, verb: ReturnType<typeof deleteSteps>, start: ManagementStart): Promise<void> {
  await verb.run(start, refusalHook(deps, (state) => ({ facts: managementFacts('delete', start), profile: undefined, softwareId: state.client?.softwareId })))
}
