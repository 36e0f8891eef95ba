/**
 * The optional initial access token of RFC 7591 (RFC7591-3): when `registration.initialAccessTokenHashes`
 * is not empty, POST /register must carry `Authorization: Bearer <token>` whose SHA-256 (base64url) is one
 * of them. Only hashes are configured, so the configuration file holds no usable secret; the comparison is
 * constant-time over every configured hash (SEC-34). Open-banking profiles leave the list empty.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Config } from '../config/schema.ts'
import { bearerCredentialsOf } from '../lib/bearer-credentials.ts'

export type InitialAccessTokenCheck = { ok: true } | { ok: false; reason: 'missing' | 'invalid' }

/** The value to put in `registration.initialAccessTokenHashes` for `token`. */
export const hashInitialAccessToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url')

/** Checks the Authorization header of a registration request; `ok` when no initial access token is configured. */
export function checkInitialAccessToken(authorization: string | undefined, config: Config): InitialAccessTokenCheck {
  const hashes = config.registration.initialAccessTokenHashes
  if (hashes.length === 0) return { ok: true }
  const credentials = bearerCredentialsOf(authorization)
  if (credentials.kind !== 'token') return { ok: false, reason: 'missing' }
  const presented = createHash('sha256').update(credentials.token, 'utf8').digest()
  let found = false
  for (const hash of hashes) {
    const expected = Buffer.from(hash, 'base64url')
    // Every hash is compared, so timing does not tell which (or whether any) matched.
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) found = true
  }
  return found ? { ok: true } : { ok: false, reason: 'invalid' }
}
