/**
 * Registration and its management: each verb is a declared list of steps in its own file — register.ts
 * (RFC 7591), read.ts, update.ts and delete.ts (RFC 7592, after management-authorization.ts let the caller
 * through). This file assembles them once per server and is what the HTTP layer calls. A refused request
 * writes only its audit event (DESIGN.md, Data), through the one audit writer.
 */
import type { ManagementAuthorization } from './management-authorization.ts'
import type { ManagementInput, RegistrationDependencies, RegistrationInput } from './dependencies.ts'
import { deleteSteps, remove } from './delete.ts'
import { read, readSteps } from './read.ts'
import { register, registerSteps } from './register.ts'
import type { ClientInformation } from './response.ts'
import { update, updateSteps } from './update.ts'
import { worded } from './refusals.ts'
import { ValidationError } from '../validation/errors.ts'

export type { ManagementInput, RegistrationDependencies, RegistrationInput } from './dependencies.ts'

export type RegistrationService = {
  register(input: RegistrationInput): Promise<ClientInformation>
  /** RFC7592-7: the client information of an authorised caller (200), with a new registration access token where rotation asks for one. */
  read(clientId: string, auth: ManagementAuthorization, input: ManagementInput): Promise<ClientInformation>
  /** RFC7592-9..13: replaces the registration with a fresh, fully validated request (200). */
  update(clientId: string, input: RegistrationInput, auth: ManagementAuthorization): Promise<ClientInformation>
  /** RFC7592-15: deletes the registration (204). */
  remove(clientId: string, auth: ManagementAuthorization, input: ManagementInput): Promise<void>
  /** POST /register without an acceptable client certificate: refused and audited like any registration (UK-DCR-42: 201 or 400). */
  refuseWithoutCertificate(description: string, remoteAddress: string): Promise<never>
}

/** Id under which a registration without an acceptable client certificate is refused; not a switchable validator. */
export const CLIENT_CERTIFICATE = 'client-certificate'

export function createRegistrationService(deps: RegistrationDependencies): RegistrationService {
  const verbs = { register: registerSteps(deps), read: readSteps(deps), update: updateSteps(deps), delete: deleteSteps(deps) }
  return {
    register: (input) => register(deps, verbs.register, input),
    read: (clientId, auth, input) => read(deps, verbs.read, { clientId, auth, input, nowMs: deps.clock() }),
    update: (clientId, input, auth) => update(deps, verbs.update, { clientId, auth, input, nowMs: deps.clock() }),
    remove: (clientId, auth, input) => remove(deps, verbs.delete, { clientId, auth, input, nowMs: deps.clock() }),
    async refuseWithoutCertificate(description, remoteAddress) {
      // No software statement is involved yet: the connection itself is refused (RFC 7591 §3.2.2).
      const error = worded(new ValidationError('invalid_client_metadata', CLIENT_CERTIFICATE, description), deps.profiles.top)
      await deps.audit.refusedWithoutCredential(error, { at: deps.clock(), operation: 'create', remoteAddress })
      throw error
    },
  }
}
