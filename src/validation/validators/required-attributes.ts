/**
 * required-attributes: the claims the profile makes mandatory are present and carry a value, in the request
 * (`validators.required-attributes.request`, UK-DCR-18, CDR-DCR-13) and in the software statement
 * (`.ssa`), and `redirect_uris` wherever a redirect-based grant is registered (RFC 7591 §2: only there; a
 * client_credentials-only client has none). Only presence is checked here; each claim's type and value is the business of the validator that
 * uses it. Every missing claim is named in one message, so the caller fixes them in one go.
 */
import type { BuiltInValidator, ValidationContext } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { ValidationError } from '../errors.ts'

const id = 'required-attributes'

/** Absent, null, an empty string or an empty array: a value that says nothing. */
const isEmpty = (value: unknown): boolean => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)

const missingFrom = (claims: Claims, names: readonly string[]): string[] => names.filter((name) => isEmpty(claims[name]))

/**
 * RFC 7591 §2 / RFC7591-8: redirect-based grants (authorization_code, implicit) need redirect URIs, from the
 * request or, where the profile registers them from it, the software statement; other grants need none.
 */
function checkRedirectUrisPresent(ctx: ValidationContext, grantTypes: readonly string[]): void {
  const redirectGrant = grantTypes.find((grant) => grant === 'authorization_code' || grant === 'implicit')
  if (redirectGrant === undefined) return
  const sent = ctx.request.claims['redirect_uris']
  if (Array.isArray(sent) && sent.length > 0) return
  const fromSsa = ctx.ssa?.claims[ctx.config.ssa.redirectUrisClaim]
  if (ctx.config.metadataPolicy.redirectUrisFromSsa && Array.isArray(fromSsa) && fromSsa.length > 0) return
  throw new ValidationError('invalid_redirect_uri', id, `grant ${redirectGrant} needs redirect_uris: list the client's https redirect URIs, or register only grants without redirects (e.g. client_credentials)`, { claim: 'redirect_uris' })
}

export const requiredAttributes: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-18', 'CDR-DCR-13', 'RFC7591-8'],
  summary: 'The claims the profile makes mandatory are present and not empty, in the request and in the software statement.',
  errors: ['invalid_client_metadata', 'invalid_redirect_uri', 'invalid_software_statement'],
  check(ctx) {
    const options = ctx.config.validators[id]
    const missingInRequest = missingFrom(ctx.request.claims, options.request)
    if (missingInRequest.length > 0) {
      throw new ValidationError('invalid_client_metadata', id, `the request is missing required claims (absent or empty): ${missingInRequest.join(', ')}; add them to the registration request`, { claim: missingInRequest[0]! })
    }
    const grants = ctx.request.claims['grant_types']
    checkRedirectUrisPresent(ctx, Array.isArray(grants) ? grants.filter((grant): grant is string => typeof grant === 'string') : ['authorization_code'])
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
