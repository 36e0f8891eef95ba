/**
 * The sandbox TPP: the other side of a registration. It holds a signing key (kid = the JWK's own, else its
 * thumbprint) whose
 * JWKS is published on the sandbox keystore (the URL an SSA carries as `software_jwks_endpoint`), a
 * transport certificate from the sandbox CA with the legacy OB subject `CN=<software_id>,OU=<org_id>,
 * O=OpenBanking,C=GB` (UK-DCR-38) unless another subject is asked for (ssa-shapes.ts: CDR, ICP-Brasil), and
 * builds UK registration requests (UK-DCR-14, uk-obie-dcr.md §3 and the §7 sample request), CDR request
 * claims (CDR-DCR-11..13, au-cdr-dcr.md §3 and §7) and Brazil plain JSON bodies (BR-DCR-4, br-dcr.md §7).
 * Overrides with `undefined` drop a claim, for negative tests.
 */
import { randomUUID } from 'node:crypto'
import { decodeJwt, SignJWT, type JSONWebKeySet, type JWK } from 'jose'
import { brazilSubjectDnOf } from '../trust/brazil-distinguished-name.ts'
import type { CertificateAuthority, IssuedCertificate } from './ca.ts'
import type { JwksServer } from './jwks-server.ts'
import { requestedScope } from './requested-scope.ts'
import { generateSigningKey, importSigningKey, type SandboxAlgorithm, type SigningKey } from './signing-key.ts'

export type SignRequestOptions = {
  /** Header `alg` (default the key's own), e.g. RS256 with the RSA key for a negative test. */
  alg?: string
  /** Header `kid` (default the signing key's own kid). */
  kid?: string
  /** Extra or replaced protected-header members (`jku`, `x5c`, `crit` ... for negative tests). */
  header?: Record<string, unknown>
}

export type RegistrationClaimsInput = {
  /** The SSA (compact JWS) to embed as `software_statement`; its first redirect URI is requested. */
  ssa: string
  /** The bank's issuer (or another accepted audience). */
  aud: string
  /** Claims to add or replace; `undefined` removes the claim. */
  overrides?: Record<string, unknown>
}

export type SandboxTpp = {
  readonly softwareId: string
  readonly orgId: string
  readonly signingKey: SigningKey
  readonly kid: string
  /** Where the TPP JWKS is published: the SSA's `software_jwks_endpoint`. */
  readonly jwksUrl: string
  readonly publicJwks: JSONWebKeySet
  /** Transport certificate and key (PEM) for mutual TLS. */
  readonly transport: IssuedCertificate
  /** The RFC 4514 subject of the transport certificate. */
  readonly transportSubject: string
  /** Signs `claims` as a JWT (`typ: JWT`) with the TPP key. */
  signRequest(claims: Record<string, unknown>, options?: SignRequestOptions): Promise<string>
  /** The claims of a valid UK registration request for `ssa`, before signing. */
  registrationClaims(input: RegistrationClaimsInput): Record<string, unknown>
  /** The claims of a valid CDR registration request (ACF + JARM, au-cdr-dcr.md §7) for a CDR-shaped `ssa`, before signing. */
  cdrRegistrationClaims(input: RegistrationClaimsInput): Record<string, unknown>
  /**
   * A valid Brazil registration body (plain JSON metadata, BR-DCR-4) for a Brazil-shaped `ssa`. With
   * `tlsClientAuth` it registers tls_client_auth with the transport certificate's subject in the BR-DCR-14
   * form; otherwise private_key_jwt.
   */
  brazilRegistrationBody(input: { ssa: string; tlsClientAuth?: boolean; overrides?: Record<string, unknown> }): Record<string, unknown>
}

export type SandboxTppOptions = {
  ca: CertificateAuthority
  softwareId: string
  orgId: string
  jwksServer: JwksServer
  /** Algorithm of the request signing key (default PS256). */
  alg?: SandboxAlgorithm
  /** RFC 4514 subject of the transport certificate (default the OB legacy subject); see ssa-shapes.ts for CDR and Brazil ones. */
  transportSubject?: string
}

/** The OB legacy transport subject for a software id and organisation id (UK-DCR-38). */
export const obTransportSubject = (softwareId: string, orgId: string): string => `CN=${softwareId},OU=${orgId},O=OpenBanking,C=GB`

/** The keystore path of a TPP's JWKS, shaped like the OB keystore's. */
export const tppJwksPath = (softwareId: string, orgId: string): string => `/${orgId}/${softwareId}.jwks`

/** Creates a TPP: new signing key published on `jwksServer`, new transport certificate from `ca`. */
export async function createSandboxTpp({ ca, softwareId, orgId, jwksServer, alg = 'PS256', transportSubject = obTransportSubject(softwareId, orgId) }: SandboxTppOptions): Promise<SandboxTpp> {
  const signingKey = await generateSigningKey(alg)
  const transport = await ca.issueClient({ subject: transportSubject })
  const jwksUrl = jwksServer.publish(tppJwksPath(softwareId, orgId), { keys: [signingKey.publicJwk] })
  return sandboxTpp({ softwareId, orgId, signingKey, transport, jwksUrl, transportSubject })
}

export type SandboxTppMaterial = {
  softwareId: string
  orgId: string
  /** Private JWK of the signing key (its `alg` says PS256 or ES256). */
  signingKey: JWK
  transport: IssuedCertificate
  jwksUrl: string
  /** RFC 4514 subject the transport certificate was issued with (default the OB legacy subject). */
  transportSubject?: string
}

/** A TPP from saved material (another process serves its JWKS). */
export async function restoreSandboxTpp(material: SandboxTppMaterial): Promise<SandboxTpp> {
  return sandboxTpp({ ...material, signingKey: await importSigningKey(material.signingKey), transportSubject: material.transportSubject ?? obTransportSubject(material.softwareId, material.orgId) })
}

/** The first redirect URI of an SSA's list claim, requested as the TPP's only one. */
function firstRedirectUri(ssa: string, claim: string): string[] | undefined {
  const uris = decodeJwt(ssa)[claim]
  return Array.isArray(uris) && typeof uris[0] === 'string' ? [uris[0]] : undefined
}

/** Applies overrides; an override with `undefined` removes the claim. */
function withOverrides(claims: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...claims, ...overrides }
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name]
  return out
}

function sandboxTpp(parts: { softwareId: string; orgId: string; signingKey: SigningKey; transport: IssuedCertificate; jwksUrl: string; transportSubject: string }): SandboxTpp {
  const { softwareId, orgId, signingKey, transport, jwksUrl, transportSubject } = parts
  return {
    softwareId,
    orgId,
    signingKey,
    kid: signingKey.kid,
    jwksUrl,
    publicJwks: { keys: [signingKey.publicJwk] },
    transport,
    transportSubject,
    signRequest(claims, options = {}) {
      return new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? signingKey.alg, kid: options.kid ?? signingKey.kid, typ: 'JWT', ...options.header }).sign(signingKey.privateKey)
    },
    registrationClaims({ ssa, aud, overrides = {} }) {
      const statement = decodeJwt(ssa)
      const redirectUris = statement.software_redirect_uris
      const firstRedirect = Array.isArray(redirectUris) && typeof redirectUris[0] === 'string' ? redirectUris[0] : undefined
      const now = Math.floor(Date.now() / 1000)
      const claims: Record<string, unknown> = {
        iss: softwareId,
        iat: now,
        exp: now + 300,
        aud,
        jti: randomUUID(),
        redirect_uris: firstRedirect === undefined ? undefined : [firstRedirect],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'PS256',
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code id_token'],
        software_id: softwareId,
        scope: requestedScope('uk', statement),
        application_type: 'web',
        id_token_signed_response_alg: 'PS256',
        request_object_signing_alg: 'PS256',
        software_statement: ssa,
        ...overrides,
      }
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
      return claims
    },
    cdrRegistrationClaims({ ssa, aud, overrides = {} }) {
      const now = Math.floor(Date.now() / 1000)
      return withOverrides(
        {
          iss: softwareId,
          iat: now,
          exp: now + 300,
          jti: randomUUID(),
          aud,
          redirect_uris: firstRedirectUri(ssa, 'redirect_uris'),
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'PS256',
          grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
          response_types: ['code'],
          application_type: 'web',
          id_token_signed_response_alg: 'PS256',
          authorization_signed_response_alg: 'PS256',
          authorization_encrypted_response_alg: 'RSA-OAEP',
          authorization_encrypted_response_enc: 'A128CBC-HS256',
          request_object_signing_alg: 'PS256',
          software_statement: ssa,
        },
        overrides,
      )
    },
    brazilRegistrationBody({ ssa, tlsClientAuth = false, overrides = {} }) {
      const jwksUri = decodeJwt(ssa).software_jwks_uri
      const auth = tlsClientAuth
        ? { token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: brazilSubjectDnOf(transport.certificate) }
        : { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256' }
      return withOverrides(
        {
          application_type: 'web',
          grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
          response_types: ['code id_token'],
          id_token_signed_response_alg: 'PS256',
          request_object_signing_alg: 'PS256',
          ...auth,
          tls_client_certificate_bound_access_tokens: true,
          jwks_uri: typeof jwksUri === 'string' ? jwksUri : undefined,
          redirect_uris: firstRedirectUri(ssa, 'software_redirect_uris'),
          // BR-DCR-21: without a scope the bank grants the full set of the SSA's active roles.
          software_statement: ssa,
        },
        overrides,
      )
    },
  }
}
