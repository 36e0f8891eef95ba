/**
 * Revoked signing keys: whether the key that verified a registration request is listed in the TPP's
 * revoked JWKS (UK `software_jwks_revoked_endpoint`, Brazil `software_jwks_inactive_uri`), fetched through
 * the same bounded, cached remote key sets as every other JWKS (UK-DCR-37, SEC-9, SEC-14..17). A listed
 * key matches by the request `kid`, or by JWK thumbprint (RFC 7638), so a revoked key republished under a
 * new `kid` is still caught. A revoked JWKS that cannot be fetched is an error, never "nothing revoked":
 * the caller fails closed.
 */
import { calculateJwkThumbprint, exportJWK, type CryptoKey, type JSONWebKeySet, type JWK, type KeyObject, type RemoteJWKSet } from 'jose'
import { quoted } from '../lib/quoted.ts'

/** The revoked JWKS could not be fetched or is not a JWK Set. */
export class RevokedKeysUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the revoked JWKS could not be obtained', { cause })
    this.name = 'RevokedKeysUnavailableError'
  }
}

/** The key that verified a JWS: the header `kid` (if any) and the public key jose resolved. */
export type VerifyingKey = {
  readonly kid: string | undefined
  readonly key: CryptoKey | KeyObject | Uint8Array
}

/** How a verifying key was found in a revoked JWKS. */
export type RevokedKeyMatch = { readonly by: 'kid' | 'thumbprint'; readonly value: string }

/** The set's JWKS, fetched when the cached copy is missing or older than the cache max age. */
async function currentJwks(keySet: RemoteJWKSet): Promise<JSONWebKeySet> {
  try {
    if (!keySet.fresh || keySet.jwks() === undefined) await keySet.reload()
  } catch (cause) {
    throw new RevokedKeysUnavailableError(cause)
  }
  const jwks = keySet.jwks()
  if (jwks === undefined) throw new RevokedKeysUnavailableError(new Error('no JWKS after reload'))
  return jwks
}

/** The revoked key as an error description names it: by `kid`, or by thumbprint (with the JWS `kid`, if any). */
export function describeRevokedKey(match: RevokedKeyMatch, verifying: VerifyingKey): string {
  if (match.by === 'kid') return `kid ${quoted(match.value)}`
  return `key with JWK thumbprint ${quoted(match.value)}${verifying.kid === undefined ? '' : ` (kid ${quoted(verifying.kid)})`}`
}

/** RFC 7638 thumbprint of a JWK, or undefined for a member that is not a usable public key description. */
async function thumbprintOf(jwk: JWK): Promise<string | undefined> {
  try {
    return await calculateJwkThumbprint(jwk, 'sha256')
  } catch {
    return undefined
  }
}

/**
 * Where `verifying` appears in the revoked key set, or undefined if it does not. Throws a
 * RevokedKeysUnavailableError when the revoked JWKS cannot be obtained.
 */
export async function findRevokedKey(revoked: RemoteJWKSet, verifying: VerifyingKey): Promise<RevokedKeyMatch | undefined> {
  const { keys } = await currentJwks(revoked)
  // The usual case: nothing revoked, so no thumbprint of the verifying key needs computing.
  if (keys.length === 0) return undefined
  if (verifying.kid !== undefined && keys.some((jwk) => jwk.kid === verifying.kid)) return { by: 'kid', value: verifying.kid }
  // A symmetric key never verifies a registration request (SEC-2), so only public keys have a thumbprint to compare.
  if (verifying.key instanceof Uint8Array) return undefined
  const thumbprint = await thumbprintOf(await exportJWK(verifying.key))
  if (thumbprint === undefined) return undefined
  for (const jwk of keys) {
    if (jwk.kid === thumbprint || (await thumbprintOf(jwk)) === thumbprint) return { by: 'thumbprint', value: thumbprint }
  }
  return undefined
}
