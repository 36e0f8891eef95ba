/**
 * Access tokens of the token endpoint: JWTs (RFC 9068 `at+jwt`) signed by the server's current key,
 * short-lived, naming the client, and bound to its certificate with `cnf.x5t#S256` (RFC8705-6, FAPI-3).
 */
import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import type { ServerKeys } from './server-keys.ts'

export type AccessTokenClaims = {
  iss: string
  aud: string
  sub: string
  client_id: string
  scope: string
  iat: number
  exp: number
  jti: string
  cnf?: { 'x5t#S256': string }
}

export type IssueAccessToken = {
  issuer: string
  clientId: string
  scope: string
  /** `x5t#S256` of the client certificate to bind the token to; omit for an unbound token. */
  thumbprint?: string | undefined
  lifetimeSeconds: number
  /** Epoch seconds. */
  now: number
}

export const ACCESS_TOKEN_TYPE = 'at+jwt'

export async function issueAccessToken(keys: ServerKeys, input: IssueAccessToken): Promise<{ token: string; claims: AccessTokenClaims }> {
  const claims: AccessTokenClaims = {
    iss: input.issuer,
    aud: input.issuer,
    sub: input.clientId,
    client_id: input.clientId,
    scope: input.scope,
    iat: input.now,
    exp: input.now + input.lifetimeSeconds,
    jti: randomUUID(),
    ...(input.thumbprint ? { cnf: { 'x5t#S256': input.thumbprint } } : {}),
  }
  const token = await new SignJWT(claims).setProtectedHeader({ alg: keys.current.alg, kid: keys.current.kid, typ: ACCESS_TOKEN_TYPE }).sign(keys.current.privateKey)
  return { token, claims }
}
