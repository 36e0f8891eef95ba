/**
 * The base of every error the server answers on purpose: it names its entry of the error table
 * (lib/error-table.ts), from which http/errors.ts takes the status, the RFC error and the challenge. The
 * message is the `error_description`: it names what is wrong and how to fix it, never a secret (SEC-35).
 */
import { errorEntry, type ErrorCode, type RfcError } from './error-table.ts'

export type AnsweredErrorOptions = {
  cause?: unknown
  /** Headers of the answer besides no-store and the challenge (e.g. `Allow` of a 405). */
  headers?: Readonly<Record<string, string>>
  /** Values of the challenge: `scope` (bearer-scope), `authScheme` (client-authentication, the scheme the client used). */
  challenge?: Readonly<{ scope?: string | undefined; authScheme?: string | undefined }>
}

export class AnsweredError extends Error {
  readonly code: ErrorCode
  /** The HTTP status of the answer, from the table. */
  readonly status: number
  /** The RFC error code of the body, from the table. */
  readonly error: RfcError
  readonly headers: Readonly<Record<string, string>>
  readonly challengeValues: Readonly<{ scope?: string | undefined; authScheme?: string | undefined }>

  constructor(code: ErrorCode, description: string, options: AnsweredErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AnsweredError'
    this.code = code
    this.status = errorEntry(code).status
    this.error = errorEntry(code).error
    this.headers = options.headers ?? {}
    this.challengeValues = options.challenge ?? {}
  }
}
