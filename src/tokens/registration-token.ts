/**
 * RFC 7592 registration access tokens (RFC7592-1/2/8/17, BR-DCR-26..28, SEC-32, SEC-34): 32 random bytes
 * from the CSPRNG, base64url, handed to the client once and stored only as their SHA-256 hash. A presented
 * token is found by the hash of what was presented, so no comparison ever runs over the secret itself.
 * Rotation (`management.rotation`): `on-use`, a new token in every GET and PUT answer, the only value config/load.ts
 * accepts with registration access tokens (RFC 7592 §3 REQUIRES one in every answer); `never` and `on-update`
 * remain for this policy function. After a rotation the earlier token still works for
 * `management.rotationGraceSeconds`, so a response lost on the way does not lock the client out.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Config } from '../config/schema.ts'
import type { RegistrationTokenRotation, Store } from '../store/store.ts'
import { InvalidTokenError } from './bearer-token-errors.ts'

/** Random bytes in a registration access token (SEC-34 asks for at least 16). */
export const REGISTRATION_TOKEN_BYTES = 32

/** 32 bytes in base64url without padding. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

export type RegistrationTokenOperation = 'create' | 'read' | 'update' | 'recovery'

/** A token to hand to the client, and the hash the store keeps. */
export type NewRegistrationToken = { token: string; hash: string }

/** base64url(SHA-256(token)): the only form of a registration access token that is stored. */
export const registrationTokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url')

export function newRegistrationToken(): NewRegistrationToken {
  const token = randomBytes(REGISTRATION_TOKEN_BYTES).toString('base64url')
  return { token, hash: registrationTokenHash(token) }
}

/**
 * Whether `operation` hands the client a new token under `rotation`. Registration always issues the first
 * token, and a signed recovery always issues one (the client has lost its token).
 */
export function issuesRegistrationToken(rotation: Config['management']['rotation'], operation: RegistrationTokenOperation): boolean {
  switch (operation) {
    case 'create':
    case 'recovery':
      return true
    case 'update':
      return rotation === 'on-update' || rotation === 'on-use'
    case 'read':
      return rotation === 'on-use'
  }
}

/**
 * A new token replacing the client's current one. After a normal rotation the earlier tokens work for
 * `graceSeconds`; after a signed recovery they end at once, as the lost token may be in other hands.
 */
export function rotateRegistrationToken(now: number, graceSeconds: number, operation: RegistrationTokenOperation): NewRegistrationToken & { rotation: RegistrationTokenRotation } {
  const next = newRegistrationToken()
  const previousValidUntil = operation === 'recovery' ? now : now + graceSeconds
  return { ...next, rotation: { hash: next.hash, previousValidUntil } }
}

/**
 * The client id a presented registration access token is valid for at `now` (epoch seconds), or
 * InvalidTokenError('unknown') for an ill-formed, unknown, expired or replaced token (RFC7592-4).
 */
export async function clientOfRegistrationToken(store: Pick<Store, 'findRegistrationToken'>, token: string, now: number): Promise<{ clientId: string; hash: string }> {
  const refused = new InvalidTokenError('unknown', 'the registration access token is not valid (unknown, replaced or of a deleted client): use the latest registration_access_token this server returned (every GET and PUT answer carries a new one)')
  if (!TOKEN_SHAPE.test(token)) throw refused
  const hash = registrationTokenHash(token)
  const clientId = await store.findRegistrationToken(hash, now)
  if (clientId === undefined) throw refused
  return { clientId, hash }
}
