/**
 * redirect-uri-subset: each redirect URI the request asks for is one of the software statement's, compared
 * as exact, case-sensitive strings (UK-DCR-24, CDR-DCR-14, BR-DCR-20, SEC-23, SEC-28). A request without
 * `redirect_uris` passes: the metadata policy then registers the statement's list (UK-DCR-24). Without a
 * statement, where the profile makes it optional (RFC7591-14), there is no list to be a subset of.
 */
import type { BuiltInValidator } from '../context.ts'
import { readStringArray } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

const id = 'redirect-uri-subset'

export const redirectUriSubset: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-24', 'CDR-DCR-14', 'BR-DCR-20', 'SEC-23', 'SEC-28'],
  summary: "Every requested redirect URI is, character for character, one of the software statement's redirect URIs.",
  errors: ['invalid_client_metadata', 'invalid_redirect_uri', 'invalid_software_statement'],
  check(ctx) {
    const requested = readStringArray(ctx.request.claims, 'redirect_uris', { validator: id, error: 'invalid_redirect_uri', where: 'request' })
    if (requested === undefined) return
    const claim = ctx.config.ssa.redirectUrisClaim
    if (ctx.ssa === undefined && !ctx.config.registration.requireSoftwareStatement) return
    if (ctx.ssa === undefined) {
      throw new ValidationError('invalid_client_metadata', id, `the request carries no software statement to check redirect_uris against; send a software_statement whose ${claim} lists them`, { claim: 'software_statement' })
    }
    const allowed = readStringArray(ctx.ssa.claims, claim, { validator: id, error: 'invalid_software_statement', where: 'software statement' })
    if (allowed === undefined) {
      throw new ValidationError('invalid_software_statement', id, `the software statement has no ${claim}, so the requested redirect_uris cannot be checked; use a software statement that lists its redirect URIs`, { claim })
    }
    const allowedSet = new Set(allowed)
    const outside = requested.find((uri) => !allowedSet.has(uri))
    if (outside !== undefined) {
      throw new ValidationError('invalid_redirect_uri', id, `redirect_uri ${quoted(outside)} is not in the software statement's ${claim}; request only URIs listed there, exactly as written`, { claim: 'redirect_uris' })
    }
  },
}
