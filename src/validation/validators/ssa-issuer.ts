/**
 * ssa-issuer: the request carries a software statement, it decodes as a JWT, and its `iss` names one of
 * the configured directories, which becomes the directory whose keys and CAs are used for this request
 * (UK-DCR-34, RFC7591-16, CDR-DCR-8, BR-DCR-7). The `iss` is not trusted yet: ssa-signature verifies the
 * SSA with that directory's keys only, so a forged `iss` can only select a key set that will not verify it.
 * Where the profile makes the statement optional (`registration.requireSoftwareStatement` off, plain RFC 7591,
 * RFC7591-14) a request without one passes; one that is sent is checked all the same (RFC7591-17).
 */
import { decodeJwt } from 'jose'
import type { BuiltInValidator } from '../context.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'

const ID = 'ssa-issuer'
const SSA: ClaimSource = { validator: ID, error: 'invalid_software_statement', where: 'software statement' }

export const ssaIssuer: BuiltInValidator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-34', 'RFC7591-16', 'CDR-DCR-8', 'BR-DCR-7'],
  summary: 'A software statement is present and its iss names a configured directory, whose keys and CAs are then used.',
  errors: ['invalid_client_metadata', 'invalid_software_statement', 'unapproved_software_statement'],
  establishes: ['directory'],
  check(ctx) {
    const ssa = ctx.ssa
    if (ssa === undefined && !ctx.config.registration.requireSoftwareStatement) return
    if (ssa === undefined) throw new ValidationError('invalid_client_metadata', ID, 'software_statement is required', { claim: 'software_statement' })
    if (ssa.compact !== undefined) {
      try {
        decodeJwt(ssa.compact)
      } catch (cause) {
        throw new ValidationError('invalid_software_statement', ID, 'software_statement is not a decodable JWT (compact JWS with a JSON object payload)', { claim: 'software_statement', cause })
      }
    }
    const issuer = readString(ssa.claims, 'iss', SSA)
    if (issuer === undefined || issuer === '') throw new ValidationError('invalid_software_statement', ID, 'iss is required in the software statement: it names the directory that issued it', { claim: 'iss' })
    const directory = ctx.directories.byIssuer(issuer)
    if (directory === undefined) {
      throw new ValidationError('unapproved_software_statement', ID, `the software statement issuer (iss) ${JSON.stringify(issuer.slice(0, 200))} is not a directory this server trusts`, { claim: 'iss' })
    }
    return { directory }
  },
}
