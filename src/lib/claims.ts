/**
 * Decoded JSON from a client becomes a null-prototype object, and keys that could pollute prototypes are
 * refused outright (SEC-21): nothing a client sends can reach Object.prototype or our configuration.
 * The one list of such keys, and the one null-prototype deep copy, live here.
 */

/** Decoded JSON claims; parsed into null-prototype objects (SEC-21). */
export type Claims = Readonly<Record<string, unknown>>

/** Member names that would reach an object's prototype if the value were ever merged or assigned (SEC-21). */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

export const isPrototypeKey = (name: string): boolean => PROTOTYPE_KEYS.has(name)

/** Deepest accepted JSON nesting of a decoded value (SEC-19). */
export const MAX_JSON_DEPTH = 20

/** Thrown when a decoded value is not a JSON object, nests too deep, or carries a prototype key. */
export class UnsafeJsonError extends Error {
  override name = 'UnsafeJsonError'
  /** The prototype key that was found, when that is the reason. */
  readonly member: string | undefined
  constructor(message: string, member?: string) {
    super(message)
    this.member = member
  }
}

/** A null-prototype deep copy of decoded JSON; throws UnsafeJsonError on a prototype key or nesting deeper than MAX_JSON_DEPTH. */
export function nullPrototypeCopy(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth > MAX_JSON_DEPTH) throw new UnsafeJsonError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`)
  if (Array.isArray(value)) return value.map((item) => nullPrototypeCopy(item, depth + 1))
  const out: Record<string, unknown> = Object.create(null)
  for (const [key, item] of Object.entries(value)) {
    if (PROTOTYPE_KEYS.has(key)) throw new UnsafeJsonError(`member name "${key}" is not allowed`, key)
    out[key] = nullPrototypeCopy(item, depth + 1)
  }
  return out
}

/** A JSON object as Claims: null-prototype all the way down, at most MAX_JSON_DEPTH levels deep. */
export function toClaims(value: unknown): Claims {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UnsafeJsonError('not a JSON object')
  return nullPrototypeCopy(value) as Claims
}
