/**
 * The declared type and bounds of every client metadata field open-dcr knows (RFC 7591 §2, OpenID Connect
 * Registration §2, RFC 8705 §2.1.2 and §3.4, FAPI-CIBA, JARM, PAR; the regimes' software statement claims come
 * from `ssa.*` of the configuration). One table: the metadata-types validator checks requests and software
 * statements against it (SEC-19, SEC-22), and registration/metadata.ts takes its list of known names from it.
 * What a field's value must be beyond its type (allowed algorithms, grant types, redirect URI rules) belongs to
 * the validator of that field; the bounds here keep any value small enough to store and echo.
 */
import { typeName } from './claims.ts'

/** What a metadata value must be. */
export type FieldType =
  /** A string of at most `maxLength` characters; one of `values` when given. */
  | { readonly kind: 'string'; readonly maxLength: number; readonly values?: readonly string[] }
  /** An absolute URL (`https`, or `http` unless `httpsOnly`) of at most `maxLength` characters. */
  | { readonly kind: 'url'; readonly maxLength: number; readonly httpsOnly?: boolean }
  /** The URL of a JWKS that the server fetches: it must pass the outbound policy (trust/outbound-url.ts). */
  | { readonly kind: 'fetched-url'; readonly maxLength: number }
  /** An array of at most `maxItems` strings (or URLs), each at most `maxLength` characters; one of `values` when given. */
  | { readonly kind: 'list'; readonly item: 'string' | 'url'; readonly maxItems: number; readonly maxLength: number; readonly values?: readonly string[] }
  | { readonly kind: 'boolean' }
  /** A whole number from `min` to `max`. */
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  /** A JWK Set (RFC 7517 §5): an object whose `keys` is an array of at most `maxKeys` objects, each with a string `kty`. */
  | { readonly kind: 'jwks'; readonly maxKeys: number }

/** Bounds shared by many fields (characters). */
const NAME = 256
const URI = 2048
const ALG = 64
const DN = 1024

const text = (maxLength: number, values?: readonly string[]): FieldType => (values === undefined ? { kind: 'string', maxLength } : { kind: 'string', maxLength, values })
const url = (httpsOnly = false): FieldType => (httpsOnly ? { kind: 'url', maxLength: URI, httpsOnly } : { kind: 'url', maxLength: URI })
const list = (item: 'string' | 'url', maxItems: number, maxLength: number): FieldType => ({ kind: 'list', item, maxItems, maxLength })
const BOOLEAN: FieldType = { kind: 'boolean' }

/** Every client metadata field open-dcr registers, with its type and bounds. A name with a language tag (`client_name#ja`) has its base name's type. */
export const METADATA_SCHEMA: Readonly<Record<string, FieldType>> = {
  // RFC 7591 §2
  // redirect-uri-format bounds redirect_uris further (validators.redirect-uri-format.maxCount/maxLength, at most 200 and 2048).
  redirect_uris: list('string', 200, URI),
  token_endpoint_auth_method: text(ALG),
  grant_types: list('string', 10, 128),
  response_types: list('string', 10, 128),
  client_name: text(NAME),
  client_uri: url(),
  logo_uri: url(),
  scope: text(2048),
  contacts: list('string', 20, NAME),
  tos_uri: url(),
  policy_uri: url(),
  jwks_uri: { kind: 'fetched-url', maxLength: URI },
  jwks: { kind: 'jwks', maxKeys: 20 },
  software_id: text(NAME),
  software_version: text(NAME),
  // OpenID Connect Registration §2
  application_type: text(ALG),
  sector_identifier_uri: url(true),
  subject_type: text(ALG, ['public', 'pairwise']),
  id_token_signed_response_alg: text(ALG),
  id_token_encrypted_response_alg: text(ALG),
  id_token_encrypted_response_enc: text(ALG),
  userinfo_signed_response_alg: text(ALG),
  userinfo_encrypted_response_alg: text(ALG),
  userinfo_encrypted_response_enc: text(ALG),
  request_object_signing_alg: text(ALG),
  request_object_encryption_alg: text(ALG),
  request_object_encryption_enc: text(ALG),
  token_endpoint_auth_signing_alg: text(ALG),
  default_max_age: { kind: 'integer', min: 0, max: 2_147_483_647 },
  require_auth_time: BOOLEAN,
  default_acr_values: list('string', 20, NAME),
  initiate_login_uri: url(true),
  request_uris: list('url', 20, URI),
  post_logout_redirect_uris: list('url', 20, URI),
  // RFC 8705 §2.1.2 and §3.4
  tls_client_auth_subject_dn: text(DN),
  tls_client_auth_san_dns: text(NAME),
  tls_client_auth_san_uri: text(URI),
  tls_client_auth_san_ip: text(ALG),
  tls_client_auth_san_email: text(NAME),
  tls_client_certificate_bound_access_tokens: BOOLEAN,
  // OpenID Connect CIBA §4 (UK CIBA profile)
  backchannel_token_delivery_mode: text(ALG, ['poll', 'ping', 'push']),
  backchannel_client_notification_endpoint: url(true),
  backchannel_authentication_request_signing_alg: text(ALG),
  backchannel_user_code_parameter_supported: BOOLEAN,
  // JARM §3 (CDR), token introspection (RFC 9701), PAR (RFC 9126 §6)
  authorization_signed_response_alg: text(ALG),
  authorization_encrypted_response_alg: text(ALG),
  authorization_encrypted_response_enc: text(ALG),
  introspection_signed_response_alg: text(ALG),
  require_pushed_authorization_requests: BOOLEAN,
}

/** The declared type of `name` (a language tag after `#` ignored), or undefined for a field open-dcr does not know. */
export function fieldTypeOf(name: string): FieldType | undefined {
  const base = name.split('#')[0]!
  return Object.hasOwn(METADATA_SCHEMA, base) ? METADATA_SCHEMA[base] : undefined
}

/** Members only the server issues (RFC 7591 §3.2.1, RFC 7592 §3): a registration request that sends one is refused. */
export const SERVER_ISSUED_METADATA: readonly string[] = ['client_id', 'client_secret', 'registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at']

/** The types of the regimes' software statement claims named in `ssa.*` of the configuration (UK, CDR, Brazil). */
export const SSA_CLAIM_TYPES = {
  softwareIdClaim: text(NAME),
  orgIdClaim: text(NAME),
  redirectUrisClaim: list('string', 200, URI),
  jwksUriClaim: url(),
  revokedJwksUriClaim: url(),
  uriClaims: url(),
} as const satisfies Readonly<Record<string, FieldType>>

/** Why `value` is no absolute http(s) URL (or https when `httpsOnly`), or undefined. */
function urlProblem(value: string, httpsOnly: boolean): string | undefined {
  if (!URL.canParse(value)) return 'must be an absolute URL'
  const scheme = new URL(value).protocol
  if (scheme === 'https:' || (scheme === 'http:' && !httpsOnly)) return undefined
  return `must be an ${httpsOnly ? 'https' : 'http or https'} URL, not ${JSON.stringify(scheme.slice(0, -1).slice(0, 32))}`
}

function stringProblem(value: unknown, maxLength: number, values: readonly string[] | undefined): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${typeName(value)}`
  if (value.length > maxLength) return `must be at most ${maxLength} characters, got ${value.length}`
  if (values !== undefined && !values.includes(value)) return `must be one of ${values.join(', ')}`
  return undefined
}

/**
 * Why `value` does not have the declared `type`, as the rest of a sentence that starts with the field's name
 * ("must be a string, got an object"); undefined when it does. A `fetched-url` is checked here only as a URL:
 * the caller applies the outbound policy.
 */
export function typeProblem(value: unknown, type: FieldType): string | undefined {
  switch (type.kind) {
    case 'string':
      return stringProblem(value, type.maxLength, type.values)
    case 'url':
    case 'fetched-url':
      return stringProblem(value, type.maxLength, undefined) ?? (type.kind === 'url' ? urlProblem(value as string, type.httpsOnly === true) : URL.canParse(value as string) ? undefined : 'must be an absolute URL')
    case 'list': {
      if (!Array.isArray(value)) return `must be an array of ${type.item === 'url' ? 'URLs' : 'strings'}, got ${typeName(value)}`
      if (value.length > type.maxItems) return `must have at most ${type.maxItems} items, got ${value.length}`
      for (const [index, item] of value.entries()) {
        const problem = stringProblem(item, type.maxLength, type.values) ?? (type.item === 'url' ? urlProblem(item as string, false) : undefined)
        if (problem !== undefined) return `item ${index} ${problem}`
      }
      return undefined
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${typeName(value)}`
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return `must be a whole number, got ${typeName(value)}`
      return value < type.min || value > type.max ? `must be from ${type.min} to ${type.max}, got ${value}` : undefined
    case 'jwks':
      return jwksProblem(value, type.maxKeys)
  }
}

function jwksProblem(value: unknown, maxKeys: number): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `must be a JWK Set object {"keys":[...]}, got ${typeName(value)}`
  const keys = (value as Record<string, unknown>).keys
  if (!Array.isArray(keys)) return `must be a JWK Set: "keys" must be an array, got ${typeName(keys)}`
  if (keys.length > maxKeys) return `must have at most ${maxKeys} keys, got ${keys.length}`
  for (const [index, key] of keys.entries()) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) return `key ${index} must be a JWK object, got ${typeName(key)}`
    if (typeof (key as Record<string, unknown>).kty !== 'string') return `key ${index} must have a string "kty"`
  }
  return undefined
}
