/**
 * redirect-uri-format: every redirect URI of the request (`redirect_uris`) and of the software statement
 * (the profile's redirect URI claim) is an absolute https URL on a public host, with no fragment, user
 * information or wildcard, within the configured length and count (UK-DCR-23, SEC-23..26, OIDCR-2, SEC-19).
 * A host name must be fully qualified, without a trailing dot, with well-formed labels that do not mix
 * scripts, on a port other than 0, in every profile (redirect-uri.ts, host-name.ts; issue 13 item 8).
 * The SSA's list is checked when there is an SSA: whether one is required is required-attributes' rule, and
 * whether the request's URIs are in it is redirect-uri-subset's.
 */
import type { ValidationContext, BuiltInValidator } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { readStringArray, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { redirectUriProblem } from '../redirect-uri.ts'
import { quoted } from '../../lib/quoted.ts'

const id = 'redirect-uri-format'

/** Checks one list; `source` says where it is and which code a list of the wrong type gets. */
function checkList(claims: Claims, claim: string, source: ClaimSource, ctx: ValidationContext): void {
  const options = ctx.config.validators[id]
  const where = source.where
  const uris = readStringArray(claims, claim, source)
  if (uris === undefined) return
  if (uris.length > options.maxCount) {
    throw new ValidationError('invalid_redirect_uri', id, `${claim} in the ${where} lists ${uris.length} redirect URIs, at most ${options.maxCount} are accepted; register fewer`, { claim })
  }
  for (const uri of uris) {
    const problem = redirectUriProblem(uri, { maxLength: options.maxLength })
    if (problem !== undefined) {
      throw new ValidationError('invalid_redirect_uri', id, `redirect URI ${quoted(uri)} in ${claim} of the ${where} is refused: ${problem}`, { claim })
    }
  }
}

export const redirectUriFormat: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-23', 'SEC-23', 'SEC-24', 'SEC-25', 'SEC-26', 'OIDCR-2', 'FAPI-4', 'SEC-19'],
  summary: 'Every redirect URI of the request and the software statement is an absolute https URL on a public host, without fragment, user information or wildcard, within the length and count limits; a host name is fully qualified, has no trailing dot and well-formed DNS labels that do not mix scripts (UTS #39 highly restrictive), and the port is not 0.',
  errors: ['invalid_redirect_uri', 'invalid_software_statement'],
  check(ctx) {
    const requested = ctx.request.claims['redirect_uris']
    if (Array.isArray(requested) && requested.length === 0) {
      throw new ValidationError('invalid_redirect_uri', id, 'redirect_uris in the request is empty; list at least one redirect URI, or omit redirect_uris to register those of the software statement', { claim: 'redirect_uris' })
    }
    checkList(ctx.request.claims, 'redirect_uris', { validator: id, error: 'invalid_redirect_uri', where: 'request' }, ctx)
    if (ctx.ssa !== undefined) {
      // A list of the wrong type is a malformed statement; a bad URI in it is still an invalid redirect URI.
      checkList(ctx.ssa.claims, ctx.config.ssa.redirectUrisClaim, { validator: id, error: 'invalid_software_statement', where: 'software statement' }, ctx)
    }
  },
}
