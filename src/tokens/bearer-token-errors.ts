/**
 * Refusals of a bearer token at the client configuration endpoint, as RFC 6750 §3.1 names them:
 * `invalid_token` (401; RFC7592-4/5, RFC8705-7, UK-DCR-6, SEC-33) and `insufficient_scope` (403;
 * RFC7592-6, CDR-DCR-2, BR-DCR-29). `reason` is a stable code from a closed list so that callers, audit
 * events and tests can tell the cases apart (after jose's `ERR_*` codes); the description says what to
 * fix and never echoes the token (SEC-35).
 */

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
] as const
export type InvalidTokenReason = (typeof INVALID_TOKEN_REASONS)[number]

export class InvalidTokenError extends Error {
  readonly reason: InvalidTokenReason
  /** The RFC 6750 error code: `invalid_token`, or `invalid_request` where a profile answers so (`management.unknownClientError`, CDR). */
  readonly error: 'invalid_token' | 'invalid_request'

  constructor(reason: InvalidTokenReason, description: string, options: { cause?: unknown; error?: 'invalid_token' | 'invalid_request' } = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'InvalidTokenError'
    this.reason = reason
    this.error = options.error ?? 'invalid_token'
  }
}

/** A valid token of the right client that lacks the scope management requires (403). */
export class InsufficientScopeError extends Error {
  readonly error = 'insufficient_scope'
  /** The scope the token must carry, for the `WWW-Authenticate` `scope` attribute. */
  readonly scope: string

  constructor(scope: string, description: string) {
    super(description)
    this.name = 'InsufficientScopeError'
    this.scope = scope
  }
}
