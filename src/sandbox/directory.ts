/**
 * The sandbox directory: a made-up SSA issuer that plays the OB Directory. It holds a PS256 signing key
 * (kid = the JWK's own, else its thumbprint), publishes the public half as a JWKS, and issues UK-shaped software statements
 * (UK-DCR-15, uk-obie-dcr.md §5 and the §7 sample) for a made-up organisation, "Acme Fin Ltd". With the
 * option `shape` it plays the CDR Register or the Open Finance Brasil directory instead (ssa-shapes.ts:
 * CDR-DCR-7/8, BR-DCR-5/7) or a plain RFC 7591 statement (RFC7591-13). The key set URLs it names are on its
 * own keystore (participant-keystore.ts), never an internet host. Every claim can be overridden per SSA; a claim overridden with `undefined` is
 * left out (for negative tests).
 */
import { randomUUID } from 'node:crypto'
import { SignJWT, type JSONWebKeySet, type JWK } from 'jose'
import { participantKeystore, type ParticipantKeystore } from './participant-keystore.ts'
import { generateSigningKey, importSigningKey, type SigningKey } from './signing-key.ts'
import { BRAZIL_SANDBOX_ORGANISATION, brazilSsaClaims, CDR_SANDBOX_RECIPIENT, cdrSsaClaims, rfc7591SsaClaims, type SsaShape } from './ssa-shapes.ts'

/** The made-up organisation and software the sandbox registers by default. */
export const SANDBOX_ORGANISATION = {
  orgId: '0015800001ZEc3hAAD',
  orgName: 'Acme Fin Ltd',
  softwareId: '7Hq2LmN9pXvR4tYb8Kc1Zs',
  host: 'acme-fin.example.co.uk',
} as const

export type CompetentAuthorityClaims = {
  authority_id: string
  registration_id: string
  status: string
  authorisations: Array<{ member_state: string; roles: string[] }>
}

export type OrgContact = { name: string; email: string; phone: string; type: string }

/** The claims of a UK OB Directory SSA (uk-obie-dcr.md §5). */
export type SsaClaims = {
  iss: string
  iat: number
  jti: string
  exp?: number
  software_environment: string
  software_mode: string
  software_id: string
  software_client_id: string
  software_client_name: string
  software_client_description: string
  software_version: string
  software_client_uri: string
  software_redirect_uris: string[]
  software_roles: string[]
  organisation_competent_authority_claims: CompetentAuthorityClaims
  software_logo_uri: string
  org_status: string
  org_id: string
  org_name: string
  org_contacts: OrgContact[]
  org_jwks_endpoint: string
  org_jwks_revoked_endpoint: string
  software_jwks_endpoint: string
  software_jwks_revoked_endpoint: string
  software_policy_uri: string
  software_tos_uri: string
  software_on_behalf_of_org: string | null
}

/** Overrides of an SSA: any claim (also ones not in SsaClaims); `undefined` leaves the claim out. */
export type SsaClaimsInput = { [K in keyof SsaClaims]?: SsaClaims[K] | undefined } & Record<string, unknown>

export type IssueSsaOptions = {
  /** Which regime's SSA (default `uk`): `cdr` (CDR Register), `brazil` (Open Finance Brasil directory) or `rfc7591` (metadata names). */
  shape?: SsaShape
  /** The key set URLs the SSA names (default: the participant's on the directory's keystore). */
  keystore?: ParticipantKeystore
  /** Issue time, seconds since the epoch (default now). A `claims.iat` wins over this. */
  iat?: number
  /** Expiry, seconds since the epoch (default: none for UK and Brazil SSAs, iat + 10 min for the CDR). A `claims.exp` wins. */
  exp?: number
  /** Default a random UUID (Brazil: none). A `claims.jti` wins. */
  jti?: string
  /** Header `alg` (default PS256); must suit the RSA key, e.g. RS256 for a negative test. */
  alg?: string
  /** Header `kid` (default the signing key's own kid). */
  kid?: string
  /** Extra or replaced protected-header members, e.g. `{ jku: '...' }` for a negative test. */
  header?: Record<string, unknown>
}

export type SandboxDirectory = {
  readonly issuer: string
  readonly jwksUrl: string
  readonly signingKey: SigningKey
  readonly kid: string
  readonly publicJwks: JSONWebKeySet
  /** A compact JWS SSA: the Acme Fin Ltd defaults, then `claims`. */
  issueSsa(claims?: SsaClaimsInput, options?: IssueSsaOptions): Promise<string>
}

export type SandboxDirectoryOptions = {
  /** SSA `iss` (default `Sandbox Directory`). */
  issuer?: string
  /** Where the directory JWKS is (or will be) published. */
  jwksUrl: string
  /** Base URL of the participants' key sets its SSAs name (default the origin of `jwksUrl`). */
  keystoreUrl?: string
  /** Restores an existing key (private JWK) instead of generating one; its own `kid` is kept. */
  signingKey?: JWK
}

/** The default SSA claims for `orgId`/`softwareId`, shaped like the uk-obie-dcr.md §7 sample. */
export function defaultSsaClaims(issuer: string, orgId: string, softwareId: string, iat: number, jti: string, keystore: ParticipantKeystore): SsaClaims {
  const site = `https://${SANDBOX_ORGANISATION.host}`
  return {
    iss: issuer,
    iat,
    jti,
    software_environment: 'sandboxtest',
    software_mode: 'Test',
    software_id: softwareId,
    software_client_id: softwareId,
    software_client_name: 'Acme Budget',
    software_client_description: 'Budgeting app for UK consumers',
    software_version: '3.1',
    software_client_uri: site,
    software_redirect_uris: [`${site}/ob/callback`, `${site}/ob/callback2`],
    software_roles: ['AISP', 'PISP'],
    organisation_competent_authority_claims: {
      authority_id: 'FCAGBR',
      registration_id: '987654',
      status: 'Active',
      authorisations: [{ member_state: 'GB', roles: ['AISP', 'PISP'] }],
    },
    software_logo_uri: `${site}/logo.png`,
    org_status: 'Active',
    org_id: orgId,
    org_name: SANDBOX_ORGANISATION.orgName,
    org_contacts: [{ name: 'Tech', email: `ob@${SANDBOX_ORGANISATION.host}`, phone: '+447700900123', type: 'Technical' }],
    org_jwks_endpoint: keystore.orgJwks,
    org_jwks_revoked_endpoint: keystore.orgRevokedJwks,
    software_jwks_endpoint: keystore.jwks,
    software_jwks_revoked_endpoint: keystore.revokedJwks,
    software_policy_uri: `${site}/policy`,
    software_tos_uri: `${site}/tos`,
    software_on_behalf_of_org: null,
  }
}

export async function createSandboxDirectory({ issuer = 'Sandbox Directory', jwksUrl, keystoreUrl = new URL(jwksUrl).origin, signingKey }: SandboxDirectoryOptions): Promise<SandboxDirectory> {
  const key = signingKey === undefined ? await generateSigningKey('PS256') : await importSigningKey(signingKey, 'PS256')
  return {
    issuer,
    jwksUrl,
    signingKey: key,
    kid: key.kid,
    publicJwks: { keys: [key.publicJwk] },
    async issueSsa(claims = {}, options = {}) {
      const shape = options.shape ?? 'uk'
      const ids = shape === 'cdr' ? CDR_SANDBOX_RECIPIENT : shape === 'brazil' ? BRAZIL_SANDBOX_ORGANISATION : SANDBOX_ORGANISATION
      const orgId = typeof claims.org_id === 'string' ? claims.org_id : ids.orgId
      const softwareId = typeof claims.software_id === 'string' ? claims.software_id : ids.softwareId
      const iat = options.iat ?? Math.floor(Date.now() / 1000)
      const keystore = options.keystore ?? participantKeystore(keystoreUrl, orgId, softwareId)
      const shapeInput = { issuer, iat, softwareId, orgId, keystore }
      const defaults =
        shape === 'cdr'
          ? cdrSsaClaims({ ...shapeInput, jti: options.jti ?? randomUUID() })
          : shape === 'brazil'
            ? brazilSsaClaims({ ...shapeInput, jti: options.jti })
            : shape === 'rfc7591'
              ? rfc7591SsaClaims({ ...shapeInput, jti: options.jti ?? randomUUID(), host: SANDBOX_ORGANISATION.host })
              : defaultSsaClaims(issuer, orgId, softwareId, iat, options.jti ?? randomUUID(), keystore)
      const payload: Record<string, unknown> = {
        ...defaults,
        ...(options.exp === undefined ? {} : { exp: options.exp }),
        ...claims,
      }
      // JSON drops undefined members anyway; deleting them keeps the signed payload what the caller sees.
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
      return new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'PS256', kid: options.kid ?? key.kid, typ: 'JWT', ...options.header }).sign(key.privateKey)
    },
  }
}
