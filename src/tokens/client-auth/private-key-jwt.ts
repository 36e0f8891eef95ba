/**
 * private_key_jwt client authentication (RFC 7523 §2.2 and §3, OIDC Core §9): the client sends a JWT
 * signed with a key of its registered JWKS, with the registered `token_endpoint_auth_signing_alg` (which
 * must still be one the profile accepts: FAPI-1, UK-DCR-25, BR-DCR-24). Its claims: `iss` = `sub` =
 * client_id, `aud` the token endpoint URL or the issuer, `exp` in the future, `iat` not in the future, a
 * short life (`tokens.clientAssertionMaxLifetimeSeconds`, SEC-13), and a `jti` accepted once (SEC-11,
 * RFC 7523 §3 item 7). The signature is verified before any claim is read (SEC-10); `none`, HS* and
 * header-supplied keys never verify (SEC-1, SEC-2, SEC-5). A key listed in the revoked JWKS named by the
 * client's registered software statement is refused as at registration (UK-DCR-37, SEC-9), and failing
 * to fetch that JWKS refuses too (fail closed). Descriptions never echo the assertion (SEC-35).
 */
import { endpointUrl, TOKEN_PATH } from '../../config/endpoints.ts'
import type { Config } from '../../config/schema.ts'
import { decodeJwt } from 'jose'
import { StoreConflictError, type ClientRecord, type Store } from '../../store/store.ts'
import { describeRevokedKey, findRevokedKey, RevokedKeysUnavailableError, type RevokedKeyMatch, type VerifyingKey } from '../../trust/revoked-keys.ts'
import type { RemoteKeySets } from '../../trust/types.ts'
import { JwsVerificationError, verifyCompactJws, type VerifiedJws } from '../../trust/verify-jws.ts'
import type { Claims } from '../../lib/claims.ts'
import { invalidClient } from '../token-errors.ts'
import { registeredKeysOf } from './client-keys.ts'
import { quoted } from '../../lib/quoted.ts'
import { describeOverlong, findOverlongString, MAX_JTI_LENGTH } from '../../lib/claim-bounds.ts'

/** RFC 7523 §2.2: the only `client_assertion_type` accepted. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** The token endpoint URL, one of the two accepted assertion audiences (the other is the issuer). */
export const tokenEndpointUrl = (issuer: string): string => endpointUrl(issuer, TOKEN_PATH)

export type PrivateKeyJwtInput = {
  client: ClientRecord
  /** The `client_assertion` form parameter. */
  assertion: string | undefined
  /** The `client_assertion_type` form parameter. */
  assertionType: string | undefined
  /** Epoch seconds. */
  now: number
}

export type PrivateKeyJwtDependencies = {
  config: Config
  store: Store
  remoteKeySets: RemoteKeySets
}

function describeSignatureFailure(error: JwsVerificationError, where: string, alg: string): string {
  switch (error.reason) {
    case 'algorithm':
      return `client_assertion alg ${quoted(error.alg ?? '')} is not the registered token_endpoint_auth_signing_alg ${alg}; sign the assertion with ${alg}`
    case 'unknown-kid':
      return error.kid === undefined
        ? `client_assertion has no kid and no single ${alg} key of the client's keys at ${where} fits it; set kid to a key of that JWKS`
        : `client_assertion kid ${quoted(error.kid)} is not a ${alg} signing key of the client's keys at ${where}`
    case 'signature':
      return `client_assertion signature does not verify with the key ${quoted(error.kid ?? '(no kid)')} of the client's keys at ${where}; sign with the private key of that JWK`
    case 'keys-unavailable':
      return `the client's keys at ${where} could not be fetched, so client_assertion cannot be verified; try again later`
    case 'malformed':
    case 'payload':
      return `client_assertion is not an acceptable signed JWT (${error.message})`
  }
}

/** A NumericDate claim as whole seconds, or undefined when absent (SEC-22). */
function numericDate(claims: Claims, name: string): number | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalidClient(`client_assertion ${name} must be a whole number of seconds since 1970`)
  return value
}

function checkIdentity(claims: Claims, clientId: string): void {
  for (const name of ['iss', 'sub'] as const) {
    const value = claims[name]
    if (value === undefined) throw invalidClient(`client_assertion ${name} is required; set it to the client_id`)
    if (value !== clientId) throw invalidClient(`client_assertion ${name} must be the client_id ${quoted(clientId)} (RFC 7523 §3)`)
  }
}

function checkAudience(claims: Claims, config: Config): void {
  const endpoint = tokenEndpointUrl(config.issuer)
  const aud = claims['aud']
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined
  if (audiences === undefined || audiences.length === 0) throw invalidClient(`client_assertion aud is required; set it to ${endpoint}`)
  if (!audiences.some((value) => value === endpoint || value === config.issuer)) {
    throw invalidClient(`client_assertion aud must name this token endpoint: set it to ${endpoint} (or the issuer ${config.issuer})`)
  }
}

/** Checks exp, iat and nbf against `now`; returns `exp`. */
function checkTimes(claims: Claims, config: Config, now: number): number {
  const skew = config.validators.freshness.clockSkewSeconds
  const maxLifetime = config.tokens.clientAssertionMaxLifetimeSeconds
  const exp = numericDate(claims, 'exp')
  if (exp === undefined) throw invalidClient('client_assertion exp is required (RFC 7523 §3)')
  if (exp <= now - skew) throw invalidClient(`client_assertion has expired (exp ${exp}, now ${now}); sign a new assertion`)
  const iat = numericDate(claims, 'iat')
  if (iat !== undefined) {
    if (iat > now + skew) throw invalidClient(`client_assertion iat ${iat} is in the future (now ${now}); check the client's clock`)
    // With exp not past (less skew), this also bounds the assertion's age: now - iat < maxLifetime + skew.
    if (exp - iat > maxLifetime) throw invalidClient(`client_assertion lives ${exp - iat} s (exp - iat); this server accepts at most ${maxLifetime} s`)
  } else if (exp - now > maxLifetime + skew) {
    throw invalidClient(`client_assertion exp is ${exp - now} s away; this server accepts assertions living at most ${maxLifetime} s`)
  }
  const nbf = numericDate(claims, 'nbf')
  if (nbf !== undefined && nbf > now + skew) throw invalidClient(`client_assertion is not valid before ${nbf} (nbf; now ${now})`)
  return exp
}

function jtiOf(claims: Claims): string {
  const jti = claims['jti']
  if (jti === undefined) throw invalidClient('client_assertion jti is required: a unique id for each assertion (RFC 7523 §3)')
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw invalidClient(`client_assertion jti must be a string of 1 to ${MAX_JTI_LENGTH} characters`)
  return jti
}

/**
 * The revoked-keys URL of the client's registered software statement (`ssa.revokedJwksUriClaim`), if any.
 * The statement was verified when it was registered; it is only read here.
 */
function revokedKeysUrlOf(client: ClientRecord, config: Config): string | undefined {
  const claim = config.ssa.revokedJwksUriClaim
  if (claim === '' || client.softwareStatement === undefined) return undefined
  const url = decodeJwt(client.softwareStatement)[claim]
  return typeof url === 'string' && url !== '' ? url : undefined
}

/** Refuses an assertion signed by a key that the software's revoked JWKS lists (UK-DCR-37, SEC-9). */
async function refuseRevokedKey(client: ClientRecord, config: Config, remoteKeySets: RemoteKeySets, verifying: VerifyingKey): Promise<void> {
  const url = revokedKeysUrlOf(client, config)
  if (url === undefined) return
  const where = `${config.ssa.revokedJwksUriClaim} ${url.slice(0, 256)}`
  let match: RevokedKeyMatch | undefined
  try {
    match = await findRevokedKey(remoteKeySets.forUrl(url), verifying)
  } catch (error) {
    // Unreachable, or no longer a URL the fetch rules allow: the key cannot be cleared, so it is not accepted.
    if (error instanceof RevokedKeysUnavailableError) throw invalidClient(`the revoked keys at ${where} could not be fetched, so the client_assertion key cannot be checked against them; try again later`, { cause: error })
    throw invalidClient(`the revoked keys at ${where} may not be fetched, so the client_assertion key cannot be checked against them`, { cause: error })
  }
  if (match === undefined) return
  throw invalidClient(`client_assertion is signed with the ${describeRevokedKey(match, verifying)}, which is revoked: it is listed at ${where}; sign with a current key`)
}

/** Authenticates `client` by its client assertion; throws `invalid_client` saying what is wrong. */
export async function authenticateWithPrivateKeyJwt(input: PrivateKeyJwtInput, deps: PrivateKeyJwtDependencies): Promise<void> {
  const { client, assertion, assertionType, now } = input
  const { config } = deps
  if (assertion === undefined) {
    throw invalidClient(`client ${quoted(client.clientId)} is registered for private_key_jwt: send client_assertion and client_assertion_type=${JWT_BEARER_ASSERTION_TYPE}`)
  }
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    throw invalidClient(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`)
  }
  const registeredAlg = client.metadata['token_endpoint_auth_signing_alg']
  const accepted = config.validators['token-endpoint-auth'].signingAlgorithms
  if (typeof registeredAlg !== 'string') {
    throw invalidClient(`client ${quoted(client.clientId)} has no registered token_endpoint_auth_signing_alg; update the registration with one of ${accepted.join(', ')}`)
  }
  if (!accepted.includes(registeredAlg)) {
    throw invalidClient(`the registered token_endpoint_auth_signing_alg ${quoted(registeredAlg)} is no longer accepted; update the registration with one of ${accepted.join(', ')}`)
  }

  const keys = registeredKeysOf(client, config, deps.remoteKeySets)
  let verified: VerifiedJws
  try {
    verified = await verifyCompactJws(assertion, keys.keySet, [registeredAlg])
  } catch (error) {
    if (!(error instanceof JwsVerificationError)) throw error
    throw invalidClient(describeSignatureFailure(error, keys.where, registeredAlg), { cause: error })
  }
  const claims: Claims = verified.claims
  await refuseRevokedKey(client, config, deps.remoteKeySets, { kid: typeof verified.header.kid === 'string' ? verified.header.kid : undefined, key: verified.key })

  checkIdentity(claims, client.clientId)
  checkAudience(claims, config)
  const exp = checkTimes(claims, config, now)
  const jti = jtiOf(claims)
  const overlong = findOverlongString(claims)
  if (overlong !== undefined) throw invalidClient(`client_assertion has a claim that is too long: ${describeOverlong(overlong)}`)
  // Last, so that a refused assertion does not use up its jti.
  try {
    await deps.store.recordJti({ issuer: client.clientId, jti, expiresAt: exp + config.validators.freshness.clockSkewSeconds }, now)
  } catch (error) {
    if (!(error instanceof StoreConflictError) || error.conflict !== 'jti') throw error
    throw invalidClient('client_assertion jti has already been used: sign a new assertion with a fresh jti for each token request (RFC 7523 §3)', { cause: error })
  }
}
