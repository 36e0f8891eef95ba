/**
 * Refusals of a bearer token at the client configuration endpoint, as RFC 6750 §3.1 names them:
 * `invalid_token` (401; RFC7592-4/5, RFC8705-7, UK-DCR-6, SEC-33) and `insufficient_scope` (403;
 * RFC7592-6, CDR-DCR-2, BR-DCR-29). `reason` is a stable code from a closed list so that callers, audit
 * events and tests can tell the cases apart (after jose's `ERR_*` codes); the description says what to
 * fix and never echoes the token (SEC-35). Each reason is the error table's `management.<reason>`
 * (lib/error-table.ts), whose challenge http/errors.ts writes.
 */
import { AnsweredError } from '../lib/answered-error.ts'

export const INVALID_TOKEN_REASONS = [
  /** No `Authorization: Bearer` token at all. */
  'missing',
  /** Not a compact JWS / not a registration access token, or claims of the wrong shape. */
  'malformed',
  /** Header `alg` not PS256/ES256 (e.g. `none`, HS256). */
  'algorithm',
  /** Not signed by a key of this server. */
  'signature',
  /** Header `typ` is not `at+jwt`. */
  'type',
  'issuer',
  'audience',
  'expired',
  /** `iat`/`nbf` in the future beyond the tolerated skew. */
  'not-yet-valid',
  /** Revoked before its expiry (UK-DCR-6, RFC7592-5). */
  'revoked',
  /** Certificate-bound token without its certificate, or an unbound token where binding is required (RFC8705-7, SEC-32). */
  'certificate-mismatch',
  /** Unknown, expired or replaced registration access token (RFC7592-4). */
  'unknown',
  /** The token belongs to another client, or the client does not exist or was deleted (RFC7592-5, UK-DCR-6, SEC-33). */
  'wrong-client',
  /** A PUT without a token whose signed request does not prove control of the registration. */
  'recovery',
  /** No client certificate, or an untrusted one: the management endpoint's tokens are certificate-bound (RFC 8705 §3). */
  'client-certificate',
] as const
export type InvalidTokenReason = (typeof INVALID_TOKEN_REASONS)[number]

export class InvalidTokenError extends AnsweredError {
  readonly reason: InvalidTokenReason
  /** The RFC 6750 error code: `invalid_token`, or `invalid_request` where a profile answers so (`management.unknownClientError`, CDR). */
  declare readonly error: 'invalid_token' | 'invalid_request'

  constructor(reason: InvalidTokenReason, description: string, options: { cause?: unknown; error?: 'invalid_token' | 'invalid_request' } = {}) {
    // The CDR's answer for another client's token or an unknown client has its own entry of the error table.
    super(options.error === 'invalid_request' ? 'management.unknown-client' : `management.${reason}`, description, options.cause === undefined ? {} : { cause: options.cause })
    this.name = 'InvalidTokenError'
    this.reason = reason
  }
}

/** A valid token of the right client that lacks the scope management requires (403). */
export class InsufficientScopeError extends AnsweredError {
  declare readonly error: 'insufficient_scope'
  /** The scope the token must carry, for the `WWW-Authenticate` `scope` attribute. */
  readonly scope: string

  constructor(scope: string, description: string) {
    super('management.insufficient_scope', description, { challenge: { scope } })
    this.name = 'InsufficientScopeError'
    this.scope = scope
  }
}
