/**
 * Decodes the body of POST/PUT /register into the request and its software statement, without trusting
 * either: signatures are checked later by the pipeline (SEC-10). Accepted forms (UK-DCR-4, CDR-DCR-11,
 * BR-DCR-4): a compact JWS (`application/jwt`, `application/jose`, or a JSON string under
 * `application/json`), or a plain RFC 7591 metadata object under `application/json` where the profile allows.
 */
import { decodeJwt, decodeProtectedHeader, type JWSHeaderParameters } from 'jose'
import type { Config } from '../config/schema.ts'
import type { SignedPart } from '../validation/context.ts'
import type { Claims } from '../lib/claims.ts'
import { ValidationError } from '../validation/errors.ts'
import { toClaims } from '../lib/claims.ts'
import { COMPACT_JWS } from '../lib/compact-jws.ts'

/** Id under which decoding failures are reported; it runs before the pipeline and cannot be switched off. */
export const REQUEST_FORMAT = 'request-format'

/** Longest software statement accepted (SEC-19). */
const MAX_SSA_LENGTH = 16384

export type DecodedRegistration = { request: SignedPart; ssa: SignedPart | undefined }


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
  return decodeCompact(value as string, fail)
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
    } else failRequest('must be a signed JWT; this server does not accept unsigned JSON metadata (send the compact JWS as the body or as a JSON string)')
  }
  const request: SignedPart = unsigned !== undefined ? { compact: undefined, header: undefined, claims: unsigned, verified: false } : decodeCompact(text, failRequest)
  return { request, ssa: decodeSoftwareStatement(request.claims) }
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
