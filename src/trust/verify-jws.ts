/**
 * Verifies one compact JWS (an SSA or a registration request) with a key set that configuration or a
 * verified SSA pointed to, and returns its protected header and its payload as null-prototype claims.
 * Time claims are not checked here (the freshness validator owns them), so this uses jose `compactVerify`.
 *
 * Defences: SEC-1 and SEC-2 (`none` and HS* never accepted, whatever the caller lists; the allowed list
 * comes from configuration, never from the token), SEC-3 (jose refuses RSA keys under 2048 bits and other
 * curves for ES256), SEC-4 (`kid` is an opaque lookup key, at most 256 characters), SEC-5 / UK-DCR-11 /
 * UK-DCR-12 (`jku`, `x5u`, `jwk`, `x5c` are never used to find a key: the key set function only reads
 * `alg` and `kid`), SEC-6 (unknown `crit` and any `b64` refused), SEC-7 (compact form only, strict
 * base64url characters, payload a JSON object), SEC-9 (jose skips keys whose `use`/`key_ops` do not allow
 * verification), SEC-21 (`__proto__`, `constructor`, `prototype` refused at any depth), SEC-8 (with
 * `requireJwtType`, a `typ` other than `JWT` or `application/jwt`, such as `at+jwt` or `dpop+jwt`, is refused
 * before any key is looked up, so another kind of token cannot pass as a registration request or an SSA),
 * SEC-7 / RFC 7515 §4 / RFC 7519 §4 (a header or payload naming one member twice is refused, so that
 * `{"alg":"none",...,"alg":"PS256"}` cannot read one way here and another way elsewhere).
 */
import { compactVerify, decodeProtectedHeader, errors, type CompactVerifyGetKey, type CryptoKey, type JWSHeaderParameters, type KeyObject } from 'jose'
import type { KeySet } from './types.ts'
import { MAX_JSON_DEPTH, nullPrototypeCopy, UnsafeJsonError, type Claims } from '../lib/claims.ts'
import { COMPACT_JWS, compactJwsSegmentText } from '../lib/compact-jws.ts'
import { findDuplicateMember } from '../lib/duplicate-members.ts'

/** Why a JWS was refused, so a validator can word its error precisely. */
export type JwsFailureReason = 'malformed' | 'algorithm' | 'unknown-kid' | 'signature' | 'payload' | 'keys-unavailable'

/** Thrown by verifyCompactJws. `alg` and `kid` are the token's own (unverified) header values, for messages. */
export class JwsVerificationError extends Error {
  readonly reason: JwsFailureReason
  readonly alg: string | undefined
  readonly kid: string | undefined

  constructor(reason: JwsFailureReason, message: string, details: { alg?: string | undefined; kid?: string | undefined; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'JwsVerificationError'
    this.reason = reason
    this.alg = details.alg
    this.kid = details.kid
  }
}

/** Longest accepted `kid` (SEC-4). */
export const MAX_KID_LENGTH = 256
/** Deepest accepted JSON nesting of a payload (SEC-19). */
export const MAX_PAYLOAD_DEPTH = MAX_JSON_DEPTH

/** `typ` values (compared case-insensitively) of a plain JWT (RFC 7519 §5.1, RFC 8725 §3.11). */
const PLAIN_JWT_TYPES: ReadonlySet<string> = new Set(['jwt', 'application/jwt'])

/** Longest part of a refused `typ` or member name repeated in a message. */
const SHOWN_VALUE_LENGTH = 64

/** Options of verifyCompactJws. */
export type VerifyOptions = {
  /** Refuse (reason `malformed`) a header whose `typ` is present and neither `JWT` nor `application/jwt`, case-insensitively (SEC-8). */
  readonly requireJwtType?: boolean
}

/** What verifyCompactJws returns: the protected header, the payload, and the key that verified the signature. */
export type VerifiedJws = {
  header: JWSHeaderParameters
  claims: Claims
  key: CryptoKey | KeyObject | Uint8Array
}

/** Throws unless the header's `typ` is absent or names a plain JWT (SEC-8). */
function checkJwtType(header: JWSHeaderParameters, details: { alg?: string | undefined; kid?: string | undefined }): void {
  const typ: unknown = header.typ
  if (typ === undefined) return
  if (typeof typ === 'string' && PLAIN_JWT_TYPES.has(typ.toLowerCase())) return
  const shown = typeof typ === 'string' ? JSON.stringify(typ.slice(0, SHOWN_VALUE_LENGTH)) : `of type ${typeof typ}`
  throw new JwsVerificationError('malformed', `the JWS header "typ" ${shown} is not accepted: it must be absent or "JWT" (another kind of token, e.g. an access token, is not a registration JWT)`, details)
}

/** Algorithms that can never verify a registration JWS, even when configured (SEC-1, SEC-2). */
const isNeverAccepted = (alg: string): boolean => alg.toLowerCase() === 'none' || /^HS/i.test(alg)

/** A null-prototype copy of `value`, refusing prototype keys and deep nesting (SEC-19, SEC-21) as `reason`. */
function toNullPrototype(value: unknown, where: { part: string; reason: JwsFailureReason }): unknown {
  try {
    return nullPrototypeCopy(value)
  } catch (error) {
    if (!(error instanceof UnsafeJsonError)) throw error
    throw new JwsVerificationError(where.reason, error.member === undefined ? `the ${where.part} nests JSON deeper than ${MAX_PAYLOAD_DEPTH} levels` : `the ${where.part} must not contain a member named "${error.member}"`)
  }
}

/** Refuses a JSON text that names one member twice in an object (SEC-7). */
function refuseDuplicateMembers(text: string, where: { part: string; reason: JwsFailureReason }): void {
  const name = findDuplicateMember(text)
  if (name !== undefined) throw new JwsVerificationError(where.reason, `the ${where.part} names the member ${JSON.stringify(name.slice(0, SHOWN_VALUE_LENGTH))} more than once; each member may appear only once (RFC 7515 section 4, RFC 7519 section 4)`)
}

function parsePayload(payload: Uint8Array): Claims {
  let text: string
  let parsed: unknown
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload)
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new JwsVerificationError('payload', 'the JWS payload is not UTF-8 JSON', { cause })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new JwsVerificationError('payload', 'the JWS payload must be a JSON object')
  refuseDuplicateMembers(text, { part: 'JWS payload', reason: 'payload' })
  return toNullPrototype(parsed, { part: 'JWS payload', reason: 'payload' }) as Claims
}

/** Reads the protected header and refuses what no key lookup should ever see. */
function checkedHeader(compact: string): JWSHeaderParameters {
  if (!COMPACT_JWS.test(compact)) throw new JwsVerificationError('malformed', 'not a compact JWS (three base64url parts without padding or whitespace)')
  let header: JWSHeaderParameters
  try {
    header = decodeProtectedHeader(compact) as JWSHeaderParameters
  } catch (cause) {
    throw new JwsVerificationError('malformed', 'the JWS protected header is not a base64url JSON object', { cause })
  }
  toNullPrototype(header, { part: 'JWS header', reason: 'malformed' })
  // decodeProtectedHeader parsed this text, so it is UTF-8 JSON.
  refuseDuplicateMembers(compactJwsSegmentText(compact, 0), { part: 'JWS header', reason: 'malformed' })
  const alg = typeof header.alg === 'string' ? header.alg : undefined
  if ('b64' in header) throw new JwsVerificationError('malformed', 'the JWS header must not carry "b64" (unencoded payloads are not accepted)', { alg })
  const kid: unknown = header.kid
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    throw new JwsVerificationError('malformed', `the JWS header "kid" must be a string of 1 to ${MAX_KID_LENGTH} characters`, { alg })
  }
  return header
}

/**
 * Wraps a key set so that a failure to obtain keys (timeout, network, bad JWKS) is told apart from a
 * token whose `kid` the keys do not contain.
 */
function keySetReportingOutages(keySet: KeySet, details: { alg?: string | undefined; kid?: string | undefined }): CompactVerifyGetKey {
  return async (header, token) => {
    try {
      return await keySet(header, token)
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported) throw error
      throw new JwsVerificationError('keys-unavailable', 'the verification keys could not be obtained', { ...details, cause: error })
    }
  }
}

/** Maps a jose failure to the reason the caller reports. */
function toVerificationError(error: unknown, details: { alg?: string | undefined; kid?: string | undefined }): JwsVerificationError {
  if (error instanceof JwsVerificationError) return error
  const withCause = { ...details, cause: error }
  if (error instanceof errors.JWKSNoMatchingKey) return new JwsVerificationError('unknown-kid', 'no key of the key set matches the JWS "kid" and "alg"', withCause)
  if (error instanceof errors.JOSEAlgNotAllowed) return new JwsVerificationError('algorithm', 'the JWS "alg" is not accepted', withCause)
  if (error instanceof errors.JWSSignatureVerificationFailed) return new JwsVerificationError('signature', 'the JWS signature does not verify', withCause)
  if (error instanceof errors.JWKSTimeout) return new JwsVerificationError('keys-unavailable', 'fetching the verification keys timed out', withCause)
  if (error instanceof errors.JWSInvalid || error instanceof errors.JOSENotSupported) return new JwsVerificationError('malformed', `not an acceptable JWS: ${error.message}`, withCause)
  // A key of the wrong type for `alg` (jose raises TypeError/JWKInvalid/JOSEError) is a token that this key set cannot verify.
  return new JwsVerificationError('signature', 'the JWS cannot be verified with the selected key', withCause)
}

/**
 * Verifies `compact` with a key from `keySet`, accepting only `algorithms` minus `none` and HS*.
 * Throws a JwsVerificationError; never returns unverified claims.
 */
export async function verifyCompactJws(compact: string, keySet: KeySet, algorithms: readonly string[], options: VerifyOptions = {}): Promise<VerifiedJws> {
  if (typeof compact !== 'string') throw new JwsVerificationError('malformed', 'the JWS must be a string')
  const header = checkedHeader(compact)
  const details = { alg: typeof header.alg === 'string' ? header.alg : undefined, kid: header.kid }
  if (options.requireJwtType === true) checkJwtType(header, details)
  const allowed = algorithms.filter((alg) => !isNeverAccepted(alg))
  if (details.alg === undefined || !allowed.includes(details.alg)) throw new JwsVerificationError('algorithm', 'the JWS "alg" is not accepted', details)

  let result: { payload: Uint8Array; protectedHeader: JWSHeaderParameters; key: CryptoKey | KeyObject | Uint8Array }
  try {
    result = await compactVerify(compact, keySetReportingOutages(keySet, details), { algorithms: allowed })
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw toVerificationError(error, details)
    // Several keys fit a header without a distinguishing `kid`: the one that verifies wins (jose's documented pattern).
    result = await verifyWithAnyCandidate(compact, error, allowed, details)
  }
  return { header: result.protectedHeader, claims: parsePayload(result.payload), key: result.key }
}

async function verifyWithAnyCandidate(
  compact: string,
  candidates: errors.JWKSMultipleMatchingKeys,
  allowed: string[],
  details: { alg?: string | undefined; kid?: string | undefined },
): Promise<{ payload: Uint8Array; protectedHeader: JWSHeaderParameters; key: CryptoKey | KeyObject | Uint8Array }> {
  for await (const key of candidates) {
    try {
      return { ...(await compactVerify(compact, key, { algorithms: allowed })), key }
    } catch {
      // try the next candidate
    }
  }
  throw new JwsVerificationError('signature', 'the JWS signature does not verify with any matching key', details)
}
