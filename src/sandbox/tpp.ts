/**
 * The sandbox TPP: the other side of a registration. It holds a signing key (kid = JWK thumbprint) whose
 * JWKS is published on the sandbox keystore (the URL an SSA carries as `software_jwks_endpoint`), a
 * transport certificate from the sandbox CA with the legacy OB subject `CN=<software_id>,OU=<org_id>,
 * O=OpenBanking,C=GB` (UK-DCR-38), and builds and signs UK registration requests (UK-DCR-14, uk-obie-dcr.md
 * §3 and the §7 sample request). Overrides with `undefined` drop a claim, for negative tests.
 */
import { randomUUID } from 'node:crypto'
import { decodeJwt, SignJWT, type JSONWebKeySet, type JWK } from 'jose'
import type { CertificateAuthority, IssuedCertificate } from './ca.ts'
import type { JwksServer } from './jwks-server.ts'
import { generateSigningKey, importSigningKey, type SandboxAlgorithm, type SigningKey } from './signing-key.ts'

export type SignRequestOptions = {
  /** Header `alg` (default the key's own), e.g. RS256 with the RSA key for a negative test. */
  alg?: string
  /** Header `kid` (default the key's thumbprint). */
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
}

export type SandboxTppOptions = {
  ca: CertificateAuthority
  softwareId: string
  orgId: string
  jwksServer: JwksServer
  /** Algorithm of the request signing key (default PS256). */
  alg?: SandboxAlgorithm
}

/** The OB legacy transport subject for a software id and organisation id (UK-DCR-38). */
export const obTransportSubject = (softwareId: string, orgId: string): string => `CN=${softwareId},OU=${orgId},O=OpenBanking,C=GB`

/** The keystore path of a TPP's JWKS, shaped like the OB keystore's. */
export const tppJwksPath = (softwareId: string, orgId: string): string => `/${orgId}/${softwareId}.jwks`

/** Creates a TPP: new signing key published on `jwksServer`, new transport certificate from `ca`. */
export async function createSandboxTpp({ ca, softwareId, orgId, jwksServer, alg = 'PS256' }: SandboxTppOptions): Promise<SandboxTpp> {
  const signingKey = await generateSigningKey(alg)
  const transportSubject = obTransportSubject(softwareId, orgId)
  const transport = await ca.issueClient({ subject: transportSubject })
  const jwksUrl = jwksServer.publish(tppJwksPath(softwareId, orgId), { keys: [signingKey.publicJwk] })
  return sandboxTpp({ softwareId, orgId, signingKey, transport, jwksUrl })
}

export type SandboxTppMaterial = {
  softwareId: string
  orgId: string
  /** Private JWK of the signing key (its `alg` says PS256 or ES256). */
  signingKey: JWK
  transport: IssuedCertificate
  jwksUrl: string
}

/** A TPP from saved material (another process serves its JWKS). */
export async function restoreSandboxTpp(material: SandboxTppMaterial): Promise<SandboxTpp> {
  return sandboxTpp({ ...material, signingKey: await importSigningKey(material.signingKey) })
}

function sandboxTpp(parts: { softwareId: string; orgId: string; signingKey: SigningKey; transport: IssuedCertificate; jwksUrl: string }): SandboxTpp {
  const { softwareId, orgId, signingKey, transport, jwksUrl } = parts
  return {
    softwareId,
    orgId,
    signingKey,
    kid: signingKey.kid,
    jwksUrl,
    publicJwks: { keys: [signingKey.publicJwk] },
    transport,
    transportSubject: obTransportSubject(softwareId, orgId),
    signRequest(claims, options = {}) {
      return new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? signingKey.alg, kid: options.kid ?? signingKey.kid, typ: 'JWT', ...options.header }).sign(signingKey.privateKey)
    },
    registrationClaims({ ssa, aud, overrides = {} }) {
      const redirectUris = decodeJwt(ssa).software_redirect_uris
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
        scope: 'openid accounts payments',
        application_type: 'web',
        id_token_signed_response_alg: 'PS256',
        request_object_signing_alg: 'PS256',
        software_statement: ssa,
        ...overrides,
      }
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
      return claims
    },
  }
}
