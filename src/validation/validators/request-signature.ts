/**
 * request-signature: the registration request is a JWS signed with an accepted algorithm by a key of the
 * TPP's JWKS, located by the verified SSA (`software_jwks_endpoint` in the UK, `jwks_uri` in the CDR)
 * (UK-DCR-14, CDR-DCR-12, CDR-DCR-9, SEC-1..10). The key set is never taken from the request or an
 * unverified SSA (SEC-10): the SSA must have been verified first, unless the operator switched ssa-signature
 * off, an explicit choice that start-up logs as a warning; the outbound fetch limits still apply then.
 */
import { JwksUrlError } from '../../trust/remote-key-sets.ts'
import { JwsVerificationError, verifyCompactJws } from '../../trust/verify-jws.ts'
import type { Validator } from '../context.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../quoted.ts'

const ID = 'request-signature'
const SSA: ClaimSource = { validator: ID, error: 'invalid_software_statement', where: 'software statement' }

/** The description of a refused request signature: what is wrong and what to do. */
function describe(error: JwsVerificationError, url: string, allowed: readonly string[]): string {
  switch (error.reason) {
    case 'unknown-kid':
      return error.kid === undefined
        ? `the request has no kid and no single key of the TPP JWKS at ${url} fits its alg: set kid to a key of that JWKS`
        : `the request kid ${quoted(error.kid)} is not in the TPP JWKS at ${url}`
    case 'algorithm':
      return `the request alg ${quoted(error.alg)} is not allowed; sign with one of ${allowed.join(', ')}`
    case 'signature':
      return `the request signature does not verify with the key ${quoted(error.kid)} of the TPP JWKS at ${url}`
    case 'keys-unavailable':
      return `the TPP JWKS at ${url} is unreachable, so the request signature cannot be verified; try again later`
    case 'malformed':
      return `the registration request is not an acceptable compact JWS: ${error.message}`
    case 'payload':
      return `the registration request payload is not acceptable: ${error.message}`
  }
}

export const requestSignature: Validator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-14', 'CDR-DCR-9', 'CDR-DCR-12', 'SEC-1', 'SEC-2', 'SEC-3', 'SEC-4', 'SEC-5', 'SEC-6', 'SEC-7', 'SEC-9', 'SEC-10'],
  summary: "The request JWT is signed with an accepted algorithm by a key of the TPP JWKS named in the verified software statement.",
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  async check(ctx) {
    const compact = ctx.request.compact
    if (compact === undefined) throw new ValidationError('invalid_client_metadata', ID, 'the registration request must be a JWT signed by the software, not a plain JSON object')

    const claim = ctx.config.ssa.jwksUriClaim
    const ssa = ctx.ssa
    if (ssa === undefined) throw new ValidationError('invalid_software_statement', ID, `software_statement is required: its ${claim} locates the keys that verify the request`, { claim: 'software_statement' })
    if (!ssa.verified && ctx.config.validators['ssa-signature'].enabled) {
      throw new ValidationError('invalid_software_statement', ID, `the software statement must be verified before its ${claim} is used to verify the request (enable ssa-signature)`, { claim })
    }
    const url = readString(ssa.claims, claim, SSA)
    if (url === undefined || url === '') throw new ValidationError('invalid_software_statement', ID, `${claim} is required in the software statement: it locates the keys that verify the request`, { claim })

    let keySet
    try {
      keySet = ctx.remoteKeySets.forUrl(url)
    } catch (cause) {
      // A JwksUrlError explains which fetch rule the URL breaks (scheme, host allowlist); other errors stay private.
      const why = cause instanceof JwksUrlError ? `: ${cause.message}` : ''
      throw new ValidationError('invalid_software_statement', ID, `${claim} ${JSON.stringify(url.slice(0, 256))} may not be fetched${why}`, { claim, cause })
    }

    const allowed = ctx.config.validators['request-signature'].algorithms
    try {
      const { claims } = await verifyCompactJws(compact, keySet, allowed)
      ctx.request.claims = claims
      ctx.request.verified = true
    } catch (error) {
      if (!(error instanceof JwsVerificationError)) throw error
      throw new ValidationError('invalid_client_metadata', ID, describe(error, url.slice(0, 256), allowed), { cause: error })
    }
  },
}
