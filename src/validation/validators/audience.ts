/**
 * audience: the request JWT's `aud` (a string or an array) names this server, by its issuer or one of the
 * configured `audiences` such as the ASPSP organisation id (UK-DCR-21, CDR request table `aud`, SEC-8: a
 * JWT meant for another recipient is not accepted here).
 */
import type { BuiltInValidator } from '../context.ts'
import { readStringOrArray, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'

const ID = 'audience'
const REQUEST: ClaimSource = { validator: ID, error: 'invalid_client_metadata', where: 'request' }

export const audience: BuiltInValidator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-21', 'CDR-DCR-13', 'SEC-8'],
  summary: "The request aud contains this server's issuer or one of the configured audiences.",
  errors: ['invalid_client_metadata'],
  check(ctx) {
    const accepted = [ctx.config.issuer, ...ctx.config.audiences].filter((value) => value !== '')
    const acceptedText = accepted.map((value) => JSON.stringify(value)).join(' or ')
    const aud = readStringOrArray(ctx.request.claims, 'aud', REQUEST)
    if (aud === undefined || aud.length === 0) throw new ValidationError('invalid_client_metadata', ID, `aud is required in the request: set it to ${acceptedText}`, { claim: 'aud' })
    if (!aud.some((value) => accepted.includes(value))) throw new ValidationError('invalid_client_metadata', ID, `aud does not name this server: it must contain ${acceptedText}`, { claim: 'aud' })
  },
}
