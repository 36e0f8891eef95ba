/**
 * ssa-signature: the software statement is a JWS signed by its directory, verified with that directory's
 * configured keys and algorithms only (UK-DCR-15, CDR-DCR-8, CDR-DCR-9, BR-DCR-5, SEC-1..10). When
 * ssa-issuer is switched off, each configured directory is tried and the one whose key verifies becomes
 * the SSA's directory; no key outside configuration is ever used. On success the verified payload
 * replaces the decoded claims, so later checks read only signed values (SEC-10). The algorithms are those
 * the directory accepts that the profile also accepts (`validators.ssa-signature.algorithms`; CDR-DCR-8 and
 * BR-DCR-5 allow only PS256). A request without a statement passes only where the profile makes it optional
 * (`registration.requireSoftwareStatement` off, RFC7591-14). Its `typ` must be absent or `JWT` (SEC-8).
 */
import type { TrustedDirectory } from '../../trust/types.ts'
import { JwsVerificationError, verifyCompactJws } from '../../trust/verify-jws.ts'
import type { BuiltInValidator } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

const ID = 'ssa-signature'

/** The description of a refused SSA signature: what is wrong and what to do. */
function describe(error: JwsVerificationError, directory: TrustedDirectory, profileAlgorithms: readonly string[]): string {
  const name = quoted(directory.issuer)
  switch (error.reason) {
    case 'signature':
      return `software_statement signature does not verify with the keys of directory ${name}: obtain a new software statement from the directory`
    case 'algorithm':
      return `software_statement alg ${quoted(error.alg)} is not accepted from directory ${name} (accepted: ${acceptedAlgorithms(directory, profileAlgorithms).join(', ') || 'none: the directory and the profile share no algorithm'})`
    case 'unknown-kid':
      return error.kid === undefined
        ? `software_statement has no kid and no single key of directory ${name} fits its alg`
        : `software_statement kid ${quoted(error.kid)} is unknown to directory ${name}`
    case 'keys-unavailable':
      return `the signing keys of directory ${name} are unavailable, so software_statement cannot be verified; try again later`
    case 'malformed':
      return `software_statement is not an acceptable compact JWS: ${error.message}`
    case 'payload':
      return `software_statement payload is not acceptable: ${error.message}`
  }
}

/** The directory's algorithms that the profile also accepts. */
const acceptedAlgorithms = (directory: TrustedDirectory, profileAlgorithms: readonly string[]): string[] =>
  directory.config.algorithms.filter((alg) => profileAlgorithms.includes(alg))

async function verifyWith(directory: TrustedDirectory, compact: string, profileAlgorithms: readonly string[]): Promise<Claims> {
  const { claims } = await verifyCompactJws(compact, directory.keys, acceptedAlgorithms(directory, profileAlgorithms), { requireJwtType: true })
  return claims
}

export const ssaSignature: BuiltInValidator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-15', 'CDR-DCR-8', 'CDR-DCR-9', 'BR-DCR-5', 'SEC-1', 'SEC-2', 'SEC-3', 'SEC-4', 'SEC-5', 'SEC-6', 'SEC-7', 'SEC-8', 'SEC-9', 'SEC-10'],
  summary: 'The software statement is signed with an accepted algorithm by a key of its (configured) directory.',
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  establishes: ['ssa', 'directory'],
  async check(ctx) {
    const ssa = ctx.ssa
    if (ssa === undefined && !ctx.config.registration.requireSoftwareStatement) return
    if (ssa === undefined) throw new ValidationError('invalid_client_metadata', ID, 'software_statement is required', { claim: 'software_statement' })
    const compact = ssa.compact
    if (compact === undefined) throw new ValidationError('invalid_software_statement', ID, 'software_statement must be a JWS signed by its directory, not a plain JSON object', { claim: 'software_statement' })

    const profileAlgorithms = ctx.config.validators['ssa-signature'].algorithms
    const fail = (error: unknown, directory: TrustedDirectory): never => {
      if (!(error instanceof JwsVerificationError)) throw error
      throw new ValidationError('invalid_software_statement', ID, describe(error, directory, profileAlgorithms), { claim: 'software_statement', cause: error })
    }

    if (ctx.directory !== undefined) {
      const directory = ctx.directory
      const claims = await verifyWith(directory, compact, profileAlgorithms).catch((error: unknown) => fail(error, directory))
      return { ssa: { ...ssa, claims, verified: true } }
    }

    // ssa-issuer is off: the directory is the configured one whose key verifies the SSA. An SSA naming a
    // configured directory must still be signed by that one: its iss already chose the profile it runs under.
    const named = typeof ssa.claims.iss === 'string' ? ctx.directories.byIssuer(ssa.claims.iss) : undefined
    const failures: JwsVerificationError[] = []
    for (const directory of named ? [named] : ctx.directories.all()) {
      let claims
      try {
        claims = await verifyWith(directory, compact, profileAlgorithms)
      } catch (error) {
        if (!(error instanceof JwsVerificationError)) throw error
        // A broken token is broken for every directory: say so rather than "no directory signed it".
        if (error.reason === 'malformed' || error.reason === 'payload') fail(error, directory)
        failures.push(error)
        continue
      }
      return { ssa: { ...ssa, claims, verified: true }, directory }
    }
    const unavailable = failures.some((failure) => failure.reason === 'keys-unavailable')
    throw new ValidationError(
      'invalid_software_statement',
      ID,
      unavailable
        ? 'software_statement is not verified by any reachable trusted directory key, and some directory keys are unavailable; try again later'
        : 'software_statement is not signed by a key of any trusted directory',
      { claim: 'software_statement' },
    )
  },
}
