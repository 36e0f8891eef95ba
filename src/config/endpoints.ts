/**
 * Where this server's endpoints live under the configured issuer: the routes serve these paths and the
 * discovery document advertises them (RFC 8414 §2, UK-DCR-3, RFC8705-9), so the two cannot drift apart.
 * Kept in config/, the layer every other folder may import, because tokens/ (the private_key_jwt audience,
 * RFC 7523 §3) needs the token path as much as http/ and discovery/ do.
 */

/** The registration endpoint (RFC 7591 §3); the client configuration endpoint is below it (RFC7592-3). */
export const REGISTRATION_PATH = '/register'
/** The token endpoint (RFC 6749 §3.2). */
export const TOKEN_PATH = '/token'
/** The JWK Set of the keys that sign this server's access tokens (RFC 8414 `jwks_uri`). */
export const JWKS_PATH = '/jwks'

/** The URL of `path` under `issuer`; a trailing slash of the issuer does not double the separator. */
export const endpointUrl = (issuer: string, path: string): string => `${issuer.replace(/\/+$/, '')}${path}`
