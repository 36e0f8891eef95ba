/**
 * Refusals of the token endpoint, as RFC 6749 §5.2 defines them: a closed set of `error` codes, each with
 * its HTTP status (`invalid_client` 401, the others 400), declared as `token.<error>` in the error table
 * (lib/error-table.ts). http/errors.ts turns an OAuthError into the answer; descriptions name the parameter or
 * claim to fix and never echo an assertion (SEC-35).
 */
import { AnsweredError } from '../lib/answered-error.ts'

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
