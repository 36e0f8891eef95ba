/**
 * The error a registration check raises. `error` is the RFC 7591 §3.2.2 code (RFC7591-24); `validator` is
 * the stable id of the check that failed (docs/validation.md), `claim` the claim at fault if there is one.
 * The description names the claim and says what to fix; it never echoes secrets or whole tokens (SEC-35).
 * Its entry of the error table is `registration.<validator>.<error>` (docs/errors.md); a check the table does
 * not name (a custom validator) answers as `registration.custom.<error>`.
 */
import { AnsweredError } from '../lib/answered-error.ts'
import { isErrorCode, type ErrorCode } from '../lib/error-table.ts'

export type RegistrationErrorCode =
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'

/** The table entry of a refusal by check `validator` with RFC 7591 `error`. */
export function registrationErrorCode(validator: string, error: RegistrationErrorCode): ErrorCode {
  const own = `registration.${validator}.${error}`
  return isErrorCode(own) ? own : `registration.custom.${error}`
}

export class ValidationError extends AnsweredError {
  declare readonly error: RegistrationErrorCode
  readonly validator: string
  readonly claim: string | undefined

  constructor(error: RegistrationErrorCode, validator: string, description: string, options: { claim?: string; cause?: unknown } = {}) {
    super(registrationErrorCode(validator, error), description, options.cause === undefined ? {} : { cause: options.cause })
    this.name = 'ValidationError'
    this.validator = validator
    this.claim = options.claim
  }
}
