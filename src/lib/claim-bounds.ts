/**
 * The length bounds of string claims, declared once (SEC-19, docs/security.md "Claim sizes"): every string of a
 * registration request, a software statement and a client assertion, at any depth, is at most
 * MAX_CLAIM_STRING_LENGTH characters, except the top-level claims of TOP_LEVEL_STRING_LIMITS. A `jti` is stored
 * (SEC-11), so it has its own, tighter bound. Client metadata has further, per-field bounds
 * (validation/metadata-schema.ts); these are the bounds of any claim, known or not.
 */
import type { Claims } from './claims.ts'

/** Longest accepted `jti` of a request, software statement or client assertion: it is stored (SEC-11). */
export const MAX_JTI_LENGTH = 256

/** Longest accepted software statement (SEC-19). */
export const MAX_SSA_LENGTH = 16384

/** Longest accepted string anywhere else in a claim set, nested strings included (an x5c certificate fits). */
export const MAX_CLAIM_STRING_LENGTH = 8192

/** Top-level claims whose strings have their own bound. */
export const TOP_LEVEL_STRING_LIMITS: Readonly<Record<string, number>> = { jti: MAX_JTI_LENGTH, software_statement: MAX_SSA_LENGTH }

/** A string that is too long: where it is (`jwks.keys[0].x5c[1]`), its length and the bound. */
export type OverlongString = { readonly path: string; readonly length: number; readonly limit: number }

function findIn(value: unknown, path: string, limit: number): OverlongString | undefined {
  if (typeof value === 'string') return value.length > limit ? { path, length: value.length, limit } : undefined
  if (typeof value !== 'object' || value === null) return undefined
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findIn(item, `${path}[${index}]`, limit)
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const [name, item] of Object.entries(value)) {
    const found = findIn(item, `${path}.${name}`, limit)
    if (found !== undefined) return found
  }
  return undefined
}

/** The first string of `claims` longer than its bound, or undefined. `claims` is decoded JSON (its depth is already bounded). */
export function findOverlongString(claims: Claims): OverlongString | undefined {
  for (const [name, value] of Object.entries(claims)) {
    const found = findIn(value, name, Object.hasOwn(TOP_LEVEL_STRING_LIMITS, name) ? TOP_LEVEL_STRING_LIMITS[name]! : MAX_CLAIM_STRING_LENGTH)
    if (found !== undefined) return found
  }
  return undefined
}

/** How an overlong string is named in an error description. */
export const describeOverlong = (found: OverlongString): string => `${found.path} is ${found.length} characters long; at most ${found.limit} are accepted`
