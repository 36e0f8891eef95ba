/**
 * A short dictionary of the software statement claims of the three regimes, for `open-dcr ssa inspect`:
 * the UK OB Directory SSA (uk-obie-dcr.md §5, UK-DCR-15, UK-DCR-34..39), the CDR Register SSA
 * (au-cdr-dcr.md §2, CDR-DCR-7..10, CDR-DCR-16) and the Open Finance Brasil directory SSA (br-dcr.md §6,
 * BR-DCR-5..9), and the plain RFC 7591 statement, which carries client metadata names (RFC7591-13). One line per claim: what it is and what a bank does with it.
 */
import type { SsaShape } from '../sandbox/ssa-shapes.ts'

type Dictionary = Readonly<Record<string, string>>

const JWT_CLAIMS: Dictionary = {
  iss: 'issuer: the directory that signed the statement; must be a directory the bank trusts',
  iat: 'issued at (seconds since 1970); the bank refuses statements older than its maximum age',
  exp: 'expiry (seconds since 1970); refused once passed',
  jti: 'unique id of the statement; the bank accepts each jti once (replay protection)',
  nbf: 'not before (seconds since 1970)',
}

const UK: Dictionary = {
  ...JWT_CLAIMS,
  exp: 'expiry; usually absent in OB Directory statements, enforced when present',
  software_environment: 'directory environment the software is registered in (e.g. sandboxtest, production)',
  software_mode: 'Live or Test',
  software_id: 'the software id (Base62, up to 22 characters); the request iss must equal it (UK-DCR-19)',
  software_client_id: 'directory client id of the software, usually the software_id',
  software_client_name: 'display name of the software',
  software_client_description: 'display description of the software',
  software_version: 'version of the software',
  software_client_uri: 'home page; must share the redirect URIs\' host (UK-DCR-39)',
  software_redirect_uris: 'master list of redirect URIs: https, public host; the request may ask for a subset (UK-DCR-23/24)',
  software_roles: 'PSD2 roles (AISP, PISP, CBPII, ASPSP); they decide the scopes the client may have (UK-DCR-28)',
  software_logo_uri: 'logo; must share the redirect URIs\' host',
  software_policy_uri: 'privacy policy; must share the redirect URIs\' host',
  software_tos_uri: 'terms of service; must share the redirect URIs\' host',
  software_jwks_endpoint: 'the TPP\'s JWKS: the key that signs the registration request is looked up here (UK-DCR-14)',
  software_jwks_revoked_endpoint: 'revoked keys of the software',
  software_on_behalf_of_org: 'optional fourth party the software acts for',
  organisation_competent_authority_claims: 'the regulator\'s authorisations: authority_id, registration_id, status, authorisations[{member_state, roles}]',
  org_status: 'Active, Revoked or Withdrawn; must be Active (UK-DCR-35)',
  org_id: 'organisation id; the transport certificate subject must name it (UK-DCR-38)',
  org_name: 'legal name of the organisation',
  org_contacts: 'organisation contacts [{name, email, phone, type}]',
  org_jwks_endpoint: 'the organisation\'s JWKS',
  org_jwks_revoked_endpoint: 'revoked keys of the organisation',
  ob_registry_tos: 'OB Directory terms URL (seen in issued statements, not required)',
}

const CDR: Dictionary = {
  ...JWT_CLAIMS,
  iss: 'issuer: always cdr-register (CDR-DCR-8)',
  iat: 'issued at; CDR statements live 10 minutes (CDR-DCR-7)',
  exp: 'expiry, required: 10 minutes after iat (CDR-DCR-10)',
  jti: 'unique id, required and accepted once (CDR-DCR-10)',
  legal_entity_id: 'the accredited data recipient (legal entity); its status must be ACTIVE at the Register (CDR-DCR-25)',
  legal_entity_name: 'name of the data recipient',
  org_id: 'brand id of the data recipient',
  org_name: 'brand name shown in consent',
  client_name: 'software product name',
  client_description: 'software product description',
  client_uri: 'software product home page; must share the redirect URIs\' host',
  redirect_uris: 'master list of redirect URIs; the request may ask for a subset (CDR-DCR-14)',
  sector_identifier_uri: 'pairwise subject input (optional)',
  logo_uri: 'logo; must share the redirect URIs\' host',
  tos_uri: 'terms of service (optional)',
  policy_uri: 'privacy policy (optional)',
  jwks_uri: 'the data recipient\'s JWKS: the key that signs the registration request is looked up here (CDR-DCR-12)',
  revocation_uri: 'the data recipient\'s arrangement revocation endpoint',
  recipient_base_uri: 'base URI of the data recipient\'s endpoints',
  software_id: 'software product id; one registration per software product (CDR-DCR-15), ACTIVE at the Register',
  software_roles: 'one string: data-recipient-software-product',
  scope: 'the scopes the Register grants, space separated, with openid profile and cdr:registration (CDR-DCR-16)',
}

const BRAZIL: Dictionary = {
  ...JWT_CLAIMS,
  iss: 'issuer: the directory\'s issuer string for the environment (BR-DCR-7)',
  iat: 'issued at; the bank refuses statements older than 5 minutes (BR-DCR-6)',
  jti: 'unique id; directory statements usually carry none',
  software_mode: 'Live or Test',
  software_redirect_uris: 'master list of redirect URIs; the request may ask for a subset (BR-DCR-20)',
  software_statement_roles: 'roles with a status each [{role, authorisation_domain, status}]; only Active roles grant scopes (BR-DCR-9)',
  software_client_name: 'display name; wins over the request\'s client_name (BR-DCR-22)',
  org_status: 'Active or not',
  software_client_id: 'directory client id of the software',
  software_tos_uri: 'terms of service; must share the redirect URIs\' host',
  software_client_description: 'display description',
  software_jwks_uri: 'the software\'s JWKS; a requested jwks_uri must equal it (BR-DCR-19)',
  software_policy_uri: 'privacy policy; must share the redirect URIs\' host',
  software_id: 'software id; the transport certificate UID must equal it (BR-DCR-11)',
  software_client_uri: 'home page; must share the redirect URIs\' host',
  software_jwks_inactive_uri: 'inactive signing keys',
  software_jwks_transport_uri: 'transport certificate keys',
  software_jwks_transport_inactive_uri: 'inactive transport certificate keys',
  software_logo_uri: 'logo; must share the redirect URIs\' host',
  org_id: 'organisation id; the certificate organizationIdentifier is OFBBR-<org_id> (BR-DCR-12)',
  org_number: 'CNPJ of the organisation',
  software_environment: 'directory environment',
  software_version: 'version of the software',
  software_roles: 'roles (DADOS, PAGTO, CONTA, CCORR)',
  org_name: 'legal name of the organisation',
  organisation_competent_authority_claims: 'the central bank\'s authorisations [{authority_code BCB, authorisation_role, status, ...}]',
}

/** RFC7591-13: a software statement carries client metadata, under the metadata's own names (RFC 7591 §2). */
const RFC7591: Dictionary = {
  ...JWT_CLAIMS,
  software_id: 'the software id (RFC 7591 §2); stays the same across instances and versions of the software',
  software_version: 'version of the software',
  client_name: 'display name of the client',
  client_uri: 'home page; must share the redirect URIs\' host',
  redirect_uris: 'the redirect URIs the client may register; the request may ask for a subset',
  logo_uri: 'logo; must share the redirect URIs\' host',
  tos_uri: 'terms of service; must share the redirect URIs\' host',
  policy_uri: 'privacy policy; must share the redirect URIs\' host',
  jwks_uri: 'the client\'s JWKS',
  scope: 'the scopes the statement grants, space separated',
  contacts: 'people responsible for the client',
}

const DICTIONARIES: Readonly<Record<SsaShape, Dictionary>> = { uk: UK, cdr: CDR, brazil: BRAZIL, rfc7591: RFC7591 }

/** Names of each shape, for messages. */
export const SHAPE_NAMES: Readonly<Record<SsaShape, string>> = { uk: 'UK OB Directory', cdr: 'CDR Register', brazil: 'Open Finance Brasil directory', rfc7591: 'plain RFC 7591' }

export type ClaimExplanation = {
  /** What the claim is, in the statement's regime; undefined when the regime has no such claim. */
  description: string | undefined
  /** Other regimes whose statements carry a claim of this name. */
  knownIn: SsaShape[]
}

/** Explains claim `name` of a statement in `shape`. */
export function explainClaim(name: string, shape: SsaShape): ClaimExplanation {
  const description = Object.hasOwn(DICTIONARIES[shape], name) ? DICTIONARIES[shape][name] : undefined
  const knownIn = (Object.keys(DICTIONARIES) as SsaShape[]).filter((other) => other !== shape && Object.hasOwn(DICTIONARIES[other], name))
  return { description, knownIn }
}
