/**
 * Australian Consumer Data Right preset (au-cdr-dcr.md): the data holder side of CDS client registration.
 * A PS256 SSA from the CDR Register (`iss` cdr-register, 10-minute life) inside a request JWT signed with the
 * ADR's key from the SSA `jwks_uri`, over `application/jwt` only (CDR-DCR-8..12). The SSA uses plain metadata
 * names (`redirect_uris`, `jwks_uri`, `software_roles` as one string) and grants its scopes itself in `scope`
 * (CDR-DCR-16). One registration per software product (CDR-DCR-15). Management with a certificate-bound
 * client-credentials token carrying `cdr:registration` (CDR-DCR-2, CDR-DCR-21). Error descriptions follow
 * the mock data holder catalogue (CDR-DCR-24); the duplicate error code is the standard's (CDR-DCR-23).
 */
export const cdr = {
  registration: {
    mediaTypes: ['application/jwt'],
    allowUnsignedJson: false,
    // CDR-DCR-22: where RFC 7591 has no answer, CDS HTTP codes apply, and they include 415.
    unsupportedMediaTypeStatus: 415,
    allowMultiplePerSoftwareId: false,
    requireSoftwareStatement: true,
  },
  ssa: {
    softwareIdClaim: 'software_id',
    orgIdClaim: 'org_id',
    redirectUrisClaim: 'redirect_uris',
    jwksUriClaim: 'jwks_uri',
    // The CDR Register SSA names no revoked-keys endpoint.
    revokedJwksUriClaim: '',
    rolesClaim: 'software_roles',
    scopeClaim: 'scope',
    uriClaims: ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'],
  },
  validators: {
    'ssa-signature': { algorithms: ['PS256'] },
    // The CDR names no subject layout for ADR transport certificates: the chain to the CDR CA is the check.
    'transport-certificate': { subjectRules: ['cdr'] },
    'software-status': { enabled: true },
    'request-signature': { algorithms: ['PS256', 'ES256'] },
    freshness: { maxSsaAgeSeconds: 600, requireSsaExp: true },
    'jti-replay': { requireSsaJti: true },
    'required-attributes': {
      // CDR-DCR-13: the R rows of the request table (redirect_uris and application_type are optional).
      request: ['iss', 'iat', 'exp', 'jti', 'aud', 'token_endpoint_auth_method', 'token_endpoint_auth_signing_alg', 'grant_types', 'response_types', 'id_token_signed_response_alg', 'software_statement'],
      // The R rows of the SSA table, plus legal_entity_id, which software-status looks up at the Register.
      ssa: ['iss', 'iat', 'exp', 'jti', 'legal_entity_id', 'org_id', 'org_name', 'client_name', 'client_description', 'client_uri', 'redirect_uris', 'logo_uri', 'jwks_uri', 'revocation_uri', 'recipient_base_uri', 'software_id', 'software_roles', 'scope'],
    },
    'token-endpoint-auth': { methods: ['private_key_jwt'], signingAlgorithms: ['PS256', 'ES256'] },
    algorithms: { allowed: ['PS256', 'ES256'] },
    'grant-and-response-types': {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      // CDR-DCR-32: `code` only in authorisation requests since May 2025, hybrid still a valid registration.
      responseTypes: ['code', 'code id_token'],
      jarmAndHybridClaims: true,
      encryptionAlgorithms: ['RSA-OAEP', 'RSA-OAEP-256'],
      encryptionEncodings: ['A256GCM', 'A128CBC-HS256'],
    },
    'roles-and-scopes': { scopeSource: 'ssa-scope', alwaysAllowed: ['openid', 'profile'], roleScopes: {} },
    'application-type': { allowed: ['web'] },
  },
  metadataPolicy: {
    // CDR-DCR-13 optional request claims: the Data Holder's defaults (request_object_signing_alg: FAPI's PS256).
    defaults: { application_type: 'web', request_object_signing_alg: 'PS256' },
    overrides: { tls_client_certificate_bound_access_tokens: true },
    // The scope is the SSA's (it arrives with the other SSA claims), filtered by supportedScopes (CDR-DCR-16).
    scopeFromRoles: false,
    redirectUrisFromSsa: true,
    dropUnknownMetadata: true,
    supportedScopes: [
      'openid', 'profile', 'cdr:registration',
      'bank:accounts.basic:read', 'bank:accounts.detail:read', 'bank:transactions:read', 'bank:payees:read', 'bank:regular_payments:read',
      'common:customer.basic:read', 'common:customer.detail:read',
    ],
  },
  errors: {
    // CDR-DCR-24: the mock data holder catalogue texts, open-dcr's own detail after them.
    descriptions: {
      'duplicate-registration': 'ERR-DCR-001: Duplicate registrations for a given software_id are not valid.',
      'request-format': 'ERR-DCR-004: Client Registration Request validation failed. {detail}',
      'redirect-uri-subset': 'ERR-DCR-003: The redirect_uri is not valid as it is not included in the software_statement. {detail}',
      'software-status': 'ERR-GEN-002: Software product status is not ACTIVE. {detail}',
      invalid_client_metadata: 'ERR-DCR-004: Client Registration Request validation failed. {detail}',
      invalid_redirect_uri: 'ERR-DCR-004: Client Registration Request validation failed. {detail}',
      invalid_software_statement: 'ERR-DCR-005: SSA validation failed. {detail}',
      unapproved_software_statement: 'ERR-DCR-005: SSA validation failed. {detail}',
    },
    duplicateError: 'invalid_software_statement',
  },
  management: {
    tokenKind: 'client-credentials',
    requiredScope: 'cdr:registration',
    // As the CDR reference authorisation server: `Bearer error="invalid_request"` for an unknown client or a
    // token of another client, one answer for both (SEC-33).
    unknownClientError: 'invalid_request',
    allowSignedRecovery: false,
  },
}
