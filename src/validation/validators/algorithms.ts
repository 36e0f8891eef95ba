/**
 * algorithms: every signing-algorithm claim of the metadata that the request sets (`id_token_signed_response_alg`,
 * `request_object_signing_alg`, ...: the configured `claims`) names an algorithm of the profile's `allowed`
 * set (FAPI-1: PS256/ES256; UK-DCR-44 refuses the RS256 the UK swagger still lists). `none` and the HMAC
 * algorithms are refused whatever the configuration says (SEC-1, SEC-2). Absent claims are left to
 * required-attributes and the metadata policy.
 */
import type { BuiltInValidator } from '../context.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

const id = 'algorithms'
const source: ClaimSource = { validator: id, error: 'invalid_client_metadata', where: 'request' }

/** Never acceptable for a signature: unsigned, or keyed with a shared secret (SEC-1, SEC-2). */
const isNeverAllowed = (alg: string): boolean => alg.toLowerCase() === 'none' || /^HS\d+$/i.test(alg)

export const algorithms: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['FAPI-1', 'UK-DCR-44', 'SEC-1', 'SEC-2', 'SEC-3', 'OIDCR-3'],
  summary: 'Every signing algorithm named in the metadata is one the profile allows; none and HS* never are.',
  errors: ['invalid_client_metadata'],
  check(ctx) {
    const options = ctx.config.validators[id]
    const allowed = options.allowed.filter((alg) => !isNeverAllowed(alg))
    for (const claim of options.claims) {
      const alg = readString(ctx.request.claims, claim, source)
      if (alg === undefined || allowed.includes(alg)) continue
      const why = isNeverAllowed(alg) ? 'unsigned and shared-secret (HS*) algorithms are never accepted' : 'it is not an accepted algorithm'
      throw new ValidationError('invalid_client_metadata', id, `${claim} ${quoted(alg)} is refused: ${why}; use one of ${allowed.join(', ')}`, { claim })
    }
  },
}
