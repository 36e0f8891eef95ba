/**
 * Refusals of the token endpoint, as RFC 6749 §5.2 defines them: a closed set of `error` codes, each with
 * its HTTP status (`invalid_client` 401, the others 400), declared as `token.<error>` in the error table
 * (lib/error-table.ts). http/errors.ts turns an OAuthError into the answer; descriptions name the parameter or
 * claim to fix and never echo an assertion (SEC-35). A failed client authentication is answered with one fixed
 * description whatever its reason (`clientAuthenticationFailed`); its reason goes to the audit trail and log.
 */
import { AnsweredError } from '../lib/answered-error.ts'
import { describeError } from '../lib/error-table.ts'

/** RFC 6749 §5.2 error codes the token endpoint answers with. */
export const TOKEN_ERROR_CODES = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'] as const
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number]

/** RFC 6749 §5.2: client authentication failures are 401, every other token error 400. */
export const tokenErrorStatus = (error: TokenErrorCode): 401 | 400 => (error === 'invalid_client' ? 401 : 400)

export type OAuthErrorOptions = {
  /**
   * The scheme of the Authorization header the client authenticated with (e.g. `Basic`); an
   * `invalid_client` answer then carries `WWW-Authenticate` with that scheme (RFC 6749 §5.2).
   */
  authScheme?: string | undefined
  cause?: unknown
}

export class OAuthError extends AnsweredError {
  declare readonly error: TokenErrorCode
  declare readonly status: 401 | 400
  readonly authScheme: string | undefined

  constructor(error: TokenErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(`token.${error}`, description, { ...(options.cause === undefined ? {} : { cause: options.cause }), challenge: { authScheme: options.authScheme } })
    this.name = 'OAuthError'
    this.authScheme = options.authScheme
  }
}

/** A failed client authentication (RFC 6749 §5.2 `invalid_client`). */
export const invalidClient = (description: string, options: OAuthErrorOptions = {}): OAuthError => new OAuthError('invalid_client', description, options)

/**
 * The one answer of every failed client authentication (SEC-33): an unknown or deleted client, a wrong key, a
 * wrong certificate, an expired or replayed assertion all get the same status, body and challenge, so the
 * answer never confirms that a client_id exists nor quotes where its keys are. Only the scheme of the request's
 * own Authorization header is echoed (RFC 6749 §5.2 MUST), which depends on the request, not on the client.
 * The reason stays in `cause`: the audit event records it, the token route logs it.
 */
export const clientAuthenticationFailed = (reason: OAuthError): OAuthError =>
  new OAuthError('invalid_client', describeError('token.invalid_client'), { cause: reason, authScheme: reason.authScheme })

/** Whether `error` is a failed client authentication, whose answer must be `clientAuthenticationFailed`. */
export const isClientAuthenticationFailure = (error: unknown): error is OAuthError => error instanceof OAuthError && error.error === 'invalid_client'
