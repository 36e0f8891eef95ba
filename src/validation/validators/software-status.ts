/**
 * software-status: the data recipient and the software product of the software statement are ACTIVE at
 * the CDR Register (CDR-DCR-25..28), as its status endpoints say through the cached status client
 * (trust/register-status.ts, `ctx.registerStatus`). The data recipient is looked up by the SSA's legal entity
 * id (`legalEntityIdClaim`), the product by its software id. A status the Register never gave fails: the
 * software cannot be confirmed active. When the Register cannot be reached and the cached statuses are older
 * than allowed, registration fails closed with a description that says so. Runs on create and update.
 */
import { RegisterUnavailableError } from '../../trust/register-status.ts'
import type { BuiltInValidator } from '../context.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

const id = 'software-status'
const SSA: ClaimSource = { validator: id, error: 'invalid_software_statement', where: 'software statement' }

function refuse(description: string, claim: string): never {
  throw new ValidationError('unapproved_software_statement', id, description, { claim })
}

export const softwareStatus: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['CDR-DCR-25', 'CDR-DCR-26', 'CDR-DCR-27', 'CDR-DCR-28', 'CDR-DCR-29'],
  summary: 'The data recipient and the software product of the software statement are ACTIVE at the CDR Register (cached status endpoints; fails closed when the Register is unreachable and the cache is stale).',
  errors: ['invalid_client_metadata', 'unapproved_software_statement', 'invalid_software_statement'],
  async check(ctx) {
    const reader = ctx.registerStatus
    // A server fault, not the client's: a 500 without details, and the start-up wiring is what to fix.
    if (reader === undefined) throw new Error('software-status is on but no CDR Register status client is wired into the validation context')
    const softwareIdClaim = ctx.config.ssa.softwareIdClaim
    const legalEntityClaim = ctx.config.validators[id].legalEntityIdClaim
    const claims = ctx.ssa?.claims
    if (claims === undefined) throw new ValidationError('invalid_client_metadata', id, `software_statement is required: its ${softwareIdClaim} and ${legalEntityClaim} are checked at the CDR Register`, { claim: 'software_statement' })
    const softwareId = readString(claims, softwareIdClaim, SSA)
    if (softwareId === undefined || softwareId === '') throw new ValidationError('invalid_software_statement', id, `${softwareIdClaim} is required in the software statement: the software product's status is checked at the CDR Register`, { claim: softwareIdClaim })
    const legalEntityId = readString(claims, legalEntityClaim, SSA)
    if (legalEntityId === undefined || legalEntityId === '') throw new ValidationError('invalid_software_statement', id, `${legalEntityClaim} is required in the software statement: the data recipient's status is checked at the CDR Register`, { claim: legalEntityClaim })

    let statuses
    try {
      statuses = await reader.statuses()
    } catch (error) {
      if (!(error instanceof RegisterUnavailableError)) throw error
      const since = error.lastFetchedAt === undefined ? 'no status was ever received' : `the last statuses are from ${new Date(error.lastFetchedAt).toISOString()}`
      refuse(`the status of ${softwareIdClaim} ${quoted(softwareId)} at the CDR Register cannot be confirmed: the Register cannot be reached and ${since}; try again later`, softwareIdClaim)
    }

    const recipient = statuses.dataRecipients.get(legalEntityId)
    if (recipient === undefined) refuse(`the data recipient ${legalEntityClaim} ${quoted(legalEntityId)} is not known to the CDR Register; only active accredited data recipients can register`, legalEntityClaim)
    if (recipient !== 'ACTIVE') refuse(`the data recipient ${legalEntityClaim} ${quoted(legalEntityId)} is ${recipient} at the CDR Register; only ACTIVE data recipients can register`, legalEntityClaim)
    const product = statuses.softwareProducts.get(softwareId)
    if (product === undefined) refuse(`the software product ${softwareIdClaim} ${quoted(softwareId)} is not known to the CDR Register; only active software products can register`, softwareIdClaim)
    if (product !== 'ACTIVE') refuse(`the software product ${softwareIdClaim} ${quoted(softwareId)} is ${product} at the CDR Register; only ACTIVE software products can register`, softwareIdClaim)
  },
}
