/**
 * Verifies an access token of this server's token endpoint before it authorises registration management
 * (UK-DCR-2, CDR-DCR-2, SEC-1..3): a JWT (RFC 9068 `typ: at+jwt`) signed PS256 or ES256 by one of the
 * server's own keys (never `none`, never HS*), issued by and for this server (`iss` = `aud` = the issuer),
 * unexpired within the configured clock skew (SEC-12), and not revoked (UK-DCR-6, RFC7592-5). The
 * certificate binding is checked separately (binding.ts, RFC8705-7).
 * createAccessTokenVerifier remembers, per server instance, the tokens whose signature it has verified
 * (verified-token-cache.ts), so that a repeated management call skips the signature check; expiry, `nbf`,
 * `iat` and revocation are still checked against `now` on every call.
 */
import { errors, jwtVerify, type JWTPayload } from 'jose'
import type { Config } from '../config/schema.ts'
import type { Store } from '../store/store.ts'
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims } from './issue.ts'
import { InvalidTokenError } from './bearer-token-errors.ts'
import type { ServerKeys } from './server-keys.ts'
import { createVerifiedTokenCache, type VerifiedToken } from './verified-token-cache.ts'

/** Algorithms the server signs its access tokens with (FAPI-1); anything else is refused before any key is tried. */
export const ACCESS_TOKEN_ALGORITHMS = ['PS256', 'ES256'] as const

export type VerifyAccessTokenOptions = {
  serverKeys: ServerKeys
  /** `issuer` and `validators.freshness.clockSkewSeconds` are used. */
  config: Config
  /** For the revocation check. */
  store: Pick<Store, 'isAccessTokenRevoked'>
  /** Epoch seconds. */
  now: number
}

const REQUIRED_CLAIMS = ['iss', 'aud', 'sub', 'client_id', 'iat', 'exp', 'jti']

const OBTAIN_NEW = 'obtain a new access token from the token endpoint'

const expired = (cause?: unknown) => new InvalidTokenError('expired', `the access token has expired: ${OBTAIN_NEW}`, { cause })

/** jose's failure as an InvalidTokenError whose description says what to fix. */
function asInvalidToken(error: unknown): InvalidTokenError {
  if (error instanceof errors.JWTExpired) return expired(error)
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError('algorithm', `the access token must be signed with ${ACCESS_TOKEN_ALGORITHMS.join(' or ')}: ${OBTAIN_NEW}`, { cause: error })
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new InvalidTokenError('signature', `the access token is not signed by a key of this server: ${OBTAIN_NEW}`, { cause: error })
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'typ':
        return new InvalidTokenError('type', `the access token header typ must be ${ACCESS_TOKEN_TYPE}: use an access token of this server's token endpoint`, { cause: error })
      case 'iss':
        return new InvalidTokenError('issuer', `the access token iss must be this server's issuer: ${OBTAIN_NEW}`, { cause: error })
      case 'aud':
        return new InvalidTokenError('audience', `the access token aud must be this server's issuer: ${OBTAIN_NEW}`, { cause: error })
      case 'nbf':
        return new InvalidTokenError('not-yet-valid', 'the access token nbf is in the future: check the clocks', { cause: error })
      default:
        return new InvalidTokenError('malformed', `the access token ${error.claim} claim is ${error.reason === 'missing' ? 'missing' : 'invalid'}: ${OBTAIN_NEW}`, { cause: error })
    }
  }
  return new InvalidTokenError('malformed', `the access token is not a signed JWT of this server: ${OBTAIN_NEW}`, { cause: error })
}

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== ''

/** The verified payload as AccessTokenClaims, or an InvalidTokenError naming the claim with the wrong shape. */
function accessTokenClaims(payload: JWTPayload): AccessTokenClaims {
  const malformed = (claim: string, what: string): never => {
    throw new InvalidTokenError('malformed', `the access token ${claim} claim must be ${what}: ${OBTAIN_NEW}`)
  }
  const { iss, aud, sub, client_id: clientId, scope, iat, exp, jti, cnf } = payload as Record<string, unknown>
  if (!nonEmptyString(iss)) return malformed('iss', 'a string')
  if (!nonEmptyString(sub)) return malformed('sub', 'a string')
  if (!nonEmptyString(clientId)) return malformed('client_id', 'a string')
  if (!nonEmptyString(jti)) return malformed('jti', 'a string')
  if (scope !== undefined && typeof scope !== 'string') return malformed('scope', 'a space-separated string')
  if (typeof iat !== 'number') return malformed('iat', 'a number')
  if (typeof exp !== 'number') return malformed('exp', 'a number')
  const audience = Array.isArray(aud) ? aud.find((value): value is string => typeof value === 'string') : aud
  if (!nonEmptyString(audience)) return malformed('aud', 'a string')
  const claims: AccessTokenClaims = { iss, aud: audience, sub, client_id: clientId, scope: scope ?? '', iat, exp, jti }
  if (cnf !== undefined) {
    const thumbprint = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>)['x5t#S256'] : undefined
    if (!nonEmptyString(thumbprint)) return malformed('cnf', 'an object with the x5t#S256 certificate thumbprint')
    claims.cnf = { 'x5t#S256': thumbprint }
  }
  return claims
}

/** The signature and claims of `token`, checked by jose (signature, alg, typ, iss, aud, exp, nbf). */
async function verifySignedToken(token: string, serverKeys: ServerKeys, config: Config, now: number): Promise<VerifiedToken> {
  let payload: JWTPayload
  try {
    const verified = await jwtVerify(token, serverKeys.keySet, {
      algorithms: [...ACCESS_TOKEN_ALGORITHMS],
      typ: ACCESS_TOKEN_TYPE,
      issuer: config.issuer,
      audience: config.issuer,
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: config.validators.freshness.clockSkewSeconds,
      currentDate: new Date(now * 1000),
    })
    payload = verified.payload
  } catch (error) {
    throw asInvalidToken(error)
  }
  return { claims: accessTokenClaims(payload), notBefore: payload.nbf }
}

/**
 * What can change between two calls with the same token: the time (jose's rules within the clock skew:
 * expired once `exp <= now - skew`, not yet valid while `nbf` or `iat` > `now + skew`) and revocation.
 */
async function assertStillValid(verified: VerifiedToken, store: Pick<Store, 'isAccessTokenRevoked'>, now: number, skew: number): Promise<void> {
  const { claims, notBefore } = verified
  if (claims.exp <= now - skew) throw expired()
  if (notBefore !== undefined && notBefore > now + skew) throw new InvalidTokenError('not-yet-valid', 'the access token nbf is in the future: check the clocks')
  if (claims.iat > now + skew) throw new InvalidTokenError('not-yet-valid', 'the access token iat is in the future: check the clocks')
  if (await store.isAccessTokenRevoked(claims.jti, now)) throw new InvalidTokenError('revoked', `the access token has been revoked: ${OBTAIN_NEW}`)
}

/**
 * The claims of a valid access token of this server; an InvalidTokenError (RFC 6750 `invalid_token`)
 * otherwise. Never echoes the token in a description (SEC-35). Verifies the signature every time; a server
 * uses createAccessTokenVerifier instead.
 */
export async function verifyAccessToken(token: string, options: VerifyAccessTokenOptions): Promise<AccessTokenClaims> {
  const { serverKeys, config, store, now } = options
  const verified = await verifySignedToken(token, serverKeys, config, now)
  await assertStillValid(verified, store, now, config.validators.freshness.clockSkewSeconds)
  return verified.claims
}

export type AccessTokenVerifierDependencies = Omit<VerifyAccessTokenOptions, 'now'> & {
  /** Most verified tokens remembered at once; the oldest is dropped first. Default 10,000; 0 disables the cache. */
  cacheEntries?: number
}

export type AccessTokenVerifier = {
  /**
   * As verifyAccessToken, with `now` in epoch seconds. The claims returned are frozen: a token seen
   * before returns the claims it was verified with.
   */
  verify(token: string, now: number): Promise<AccessTokenClaims>
}

/**
 * A verifier for one server instance, remembering the tokens it has verified until they expire. Only a
 * token that passed every check is remembered; a hit still has its expiry and revocation checked.
 */
export function createAccessTokenVerifier(deps: AccessTokenVerifierDependencies): AccessTokenVerifier {
  const { serverKeys, config, store } = deps
  const skew = config.validators.freshness.clockSkewSeconds
  const cache = createVerifiedTokenCache(deps.cacheEntries)

  async function verify(token: string, now: number): Promise<AccessTokenClaims> {
    const remembered = cache.get(token)
    if (remembered !== undefined) {
      if (remembered.claims.exp <= now - skew) cache.forget(token)
      await assertStillValid(remembered, store, now, skew)
      return remembered.claims
    }
    const verified = await verifySignedToken(token, serverKeys, config, now)
    await assertStillValid(verified, store, now, skew)
    return cache.remember(token, verified, now, skew).claims
  }

  return { verify }
}
