/**
 * A bounded memory of access tokens whose signature and claims this server instance has already verified
 * (tokens/verify.ts), so that repeated management calls with the same token skip the signature check.
 * Keyed by the SHA-256 of the compact token: the token itself is never kept, and a token differing in any
 * byte (a tampered signature) has another key and is verified afresh. An entry lives until its token
 * expires (beyond the clock skew) or until it is the oldest of a full cache. Nothing that can change is
 * remembered as checked: expiry and revocation (SEC-12, UK-DCR-6) are the verifier's job on every call.
 */
import { createHash } from 'node:crypto'
import type { AccessTokenClaims } from './issue.ts'

/** What verification established about a token, frozen so that no caller can alter what later calls see. */
export type VerifiedToken = {
  readonly claims: Readonly<AccessTokenClaims>
  /** The `nbf` claim (epoch seconds), which AccessTokenClaims does not carry, for the time checks of a cache hit. */
  readonly notBefore: number | undefined
}

export type VerifiedTokenCache = {
  /** The entry of `token`, if it was remembered and has not been dropped. */
  get(token: string): VerifiedToken | undefined
  /**
   * Remembers a fully verified token; drops expired entries at the oldest end and, when full, the oldest.
   * `now` and `skewSeconds` decide which entries have expired. Returns the entry as kept (frozen).
   */
  remember(token: string, verified: VerifiedToken, now: number, skewSeconds: number): VerifiedToken
  forget(token: string): void
  readonly size: number
}

/** Default bound on remembered tokens: a few MiB at most. */
export const DEFAULT_VERIFIED_TOKEN_CACHE_ENTRIES = 10_000

const keyOf = (token: string): string => createHash('sha256').update(token).digest('base64url')

/** A cache of at most `maxEntries` verified tokens (default 10,000); 0 remembers nothing. */
export function createVerifiedTokenCache(maxEntries: number = DEFAULT_VERIFIED_TOKEN_CACHE_ENTRIES): VerifiedTokenCache {
  if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new TypeError('maxEntries must be a non-negative integer')
  // A Map iterates in insertion order: its first entry is the oldest.
  const entries = new Map<string, VerifiedToken>()

  function dropOldest(now: number, skewSeconds: number): void {
    for (const [key, entry] of entries) {
      const expired = entry.claims.exp <= now - skewSeconds
      if (!expired && entries.size < maxEntries) return
      entries.delete(key)
    }
  }

  return {
    get: (token) => entries.get(keyOf(token)),
    remember(token, verified, now, skewSeconds) {
      const { claims } = verified
      const frozen = Object.freeze({ ...claims, ...(claims.cnf ? { cnf: Object.freeze({ ...claims.cnf }) } : {}) })
      const entry: VerifiedToken = Object.freeze({ claims: frozen, notBefore: verified.notBefore })
      if (maxEntries === 0) return entry
      dropOldest(now, skewSeconds)
      entries.set(keyOf(token), entry)
      return entry
    },
    forget(token) {
      entries.delete(keyOf(token))
    },
    get size() {
      return entries.size
    },
  }
}
