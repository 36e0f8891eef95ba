/**
 * required-attributes: the claims the profile makes mandatory are present and carry a value, in the request
 * (`validators.required-attributes.request`, UK-DCR-18, CDR-DCR-13) and in the software statement
 * (`.ssa`). Only presence is checked here; each claim's type and value is the business of the validator that
 * uses it. Every missing claim is named in one message, so the caller fixes them in one go.
 */
import type { BuiltInValidator } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { ValidationError } from '../errors.ts'

const id = 'required-attributes'

/** Absent, null, an empty string or an empty array: a value that says nothing. */
const isEmpty = (value: unknown): boolean => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)

const missingFrom = (claims: Claims, names: readonly string[]): string[] => names.filter((name) => isEmpty(claims[name]))

export const requiredAttributes: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-18', 'CDR-DCR-13'],
  summary: 'The claims the profile makes mandatory are present and not empty, in the request and in the software statement.',
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  check(ctx) {
    const options = ctx.config.validators[id]
    const missingInRequest = missingFrom(ctx.request.claims, options.request)
    if (missingInRequest.length > 0) {
      throw new ValidationError('invalid_client_metadata', id, `the request is missing required claims (absent or empty): ${missingInRequest.join(', ')}; add them to the registration request`, { claim: missingInRequest[0]! })
    }
    if (options.ssa.length === 0) return
    // RFC7591-14: where the statement is optional, its claims are required only when one is sent.
    if (ctx.ssa === undefined && !ctx.config.registration.requireSoftwareStatement) return
    if (ctx.ssa === undefined) {
      throw new ValidationError('invalid_client_metadata', id, `the request carries no software statement; send a software_statement with the claims ${options.ssa.join(', ')}`, { claim: 'software_statement' })
    }
    const missingInSsa = missingFrom(ctx.ssa.claims, options.ssa)
    if (missingInSsa.length > 0) {
      throw new ValidationError('invalid_software_statement', id, `the software statement is missing required claims (absent or empty): ${missingInSsa.join(', ')}; use a software statement that carries them`, { claim: missingInSsa[0]! })
    }
  },
}
