/**
 * Decodes the body of POST/PUT /register into the request and its software statement, without trusting
 * either: signatures are checked later by the pipeline (SEC-10). Accepted forms (UK-DCR-4, CDR-DCR-11,
 * BR-DCR-4): a compact JWS (`application/jwt`, `application/jose`, or a JSON string under
 * `application/json`), or a plain RFC 7591 metadata object under `application/json` where the profile allows.
 * A header, payload or body naming one member twice is refused (SEC-7, RFC 7515 §4, RFC 7519 §4), and so is a
 * string longer than the bounds of lib/claim-bounds.ts (SEC-19), before any check reads a claim.
 */
import { decodeJwt, decodeProtectedHeader, type JWSHeaderParameters } from 'jose'
import type { Config } from '../config/schema.ts'
import type { SignedPart } from '../validation/context.ts'
import type { Claims } from '../lib/claims.ts'
import { ValidationError } from '../validation/errors.ts'
import { toClaims } from '../lib/claims.ts'
import { COMPACT_JWS, compactJwsSegmentText } from '../lib/compact-jws.ts'
import { findDuplicateMember } from '../lib/duplicate-members.ts'
import { describeOverlong, findOverlongString, MAX_SSA_LENGTH } from '../lib/claim-bounds.ts'

/** Id under which decoding failures are reported; it runs before the pipeline and cannot be switched off. */
export const REQUEST_FORMAT = 'request-format'

export type DecodedRegistration = { request: SignedPart; ssa: SignedPart | undefined }

/** Refuses JSON text naming one member twice (SEC-7); `what` names the part, e.g. `its JWS header`. */
function refuseDuplicateMembers(text: string, what: string, fail: (why: string) => never): void {
  const name = findDuplicateMember(text)
  if (name !== undefined) fail(`names the member ${JSON.stringify(name.slice(0, 64))} more than once in ${what}; send each member once (RFC 7515 section 4, RFC 7519 section 4)`)
}

/** Refuses claims holding a string longer than its bound (SEC-19). */
function refuseOverlongStrings(claims: Claims, fail: (why: string) => never): void {
  const found = findOverlongString(claims)
  if (found !== undefined) fail(`has a claim that is too long: ${describeOverlong(found)}`)
}

/** Decodes a compact JWS without verifying it; `fail` words the error for the part being decoded. */
function decodeCompact(compact: string, fail: (why: string) => never): SignedPart {
  if (!COMPACT_JWS.test(compact)) fail('is not a compact JWS (three base64url parts separated by dots)')
  let header: JWSHeaderParameters
  let claims: Claims
  try {
    header = decodeProtectedHeader(compact) as JWSHeaderParameters
    claims = toClaims(decodeJwt(compact))
  } catch (error) {
    return fail(`cannot be decoded: ${(error as Error).message}`)
  }
  // Both segments parsed above, so both are UTF-8 JSON.
  refuseDuplicateMembers(compactJwsSegmentText(compact, 0), 'its JWS header', fail)
  refuseDuplicateMembers(compactJwsSegmentText(compact, 1), 'its claims', fail)
  return { compact, header, claims, verified: false }
}

function decodeSoftwareStatement(request: Claims): SignedPart | undefined {
  const value = request.software_statement
  if (value === undefined) return undefined
  const fail = (why: string): never => {
    throw new ValidationError('invalid_software_statement', REQUEST_FORMAT, `software_statement ${why}`, { claim: 'software_statement' })
  }
  if (typeof value !== 'string') fail('must be a compact JWS string')
  if ((value as string).length > MAX_SSA_LENGTH) fail(`is longer than ${MAX_SSA_LENGTH} characters`)
  const ssa = decodeCompact(value as string, fail)
  refuseOverlongStrings(ssa.claims, fail)
  return ssa
}

/**
 * Decodes a body already accepted by media type. `mediaType` is the lower-cased type without parameters;
 * `allowUnsignedJson` whether any profile in use takes a plain metadata object (the profile of the SSA's
 * directory is checked afterwards, by assertProfileAccepts). Throws a ValidationError (`request-format`)
 * for anything that is not a registration request.
 */
export function decodeRegistration(body: string, mediaType: string, options: { allowUnsignedJson: boolean }): DecodedRegistration {
  const failRequest = (why: string): never => {
    throw new ValidationError('invalid_client_metadata', REQUEST_FORMAT, `the registration request ${why}`)
  }
  let text = body.trim()
  if (text === '') failRequest('is empty: send a signed JWT carrying the client metadata and software_statement')
  let unsigned: Claims | undefined
  if (mediaType === 'application/json') {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return failRequest('is not valid JSON')
    }
    if (typeof parsed === 'string') text = parsed.trim()
    else if (options.allowUnsignedJson) {
      try {
        unsigned = toClaims(parsed)
      } catch (error) {
        return failRequest(`must be a JSON object of client metadata (${(error as Error).message})`)
      }
      refuseDuplicateMembers(text, 'the JSON object', failRequest)
    } else failRequest('must be a signed JWT; this server does not accept unsigned JSON metadata (send the compact JWS as the body or as a JSON string)')
  }
  const request: SignedPart = unsigned !== undefined ? { compact: undefined, header: undefined, claims: unsigned, verified: false } : decodeCompact(text, failRequest)
  const ssa = decodeSoftwareStatement(request.claims)
  // After the statement, whose own length is refused as an invalid_software_statement.
  refuseOverlongStrings(request.claims, failRequest)
  return { request, ssa }
}

/** The profile chosen by the SSA's directory must itself take this media type and this form of body. */
export function assertProfileAccepts(config: Config, decoded: DecodedRegistration, mediaType: string): void {
  if (!config.registration.mediaTypes.includes(mediaType)) {
    throw new ValidationError('invalid_client_metadata', REQUEST_FORMAT, `registrations under this directory (profile ${config.profile}) are sent as ${config.registration.mediaTypes.join(' or ')}, not ${mediaType}`)
  }
  if (decoded.request.compact === undefined && !config.registration.allowUnsignedJson) {
    throw new ValidationError('invalid_client_metadata', REQUEST_FORMAT, `the registration request must be a signed JWT under this directory (profile ${config.profile}), not a plain JSON object`)
  }
}
