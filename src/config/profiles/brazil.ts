/**
 * Open Finance Brasil preset (br-dcr.md, DCR 1.0 ID3): a plain JSON request (`application/json`) over
 * ICP-Brasil mutual TLS, trusted through the directory's PS256 SSA, which is at most 5 minutes old and wins
 * over the request (BR-DCR-4..6, BR-DCR-22/23). Directory claim names (`software_redirect_uris`,
 * `software_jwks_uri`, `software_statement_roles` with a status per role), certificate subject UID =
 * software_id and organizationIdentifier OFBBR-<org_id> (BR-DCR-11/12), DN strings with OID/hex attributes
 * (BR-DCR-14), no `jwks` by value and `jwks_uri` = SSA `software_jwks_uri` (BR-DCR-18/19), one registration
 * per software statement (BR-DCR-25), RFC 7592 registration access tokens (BR-DCR-26..28).
 */
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../schema.ts'
export const brazil = {
  registration: {
    mediaTypes: ['application/json'],
    allowUnsignedJson: true,
    // The DCR/DCM swagger declares no 415 (BR-DCR-29): a refused media type answers 400 invalid_request.
    unsupportedMediaTypeStatus: 400,
    allowMultiplePerSoftwareId: false,
    requireSoftwareStatement: true,
  },
  ssa: {
    softwareIdClaim: 'software_id',
    orgIdClaim: 'org_id',
    redirectUrisClaim: 'software_redirect_uris',
    jwksUriClaim: 'software_jwks_uri',
    // BR-DCR §6: the directory's inactive keys (checked when request-signature runs, i.e. for signed requests).
    revokedJwksUriClaim: 'software_jwks_inactive_uri',
    rolesClaim: 'software_statement_roles',
    uriClaims: ['software_client_uri', 'software_logo_uri', 'software_tos_uri', 'software_policy_uri'],
  },
  validators: {
    'ssa-signature': { algorithms: ['PS256'] },
    'transport-certificate': { subjectRules: ['brazil'] },
    // A plain JSON body has no signature, audience or issuer of its own: trust is the SSA plus mTLS (BR-DCR-4).
    'request-signature': { enabled: false, algorithms: ['PS256'] },
    audience: { enabled: false },
    freshness: { maxSsaAgeSeconds: 300, requireSsaExp: false },
    // Directory SSAs carry no jti; one that does is still checked.
    'jti-replay': { requireSsaJti: false },
    'required-attributes': {
      request: ['software_statement', 'redirect_uris', 'token_endpoint_auth_method'],
      ssa: ['iss', 'iat', 'software_id', 'org_id', 'software_redirect_uris', 'software_jwks_uri', 'software_statement_roles'],
    },
    'token-endpoint-auth': {
      methods: [...TOKEN_ENDPOINT_AUTH_METHODS],
      signingAlgorithms: ['PS256'],
      subjectDnSyntax: 'brazil',
      allowJwksByValue: false,
      jwksUriMatchesSsa: true,
    },
    algorithms: { allowed: ['PS256'] },
    'grant-and-response-types': {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      responseTypes: ['code', 'code id_token'],
    },
    'roles-and-scopes': {
      scopeSource: 'roles',
      // BR-DCR-21, §7.2 table; configurable because the payments family keeps adding scopes.
      roleScopes: {
        DADOS: ['openid', 'accounts', 'credit-cards-accounts', 'consents', 'customers', 'invoice-financings', 'financings', 'loans', 'unarranged-accounts-overdraft', 'resources'],
        PAGTO: ['openid', 'payments'],
        CONTA: ['openid'],
        CCORR: ['openid'],
      },
      alwaysAllowed: ['openid'],
    },
    'application-type': { allowed: ['web'] },
  },
  metadataPolicy: {
    // BR-DCR-23: omitted crypto choices get the strongest supported values.
    defaults: { application_type: 'web', id_token_signed_response_alg: 'PS256', request_object_signing_alg: 'PS256' },
    overrides: { tls_client_certificate_bound_access_tokens: true },
    scopeFromRoles: true,
    redirectUrisFromSsa: true,
    dropUnknownMetadata: true,
    fromSsa: {
      client_name: 'software_client_name',
      client_uri: 'software_client_uri',
      logo_uri: 'software_logo_uri',
      tos_uri: 'software_tos_uri',
      policy_uri: 'software_policy_uri',
      jwks_uri: 'software_jwks_uri',
    },
  },
  errors: {
    duplicateError: 'invalid_client_metadata',
  },
  management: {
    tokenKind: 'registration-access-token',
    requiredScope: '',
    // BR-DCR-28: single use. Every GET and PUT answers with a new token (RFC 7592 §3) and the previous one
    // stops at once; the client must keep the latest (docs/profiles.md).
    rotation: 'on-use',
    rotationGraceSeconds: 0,
    allowSignedRecovery: false,
  },
}
