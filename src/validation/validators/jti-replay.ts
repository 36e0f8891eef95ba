/**
 * jti-replay: the request JWT and the software statement each carry a `jti` never accepted before from
 * the same issuer (SEC-11, UK-DCR-22, UK-DCR-36, CDR-DCR-10). This check reads the store; the rows that
 * make the JTIs used (`jtisToRecord`) are written in the registration's own transaction under a unique
 * key, so two concurrent requests with one JTI cannot both succeed.
 *
 * A plain JSON request (no JWS, as in Brazil and plain RFC 7591) has no jti to protect: only its software
 * statement is checked. Where the profile's statements carry no jti (`requireSsaJti` off: Brazil), a
 * statement without one passes and one with a jti is still checked.
 *
 * An update that presents the very software statement the client was registered with is not a replay of
 * it (the statement is already recorded for this client), so its jti is neither checked nor recorded again.
 */
import type { UsedJti } from '../../store/store.ts'
import type { ValidationContext, BuiltInValidator } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'

const ID = 'jti-replay'
const REQUEST: ClaimSource = { validator: ID, error: 'invalid_client_metadata', where: 'request' }
const SSA: ClaimSource = { validator: ID, error: 'invalid_software_statement', where: 'software statement' }

/** The SSA of an update is the one already registered for this client. */
const isRegisteredSsa = (ctx: ValidationContext): boolean =>
  ctx.operation === 'update' && ctx.ssa?.compact !== undefined && ctx.client?.softwareStatement === ctx.ssa.compact

async function checkUnused(ctx: ValidationContext, claims: Claims, source: ClaimSource, renew: string, required = true): Promise<void> {
  const jti = readString(claims, 'jti', source)
  if ((jti === undefined || jti === '') && !required) return
  if (jti === undefined || jti === '') throw new ValidationError(source.error, ID, `jti is required in the ${source.where}: a unique id that is never reused`, { claim: 'jti' })
  const issuer = readString(claims, 'iss', source)
  if (issuer === undefined || issuer === '') throw new ValidationError(source.error, ID, `iss is required in the ${source.where}: jti is unique per issuer`, { claim: 'iss' })
  if (await ctx.isJtiUsed(issuer, jti)) throw new ValidationError(source.error, ID, `jti of the ${source.where} has already been used; ${renew}`, { claim: 'jti' })
}

export const jtiReplay: BuiltInValidator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['SEC-11', 'UK-DCR-22', 'UK-DCR-36', 'CDR-DCR-10'],
  summary: 'The jti of the request and of the software statement have not been used before by the same issuer.',
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  async check(ctx) {
    if (ctx.request.compact !== undefined) await checkUnused(ctx, ctx.request.claims, REQUEST, 'sign a new request with a fresh jti')
    const requireSsaJti = ctx.config.validators[ID].requireSsaJti
    if (ctx.ssa !== undefined && !isRegisteredSsa(ctx)) await checkUnused(ctx, ctx.ssa.claims, SSA, 'obtain a new software statement from the directory', requireSsaJti)
  },
}

const numberClaim = (claims: Claims, name: string): number | undefined => {
  const value = claims[name]
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined
}

/** Until when a JWT could still be accepted: its exp (plus skew), else iat plus the maximum age (plus skew), else the retention period. */
function expiresAt(claims: Claims, maxAge: number, ctx: ValidationContext): number {
  const skew = ctx.config.validators.freshness.clockSkewSeconds
  const exp = numberClaim(claims, 'exp')
  if (exp !== undefined) return exp + skew
  const iat = numberClaim(claims, 'iat')
  if (iat !== undefined && maxAge > 0) return iat + maxAge + skew
  return ctx.now + ctx.config.validators['jti-replay'].retentionSeconds
}

/**
 * The JTI rows a successful registration stores in its transaction (issuer = the JWT's `iss`), each kept
 * as long as its JWT could still be accepted. A JWT without a string `iss` and `jti` yields no row.
 */
export function jtisToRecord(ctx: ValidationContext): UsedJti[] {
  const freshness = ctx.config.validators.freshness
  const rows: UsedJti[] = []
  const add = (claims: Claims, maxAge: number): void => {
    const issuer = claims.iss
    const jti = claims.jti
    if (typeof issuer !== 'string' || issuer === '' || typeof jti !== 'string' || jti === '') return
    if (rows.some((row) => row.issuer === issuer && row.jti === jti)) return
    rows.push({ issuer, jti, expiresAt: expiresAt(claims, maxAge, ctx) })
  }
  if (ctx.request.compact !== undefined) add(ctx.request.claims, freshness.maxRequestAgeSeconds)
  if (ctx.ssa !== undefined && !isRegisteredSsa(ctx)) add(ctx.ssa.claims, freshness.maxSsaAgeSeconds)
  return rows
}
