/**
 * The compact JWS serialization (RFC 7515 §7.1) as this server accepts it: three base64url segments, no
 * padding, no whitespace, no JSON serialization (SEC-7). The signature may be empty so that `alg: none` is
 * reported as an algorithm refusal rather than as a malformed token.
 */
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

export const isCompactJws = (value: unknown): value is string => typeof value === 'string' && COMPACT_JWS.test(value)
