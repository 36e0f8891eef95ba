/**
 * request-signature: the registration request is a JWS signed with an accepted algorithm by a key of the
 * TPP's JWKS, located by the verified SSA (`software_jwks_endpoint` in the UK, `jwks_uri` in the CDR)
 * (UK-DCR-14, CDR-DCR-12, CDR-DCR-9, SEC-1..10). The key set is never taken from the request or an
 * unverified SSA (SEC-10): the SSA must have been verified first. Start-up refuses ssa-signature off
 * (config/unverified-trust.ts) except under the test-only `unsafe.allowUnverifiedTrust`, where the
 * unverified SSA's URL is used, within the outbound fetch limits.
 * The request `typ` must be absent or `JWT` (SEC-8). When the SSA carries the revoked-keys claim
 * (`ssa.revokedJwksUriClaim`: UK `software_jwks_revoked_endpoint`, Brazil `software_jwks_inactive_uri`), a
 * request signed by a key listed there (same `kid` or JWK thumbprint) is refused (UK-DCR-37, SEC-9); while
 * that JWKS cannot be fetched the request is refused with "try again later" (fail closed: an outage must
 * not let a revoked key through).
 */
import { JwksUrlError } from '../../trust/remote-key-sets.ts'
import { describeRevokedKey, findRevokedKey, RevokedKeysUnavailableError, type RevokedKeyMatch, type VerifyingKey } from '../../trust/revoked-keys.ts'
import { JwsVerificationError, verifyCompactJws } from '../../trust/verify-jws.ts'
import type { ValidationContext, BuiltInValidator } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

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

/** The SSA's URL claim `claim` as a fetchable key set; a URL the fetch rules refuse is the SSA's fault. */
function remoteKeySetOf(ctx: ValidationContext, claim: string, url: string) {
  try {
    return ctx.remoteKeySets.forUrl(url)
  } catch (cause) {
    // A JwksUrlError explains which fetch rule the URL breaks (scheme, host allowlist); other errors stay private.
    const why = cause instanceof JwksUrlError ? `: ${cause.message}` : ''
    throw new ValidationError('invalid_software_statement', ID, `${claim} ${JSON.stringify(url.slice(0, 256))} may not be fetched${why}`, { claim, cause })
  }
}

/** Refuses the request when its verifying key is listed at the SSA's revoked-keys URL (UK-DCR-37, SEC-9). */
async function refuseRevokedKey(ctx: ValidationContext, claims: Claims, verifying: VerifyingKey): Promise<void> {
  const claim = ctx.config.ssa.revokedJwksUriClaim
  if (claim === '') return
  const url = readString(claims, claim, SSA)
  if (url === undefined || url === '') return
  const revoked = remoteKeySetOf(ctx, claim, url)
  const shownUrl = url.slice(0, 256)
  let match: RevokedKeyMatch | undefined
  try {
    match = await findRevokedKey(revoked, verifying)
  } catch (error) {
    if (!(error instanceof RevokedKeysUnavailableError)) throw error
    throw new ValidationError('invalid_client_metadata', ID, `the revoked keys at ${shownUrl} (${claim}) are unreachable, so the request signing key cannot be checked against them; try again later`, { claim, cause: error })
  }
  if (match === undefined) return
  throw new ValidationError('invalid_client_metadata', ID, `the request is signed with the ${describeRevokedKey(match, verifying)}, which is revoked: it is listed at ${claim} ${shownUrl}; sign with a current key of the TPP JWKS`, { claim })
}

export const requestSignature: BuiltInValidator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-14', 'UK-DCR-37', 'CDR-DCR-9', 'CDR-DCR-12', 'SEC-1', 'SEC-2', 'SEC-3', 'SEC-4', 'SEC-5', 'SEC-6', 'SEC-7', 'SEC-8', 'SEC-9', 'SEC-10'],
  summary: "The request JWT (typ absent or JWT) is signed with an accepted algorithm by a key of the TPP JWKS named in the verified software statement, and that key is not listed in the SSA's revoked keys.",
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  establishes: ['request'],
  async check(ctx) {
    const compact = ctx.request.compact
    if (compact === undefined) throw new ValidationError('invalid_client_metadata', ID, 'the registration request must be a JWT signed by the software, not a plain JSON object')

    const claim = ctx.config.ssa.jwksUriClaim
    const ssa = ctx.ssa
    if (ssa === undefined) throw new ValidationError('invalid_client_metadata', ID, `software_statement is required: its ${claim} locates the keys that verify the request`, { claim: 'software_statement' })
    if (!ssa.verified && ctx.config.validators['ssa-signature'].enabled) {
      throw new ValidationError('invalid_software_statement', ID, `the software statement must be verified before its ${claim} is used to verify the request (enable ssa-signature)`, { claim })
    }
    const url = readString(ssa.claims, claim, SSA)
    if (url === undefined || url === '') throw new ValidationError('invalid_software_statement', ID, `${claim} is required in the software statement: it locates the keys that verify the request`, { claim })

    const keySet = remoteKeySetOf(ctx, claim, url)
    const allowed = ctx.config.validators['request-signature'].algorithms
    let verified
    try {
      verified = await verifyCompactJws(compact, keySet, allowed, { requireJwtType: true })
    } catch (error) {
      if (!(error instanceof JwsVerificationError)) throw error
      throw new ValidationError('invalid_client_metadata', ID, describe(error, url.slice(0, 256), allowed), { cause: error })
    }
    const kid = typeof verified.header.kid === 'string' ? verified.header.kid : undefined
    await refuseRevokedKey(ctx, ssa.claims, { kid, key: verified.key })
    return { request: { ...ctx.request, claims: verified.claims, verified: true } }
  },
}
