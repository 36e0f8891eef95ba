/** What the registration verbs (register.ts, read.ts, update.ts, delete.ts) are given, and what a call brings. */
import type { Profiles } from '../config/directory-profiles.ts'
import type { AuditWriter } from '../audit/audit-writer.ts'
import type { Store } from '../store/store.ts'
import type { RegisterStatusReader } from '../trust/register-status.ts'
import type { ClientCertificate, Directories, RemoteKeySets } from '../trust/types.ts'
import type { Validator } from '../validation/context.ts'
import type { ValidatorObserver } from '../validation/pipeline.ts'

export type RegistrationDependencies = {
  /** The profiles in use; a request runs under the profile of its SSA's directory. */
  profiles: Profiles
  store: Store
  audit: AuditWriter
  directories: Directories
  remoteKeySets: RemoteKeySets
  /** Epoch milliseconds; tests freeze it. */
  clock: () => number
  /** CDR Register statuses for software-status; absent where no Register is configured. */
  registerStatus?: RegisterStatusReader | undefined
  /** Custom validators (module and HTTP extension), run after the built-in ones. */
  customValidators?: readonly Validator[]
  /** Told of every check's outcome and duration (the metrics). */
  observeValidator?: ValidatorObserver | undefined
}

export type RegistrationInput = {
  body: string
  /** Lower-case media type without parameters, already accepted by the HTTP layer. */
  mediaType: string
  certificate: ClientCertificate | undefined
  remoteAddress: string
}

/** The connection facts of a read or delete. */
export type ManagementInput = {
  certificate: ClientCertificate | undefined
  remoteAddress: string
}
