/**
 * The authorization server metadata document (RFC 8414 §2, OpenID Connect Discovery 1.0 §3), built from the
 * same configuration the validators enforce, so that what a TPP reads before registering is exactly what
 * registration accepts (UK-DCR-30, seed 004: "the discovery endpoint should provide all required parameters").
 * Advertises the registration endpoint (UK-DCR-3, CDR-DCR-1), its mTLS alias with the token endpoint's
 * (RFC8705-9, BR-DCR-2) and certificate-bound tokens (RFC8705-8).
 * Only values open-dcr enforces are listed: a field whose values no validator checks is left out rather than
 * guessed (e.g. subject_types_supported, the authorization endpoint: the bank's authorization server's to say).
 */
import { endpointUrl, JWKS_PATH, REGISTRATION_PATH } from '../config/endpoints.ts'
import type { Config } from '../config/schema.ts'
import { tokenEndpointUrl } from '../tokens/client-auth/private-key-jwt.ts'

/**
 * Client metadata claims the `algorithms` validator can check, with the server metadata that advertises
 * their accepted values: OpenID Connect Discovery §3 (id_token, request object, userinfo), JARM §4
 * (authorization response), RFC 9701 §7 (JWT introspection response).
 * `backchannel_authentication_request_signing_alg` is not listed: grant-and-response-types narrows it further
 * to a fixed set of its own, so `validators.algorithms.allowed` alone would overstate it.
 */
const ALGORITHM_METADATA: ReadonlyArray<readonly [claim: string, metadata: string]> = [
  ['id_token_signed_response_alg', 'id_token_signing_alg_values_supported'],
  ['request_object_signing_alg', 'request_object_signing_alg_values_supported'],
  ['userinfo_signed_response_alg', 'userinfo_signing_alg_values_supported'],
  ['authorization_signed_response_alg', 'authorization_signing_alg_values_supported'],
  ['introspection_signed_response_alg', 'introspection_signing_alg_values_supported'],
]

/**
 * Every scope some registration may be granted: the always-allowed ones, those of every SSA role (the
 * roles-and-scopes validator), and the scope a client-credentials token needs for management (CDR-DCR-2).
 * Deduplicated, in configuration order.
 */
function supportedScopes(config: Config): string[] {
  const { alwaysAllowed, roleScopes } = config.validators['roles-and-scopes']
  const management = config.management.tokenKind === 'client-credentials' ? config.management.requiredScope.split(' ').filter((scope) => scope !== '') : []
  return [...new Set([...alwaysAllowed, ...Object.values(roleScopes).flat(), ...management])]
}

/** The metadata document; a pure function of the configuration (arrays are copies, not the config's own). */
export function authorizationServerMetadata(config: Config): Record<string, unknown> {
  const issuer = config.issuer
  const registrationEndpoint = endpointUrl(issuer, REGISTRATION_PATH)
  // The URL private_key_jwt assertions must name in `aud`: advertised from the same function that checks it.
  const tokenEndpoint = tokenEndpointUrl(issuer)
  const auth = config.validators['token-endpoint-auth']
  const algorithms = config.validators.algorithms
  const types = config.validators['grant-and-response-types']

  const signingAlgorithms: Record<string, string[]> = {}
  for (const [claim, metadata] of ALGORITHM_METADATA) {
    // A claim the validator does not check is not restricted: advertising a list for it would be invented.
    if (algorithms.claims.includes(claim)) signingAlgorithms[metadata] = [...algorithms.allowed]
  }

  return {
    issuer,
    registration_endpoint: registrationEndpoint,
    token_endpoint: tokenEndpoint,
    jwks_uri: endpointUrl(issuer, JWKS_PATH),
    // Every endpoint here is served over mutual TLS, so the aliases are the endpoints themselves.
    mtls_endpoint_aliases: { token_endpoint: tokenEndpoint, registration_endpoint: registrationEndpoint },
    token_endpoint_auth_methods_supported: [...auth.methods],
    token_endpoint_auth_signing_alg_values_supported: [...auth.signingAlgorithms],
    ...signingAlgorithms,
    grant_types_supported: [...types.grantTypes],
    response_types_supported: [...types.responseTypes],
    scopes_supported: supportedScopes(config),
    tls_client_certificate_bound_access_tokens: config.tokens.certificateBound,
  }
}
