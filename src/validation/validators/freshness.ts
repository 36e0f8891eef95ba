/**
 * freshness: issuance and expiry times of the request JWT and of the software statement, against the
 * frozen request time with a configured clock skew (SEC-12, SEC-13, UK-DCR-20, UK-DCR-36, CDR-DCR-10,
 * BR-DCR-6). Request: `iat` required, not in the future, not older than the maximum age; `exp` required
 * (by default), not passed, and no further than the maximum lifetime after `iat`; `nbf` reached. SSA:
 * `iat` not in the future and, when a maximum age is set, not older; `exp` (required for the CDR) not
 * passed; `nbf` reached. A plain JSON request (no JWS: Brazil, plain RFC 7591) carries no times, so only
 * its software statement is checked. The skew is tolerance in both directions, so it is also added to the ages.
 */
import type { ValidationContext, BuiltInValidator } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { readNumericDate, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'

const ID = 'freshness'
const REQUEST: ClaimSource = { validator: ID, error: 'invalid_client_metadata', where: 'request' }
const SSA: ClaimSource = { validator: ID, error: 'invalid_software_statement', where: 'software statement' }

type TimeRules = { requireIat: boolean; maxAge: number; requireExp: boolean; maxLifetime: number | undefined; renew: string }

/** Checks iat, exp and nbf of one JWT; `maxAge` 0 means no age limit. */
function checkTimes(claims: Claims, source: ClaimSource, rules: TimeRules, now: number, skew: number): void {
  const fail = (claim: string, what: string): never => {
    throw new ValidationError(source.error, ID, `${claim} ${what} in the ${source.where}; ${rules.renew}`, { claim })
  }
  const iat = readNumericDate(claims, 'iat', source)
  const exp = readNumericDate(claims, 'exp', source)
  const nbf = readNumericDate(claims, 'nbf', source)

  if (iat === undefined) {
    if (rules.requireIat) fail('iat', 'is required')
  } else {
    if (iat > now + skew) fail('iat', `is more than ${skew} seconds in the future`)
    if (rules.maxAge > 0 && now - iat > rules.maxAge + skew) fail('iat', `is more than ${rules.maxAge} seconds old`)
  }
  if (exp === undefined) {
    if (rules.requireExp) fail('exp', 'is required')
  } else {
    if (exp <= now - skew) fail('exp', 'has passed')
    if (rules.maxLifetime !== undefined && iat !== undefined && exp - iat > rules.maxLifetime) fail('exp', `is more than ${rules.maxLifetime} seconds after iat`)
  }
  if (nbf !== undefined && nbf > now + skew) fail('nbf', `is more than ${skew} seconds in the future`)
}

function check(ctx: ValidationContext): void {
  const options = ctx.config.validators.freshness
  const skew = options.clockSkewSeconds
  if (ctx.request.compact !== undefined) checkTimes(
    ctx.request.claims,
    REQUEST,
    {
      requireIat: true,
      maxAge: options.maxRequestAgeSeconds,
      requireExp: options.requireRequestExp,
      maxLifetime: options.maxRequestLifetimeSeconds,
      renew: 'sign a new request with current iat and exp',
    },
    ctx.now,
    skew,
  )
  if (ctx.ssa === undefined) return
  checkTimes(
    ctx.ssa.claims,
    SSA,
    {
      // Without iat an SSA's age cannot be bounded, so iat is required whenever a maximum age is set.
      requireIat: options.maxSsaAgeSeconds > 0,
      maxAge: options.maxSsaAgeSeconds,
      requireExp: options.requireSsaExp,
      maxLifetime: undefined,
      renew: 'obtain a new software statement from the directory',
    },
    ctx.now,
    skew,
  )
}

export const freshness: BuiltInValidator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['SEC-12', 'SEC-13', 'UK-DCR-20', 'UK-DCR-36', 'CDR-DCR-10', 'BR-DCR-6'],
  summary: 'Request and software statement iat, exp and nbf are within the configured skew, maximum age and maximum lifetime.',
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  check,
}
