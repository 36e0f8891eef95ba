/**
 * Decoded JSON from a client becomes a null-prototype object, and keys that could pollute prototypes are
 * refused outright (SEC-21): nothing a client sends can reach Object.prototype or our configuration.
 */
import type { Claims } from '../validation/context.ts'

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

/** Thrown when a decoded value is not a JSON object or carries a forbidden key. */
export class UnsafeJsonError extends Error {
  override name = 'UnsafeJsonError'
}

function copy(value: unknown, depth: number): unknown {
  if (depth > 20) throw new UnsafeJsonError('JSON nested deeper than 20 levels')
  if (Array.isArray(value)) return value.map((item) => copy(item, depth + 1))
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = Object.create(null)
  for (const [key, item] of Object.entries(value)) {
    if (FORBIDDEN.has(key)) throw new UnsafeJsonError(`member name "${key}" is not allowed`)
    out[key] = copy(item, depth + 1)
  }
  return out
}

/** A JSON object as Claims: null-prototype all the way down, at most 20 levels deep. */
export function toClaims(value: unknown): Claims {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UnsafeJsonError('not a JSON object')
  return copy(value, 0) as Claims
}
