/**
 * request-issuer: the request JWT's `iss` is the SSA's software id (UK-DCR-19), a request `software_id`
 * if present is that same id (UK-DCR-27), and an update keeps the software id the client was registered
 * with: a software statement of other software cannot take over a registration. A plain JSON request
 * (Brazil, RFC 7591) has no `iss` of its own: only `software_id` and the update rule are checked then; a
 * request without a statement passes where the profile makes the statement optional (RFC7591-14).
 */
import type { BuiltInValidator } from '../context.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

const ID = 'request-issuer'
const REQUEST: ClaimSource = { validator: ID, error: 'invalid_client_metadata', where: 'request' }
const SSA: ClaimSource = { validator: ID, error: 'invalid_software_statement', where: 'software statement' }

export const requestIssuer: BuiltInValidator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-19', 'UK-DCR-27'],
  summary: "The request iss, and software_id if present, equal the software statement's software id, which an update cannot change.",
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  check(ctx) {
    const claim = ctx.config.ssa.softwareIdClaim
    if (ctx.ssa === undefined && !ctx.config.registration.requireSoftwareStatement) return
    if (ctx.ssa === undefined) throw new ValidationError('invalid_client_metadata', ID, `software_statement is required: its ${claim} must equal the request iss`, { claim: 'software_statement' })
    const softwareId = readString(ctx.ssa.claims, claim, SSA)
    if (softwareId === undefined || softwareId === '') throw new ValidationError('invalid_software_statement', ID, `${claim} is required in the software statement`, { claim })

    // A plain JSON body (allowed by the profile) is no JWT and has no iss of its own.
    const isPlainJson = ctx.request.compact === undefined && ctx.config.registration.allowUnsignedJson
    if (!isPlainJson) {
      const iss = readString(ctx.request.claims, 'iss', REQUEST)
      if (iss === undefined) throw new ValidationError('invalid_client_metadata', ID, `iss is required in the request: set it to the software statement's ${claim} ${quoted(softwareId)}`, { claim: 'iss' })
      if (iss !== softwareId) throw new ValidationError('invalid_client_metadata', ID, `iss ${quoted(iss)} must equal the software statement's ${claim} ${quoted(softwareId)}`, { claim: 'iss' })
    }

    const requested = readString(ctx.request.claims, 'software_id', REQUEST)
    if (requested !== undefined && requested !== softwareId) {
      throw new ValidationError('invalid_client_metadata', ID, `software_id ${quoted(requested)} must equal the software statement's ${claim} ${quoted(softwareId)}`, { claim: 'software_id' })
    }

    if (ctx.operation === 'update' && ctx.client?.softwareId !== softwareId) {
      throw new ValidationError('invalid_client_metadata', ID, `software_id cannot change: this client is registered for software_id ${quoted(ctx.client?.softwareId)}, the software statement names ${quoted(softwareId)}`, { claim: 'software_id' })
    }
  },
}
