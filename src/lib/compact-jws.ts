/**
 * The compact JWS serialization (RFC 7515 §7.1) as this server accepts it: three base64url segments, no
 * padding, no whitespace, no JSON serialization (SEC-7). The signature may be empty so that `alg: none` is
 * reported as an algorithm refusal rather than as a malformed token.
 */
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

export const isCompactJws = (value: unknown): value is string => typeof value === 'string' && COMPACT_JWS.test(value)

/** The decoded UTF-8 text of segment `index` (0 the protected header, 1 the payload) of a compact JWS; throws a TypeError on invalid UTF-8. */
export function compactJwsSegmentText(compact: string, index: 0 | 1): string {
  const segment = compact.split('.')[index] ?? ''
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url'))
}
