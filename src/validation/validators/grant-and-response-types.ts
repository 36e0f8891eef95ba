/**
 * grant-and-response-types: `grant_types` and `response_types` are ones the profile accepts and agree with
 * each other (RFC7591-8, RFC7591-9, FAPI-8), and a CIBA registration carries its UK companion claims
 * (UK-DCR-29).
 * Consistency, as open banking reads RFC7591-9: the hybrid `code id_token` is registered with
 * `authorization_code` alone (the UK sample request does so), so any response type containing `code` needs
 * `authorization_code`; a response type without `code` (`token`, `id_token`, `id_token token`) is the
 * implicit flow and needs `implicit`; and when response types are given, each redirect grant
 * (`authorization_code`, `implicit`) needs a response type that uses it.
 * An absent `grant_types` is the RFC 7591 default `["authorization_code"]`; whether it must be sent is
 * required-attributes' rule.
 * With `jarmAndHybridClaims` (CDR-DCR-13, CDR request table) the response types bring their companion claims:
 * `code` (authorization code flow with JARM) needs `authorization_signed_response_alg`; `code id_token`
 * (hybrid) needs `id_token_encrypted_response_alg` and `id_token_encrypted_response_enc`;
 * `authorization_encrypted_response_enc` needs `authorization_encrypted_response_alg`; every encryption
 * value is one of the configured lists. The signing algorithm's value is the algorithms check's business.
 */
import type { BuiltInValidator } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { readString, readStringArray, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { redirectUriProblem } from '../redirect-uri.ts'
import { quoted } from '../../lib/quoted.ts'

const id = 'grant-and-response-types'
const source: ClaimSource = { validator: id, error: 'invalid_client_metadata', where: 'request' }

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba'
/** UK-DCR-29: push mode is not used in UK CIBA. */
const CIBA_DELIVERY_MODES: readonly string[] = ['poll', 'ping']
/** UK-DCR-29: the FAPI algorithms, whatever else the profile allows elsewhere. */
const CIBA_REQUEST_SIGNING_ALGORITHMS: readonly string[] = ['PS256', 'ES256']
/** UK data dictionary: backchannel_client_notification_endpoint is at most 256 characters. */
const NOTIFICATION_ENDPOINT_MAX_LENGTH = 256
const CIBA_CLAIMS = ['backchannel_token_delivery_mode', 'backchannel_client_notification_endpoint', 'backchannel_authentication_request_signing_alg', 'backchannel_user_code_parameter_supported'] as const

function fail(claim: string, description: string): never {
  throw new ValidationError('invalid_client_metadata', id, description, { claim })
}

/** The space-separated values of one response type, in a canonical order: `id_token code` = `code id_token`. */
const responseTypeValues = (responseType: string): string[] => responseType.split(' ').filter((value) => value !== '').sort()
const canonical = (responseType: string): string => responseTypeValues(responseType).join(' ')
const usesCode = (responseType: string): boolean => responseTypeValues(responseType).includes('code')
const isImplicit = (responseType: string): boolean => {
  const values = responseTypeValues(responseType)
  return !values.includes('code') && (values.includes('token') || values.includes('id_token'))
}

function checkCiba(claims: Claims, grantTypes: readonly string[]): void {
  if (!grantTypes.includes(CIBA_GRANT)) {
    const stray = CIBA_CLAIMS.find((claim) => claims[claim] !== undefined)
    if (stray !== undefined) fail(stray, `${stray} only applies to the grant ${CIBA_GRANT}; add that grant to grant_types or remove ${stray}`)
    return
  }
  const mode = readString(claims, 'backchannel_token_delivery_mode', source)
  if (mode === undefined || !CIBA_DELIVERY_MODES.includes(mode)) {
    fail('backchannel_token_delivery_mode', `grant ${CIBA_GRANT} needs backchannel_token_delivery_mode poll or ping${mode === undefined ? '' : `, not ${quoted(mode)}`}`)
  }
  if (mode === 'ping') {
    const endpoint = readString(claims, 'backchannel_client_notification_endpoint', source)
    if (endpoint === undefined) fail('backchannel_client_notification_endpoint', 'backchannel_token_delivery_mode ping needs backchannel_client_notification_endpoint, an https URL of the client')
    // The bank calls this endpoint, so it obeys the redirect URI rules: https, public host, no fragment or userinfo.
    const problem = redirectUriProblem(endpoint, { maxLength: NOTIFICATION_ENDPOINT_MAX_LENGTH })
    if (problem !== undefined) fail('backchannel_client_notification_endpoint', `backchannel_client_notification_endpoint ${quoted(endpoint)} is refused: ${problem}`)
  }
  const alg = readString(claims, 'backchannel_authentication_request_signing_alg', source)
  if (alg === undefined || !CIBA_REQUEST_SIGNING_ALGORITHMS.includes(alg)) {
    fail('backchannel_authentication_request_signing_alg', `grant ${CIBA_GRANT} needs backchannel_authentication_request_signing_alg ${CIBA_REQUEST_SIGNING_ALGORITHMS.join(' or ')}${alg === undefined ? '' : `, not ${quoted(alg)}`}`)
  }
  const userCode = claims['backchannel_user_code_parameter_supported']
  if (userCode !== undefined && userCode !== false) {
    fail('backchannel_user_code_parameter_supported', 'backchannel_user_code_parameter_supported must be the boolean false when present, as the user code is not supported; send false or leave it out')
  }
}

/** CDR-DCR-13: the conditional claims of JARM (`code`) and hybrid (`code id_token`) registrations. */
function checkJarmAndHybridClaims(claims: Claims, responseTypes: readonly string[], options: { encryptionAlgorithms: readonly string[]; encryptionEncodings: readonly string[] }): void {
  const registered = new Set(responseTypes.map(canonical))
  const need = (claim: string, why: string): string => {
    const value = readString(claims, claim, source)
    if (value === undefined || value === '') fail(claim, `${why} needs ${claim}; add it to the request`)
    return value
  }
  const inList = (claim: string, value: string, accepted: readonly string[]): void => {
    if (!accepted.includes(value)) fail(claim, `${claim} ${quoted(value)} is not supported; use one of ${accepted.join(', ')}`)
  }
  if (registered.has('code')) need('authorization_signed_response_alg', 'response type "code" (JARM)')
  if (registered.has(canonical('code id_token'))) {
    inList('id_token_encrypted_response_alg', need('id_token_encrypted_response_alg', 'response type "code id_token"'), options.encryptionAlgorithms)
    inList('id_token_encrypted_response_enc', need('id_token_encrypted_response_enc', 'response type "code id_token"'), options.encryptionEncodings)
  }
  const authorizationEnc = readString(claims, 'authorization_encrypted_response_enc', source)
  const authorizationAlg = readString(claims, 'authorization_encrypted_response_alg', source)
  if (authorizationEnc !== undefined && authorizationAlg === undefined) {
    fail('authorization_encrypted_response_alg', 'authorization_encrypted_response_enc needs authorization_encrypted_response_alg; add it, or drop the encoding')
  }
  if (authorizationAlg !== undefined) inList('authorization_encrypted_response_alg', authorizationAlg, options.encryptionAlgorithms)
  if (authorizationEnc !== undefined) inList('authorization_encrypted_response_enc', authorizationEnc, options.encryptionEncodings)
}

export const grantAndResponseTypes: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['RFC7591-8', 'RFC7591-9', 'FAPI-8', 'UK-DCR-29', 'CDR-DCR-13'],
  summary: 'grant_types and response_types are accepted and consistent with each other; a CIBA grant carries valid backchannel claims; where the profile says so, JARM and hybrid registrations carry their signing and encryption claims.',
  errors: ['invalid_client_metadata'],
  check(ctx) {
    const options = ctx.config.validators[id]
    const claims = ctx.request.claims
    const grantTypes = readStringArray(claims, 'grant_types', source) ?? ['authorization_code']
    if (grantTypes.length === 0) fail('grant_types', `grant_types is empty; list the grants the client uses, from ${options.grantTypes.join(', ')}`)
    const refusedGrant = grantTypes.find((grant) => !options.grantTypes.includes(grant))
    if (refusedGrant !== undefined) fail('grant_types', `grant_types has ${quoted(refusedGrant)}, which is not accepted; use only ${options.grantTypes.join(', ')}`)

    const responseTypes = readStringArray(claims, 'response_types', source)
    if (responseTypes !== undefined) {
      const accepted = new Set(options.responseTypes.map(canonical))
      const refusedResponse = responseTypes.find((responseType) => !accepted.has(canonical(responseType)))
      if (refusedResponse !== undefined) {
        fail('response_types', `response_types has ${quoted(refusedResponse)}, which is not accepted; use only ${options.responseTypes.map((type) => `${quoted(type)}`).join(', ')}`)
      }
      const codeType = responseTypes.find(usesCode)
      if (codeType !== undefined && !grantTypes.includes('authorization_code')) {
        fail('grant_types', `response type ${quoted(codeType)} needs the grant authorization_code in grant_types; add it, or drop that response type`)
      }
      const implicitType = responseTypes.find(isImplicit)
      if (implicitType !== undefined && !grantTypes.includes('implicit')) {
        fail('grant_types', `response type ${quoted(implicitType)} needs the grant implicit in grant_types; add it, or drop that response type`)
      }
      if (grantTypes.includes('authorization_code') && codeType === undefined) {
        fail('response_types', 'grant authorization_code needs a response type containing code in response_types (e.g. "code" or "code id_token"); add one, or drop the grant')
      }
      if (grantTypes.includes('implicit') && implicitType === undefined) {
        fail('response_types', 'grant implicit needs an implicit response type (token or id_token without code) in response_types; add one, or drop the grant')
      }
    }
    checkCiba(claims, grantTypes)
    if (options.jarmAndHybridClaims) checkJarmAndHybridClaims(claims, responseTypes ?? [], options)
  },
}
