/**
 * The error a registration check raises. `error` is the RFC 7591 §3.2.2 code (RFC7591-24); `validator` is
 * the stable id of the check that failed (docs/validation.md), `claim` the claim at fault if there is one.
 * The description names the claim and says what to fix; it never echoes secrets or whole tokens (SEC-35).
 */
export type RegistrationErrorCode =
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'

export class ValidationError extends Error {
  readonly error: RegistrationErrorCode
  readonly validator: string
  readonly claim: string | undefined

  constructor(error: RegistrationErrorCode, validator: string, description: string, options: { claim?: string; cause?: unknown } = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ValidationError'
    this.error = error
    this.validator = validator
    this.claim = options.claim
  }
}
