/**
 * The one reading of an `Authorization: Bearer` header (RFC 6750 §2.1): the scheme case-insensitive, one or
 * more spaces, then a b64token (`token68`). Used for registration access tokens, access tokens at the
 * management endpoint, and initial access tokens (RFC7591-3).
 */

export type BearerCredentials = { kind: 'none' } | { kind: 'malformed' } | { kind: 'token'; token: string }

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i

export function bearerCredentialsOf(authorization: string | undefined): BearerCredentials {
  if (authorization === undefined || authorization.trim() === '') return { kind: 'none' }
  const match = BEARER.exec(authorization.trim())
  return match === null ? { kind: 'malformed' } : { kind: 'token', token: match[1]! }
}
