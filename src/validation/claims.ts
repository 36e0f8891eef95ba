/**
 * Typed reads of decoded claims. A claim of the wrong type is the client's mistake, so it becomes a
 * ValidationError naming the claim (SEC-22), never a TypeError deep in a check.
 */
import type { Claims } from '../lib/claims.ts'
import { ValidationError, type RegistrationErrorCode } from './errors.ts'

/** Who is asking, so the error names the right check and RFC 7591 code. */
export type ClaimSource = { validator: string; error: RegistrationErrorCode; /** `request` or `software statement`, for messages. */ where: string }

/** How a decoded value's type is named in a description: `an array`, `null`, `an object`, `a string`... */
export const typeName = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`)

/** A string claim, or undefined when absent. */
export function readString(claims: Claims, name: string, source: ClaimSource): string | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new ValidationError(source.error, source.validator, `${name} in the ${source.where} must be a string, got ${typeName(value)}`, { claim: name })
  return value
}

/** An array of strings, or undefined when absent. */
export function readStringArray(claims: Claims, name: string, source: ClaimSource): string[] | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ValidationError(source.error, source.validator, `${name} in the ${source.where} must be an array of strings`, { claim: name })
  }
  return value as string[]
}

/** A string or an array of strings (e.g. `aud`, CDR `software_roles`), as an array; undefined when absent. */
export function readStringOrArray(claims: Claims, name: string, source: ClaimSource): string[] | undefined {
  const value = claims[name]
  return typeof value === 'string' ? [value] : readStringArray(claims, name, source)
}

/** An RFC 7519 NumericDate as whole seconds (open-dcr rejects fractions and out-of-range values, SEC-22). */
export function readNumericDate(claims: Claims, name: string, source: ClaimSource): number | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(source.error, source.validator, `${name} in the ${source.where} must be a whole number of seconds since 1970`, { claim: name })
  }
  return value
}

/** A space-separated scope string split into scopes; undefined when absent. */
export function readScope(claims: Claims, name: string, source: ClaimSource): string[] | undefined {
  const value = readString(claims, name, source)
  return value === undefined ? undefined : value.split(' ').filter((scope) => scope !== '')
}
