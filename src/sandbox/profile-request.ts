/**
 * A registration request (POST or PUT /register) in the shape a profile's bank reads it, from a TPP and a
 * software statement: UK, a JWT signed by the TPP carrying the metadata and the SSA, as `application/jwt`
 * (UK-DCR-4, UK-DCR-14); CDR, the same envelope with the ACF + JARM metadata (CDR-DCR-11..13); Brazil, the
 * plain JSON metadata with the SSA, as `application/json` (BR-DCR-4); plain RFC 7591, a JSON metadata object
 * (RFC7591-1) with the SSA when there is one (RFC7591-14) and the TPP's keys by reference (`jwks_uri`). The
 * scope follows the statement (requested-scope.ts), never a fixed list.
 * The registered `token_endpoint_auth_signing_alg` follows the TPP key, so that the same key can sign the
 * private_key_jwt client assertions afterwards (RFC 7523).
 */
import { decodeJwt } from 'jose'
import type { SandboxProfile } from './profile-sandbox.ts'
import { requestedScope } from './requested-scope.ts'
import type { SandboxTpp, SignRequestOptions } from './tpp.ts'

export type RegistrationRequestBody = {
  /** The HTTP body. */
  readonly body: string
  /** Its Content-Type. */
  readonly contentType: string
}

export type ProfileRequestInput = {
  /** The SSA to embed; plain RFC 7591 may send none. */
  ssa: string | undefined
  /** The bank's issuer (the request JWT's `aud`). */
  aud: string
  /** Metadata to add or replace; `undefined` removes a member. */
  overrides?: Record<string, unknown>
  /** Header options of the signed request (e.g. a directory-assigned `kid`). */
  sign?: SignRequestOptions
}

function withOverrides(claims: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...claims, ...overrides }
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name]
  return out
}

/** The plain RFC 7591 metadata of the sandbox TPP: private_key_jwt with its keys at `jwks_uri`, its `software_id` (RFC 7591 §2), the statement's redirect URIs and scope. */
export function rfc7591RegistrationBody(tpp: SandboxTpp, ssa: string | undefined, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const statement = ssa === undefined ? undefined : decodeJwt(ssa)
  // An RFC 7591 statement names them redirect_uris (RFC7591-13); one shaped like the UK's, software_redirect_uris.
  const listed = statement?.redirect_uris ?? statement?.software_redirect_uris
  const redirectUris = Array.isArray(listed) && typeof listed[0] === 'string' ? [listed[0]] : ['https://acme-fin.example.co.uk/ob/callback']
  const name = statement?.client_name ?? statement?.software_client_name
  return withOverrides(
    {
      redirect_uris: redirectUris,
      client_name: typeof name === 'string' ? name : 'Acme Budget',
      software_id: tpp.softwareId,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: tpp.signingKey.alg,
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      application_type: 'web',
      id_token_signed_response_alg: 'PS256',
      jwks_uri: tpp.jwksUrl,
      scope: requestedScope('rfc7591', statement),
      ...(ssa === undefined ? {} : { software_statement: ssa }),
    },
    overrides,
  )
}

/** Whether `profile`'s bank reads a request JWT signed by the TPP (UK-DCR-4, CDR-DCR-11) rather than plain JSON metadata (BR-DCR-4, RFC7591-1). */
export const signsRequests = (profile: SandboxProfile): boolean => profile === 'obuk' || profile === 'cdr'

/** The media type of `profile`'s registration requests. */
export const requestContentType = (profile: SandboxProfile): string => (signsRequests(profile) ? 'application/jwt' : 'application/json')

/** The claims (signed profiles) or metadata (JSON profiles) of a registration request for `profile`, before encoding. */
export function profileRegistrationClaims(profile: SandboxProfile, tpp: SandboxTpp, input: Omit<ProfileRequestInput, 'sign'>): Record<string, unknown> {
  const overrides = { token_endpoint_auth_signing_alg: tpp.signingKey.alg, ...input.overrides }
  const needSsa = (): string => {
    if (input.ssa === undefined) throw new TypeError(`a ${profile} registration request carries a software statement`)
    return input.ssa
  }
  switch (profile) {
    case 'obuk':
      return tpp.registrationClaims({ ssa: needSsa(), aud: input.aud, overrides })
    case 'cdr':
      return tpp.cdrRegistrationClaims({ ssa: needSsa(), aud: input.aud, overrides })
    case 'brazil':
      return tpp.brazilRegistrationBody({ ssa: needSsa(), overrides })
    case 'rfc7591':
      return rfc7591RegistrationBody(tpp, input.ssa, input.overrides)
  }
}

/** The request body and media type `profile` expects, built for `tpp`. */
export async function profileRegistrationRequest(profile: SandboxProfile, tpp: SandboxTpp, input: ProfileRequestInput): Promise<RegistrationRequestBody> {
  const claims = profileRegistrationClaims(profile, tpp, input)
  const body = signsRequests(profile) ? await tpp.signRequest(claims, input.sign) : JSON.stringify(claims)
  return { body, contentType: requestContentType(profile) }
}
