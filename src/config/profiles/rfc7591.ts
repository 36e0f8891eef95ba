/**
 * Plain RFC 7591 / RFC 7592 preset (rfc7591-7592-8705.md): a JSON metadata body (RFC7591-1), an optional
 * software statement that is verified when present (RFC7591-13..17), an optional initial access token
 * (RFC7591-3, `registration.initialAccessTokenHashes`), RFC 7592 registration access tokens, and the same
 * redirect URI, algorithm and auth-method checks as the open-banking profiles (FAPI-1, FAPI-2, FAPI-4).
 * Checks that need a signed request or a directory-issued certificate are off.
 */
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../schema.ts'
export const rfc7591 = {
  registration: {
    mediaTypes: ['application/json'],
    allowUnsignedJson: true,
    unsupportedMediaTypeStatus: 415,
    allowMultiplePerSoftwareId: true,
    requireSoftwareStatement: false,
    requireClientCertificate: false,
  },
  // A software statement carries client metadata under its RFC 7591 names (RFC7591-13); it names no revoked keys.
  ssa: {
    softwareIdClaim: 'software_id',
    redirectUrisClaim: 'redirect_uris',
    jwksUriClaim: 'jwks_uri',
    revokedJwksUriClaim: '',
    scopeClaim: 'scope',
    uriClaims: ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'],
  },
  validators: {
    // No directory-issued transport certificate, no signed request: nothing to bind or verify.
    'transport-certificate': { enabled: false },
    'request-signature': { enabled: false },
    audience: { enabled: false },
    'request-issuer': { enabled: false },
    'jti-replay': { requireSsaJti: false },
    'required-attributes': {
      // redirect_uris only for redirect-based grants: grant-and-response-types requires them there (RFC7591-8).
      request: ['token_endpoint_auth_method'],
      ssa: [],
    },
    // No directory publishes the keys: a client may register them by value (RFC 7591 §2 jwks).
    'token-endpoint-auth': { methods: [...TOKEN_ENDPOINT_AUTH_METHODS], allowJwksByValue: true },
    // A statement grants the scopes of its own `scope` member (RFC 7591 §2); without one, only the always-allowed ones.
    'roles-and-scopes': { scopeSource: 'ssa-scope', roleScopes: {}, alwaysAllowed: ['openid'] },
    'application-type': { allowed: ['web', 'native'] },
  },
  metadataPolicy: {
    // RFC7591-8 defaults.
    defaults: { grant_types: ['authorization_code'], response_types: ['code'], application_type: 'web' },
    overrides: {},
    scopeFromRoles: false,
    redirectUrisFromSsa: true,
    dropUnknownMetadata: true,
  },
  management: {
    tokenKind: 'registration-access-token',
    requiredScope: '',
    // RFC 7592 §3 / RFC7592-8: every GET and PUT answers with a new token, the previous one stops at once.
    rotation: 'on-use',
    rotationGraceSeconds: 0,
    allowSignedRecovery: false,
  },
}
