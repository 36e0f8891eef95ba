/**
 * Every error the server answers, declared once (after fastify's lib/errors.js and jose's `ERR_*` codes): a
 * stable code, the HTTP status, the RFC error code of the body (RFC 7591 §3.2.2, RFC 6749 §5.2, RFC 6750 §3.1),
 * the WWW-Authenticate challenge when the answer carries one (RFC 9110 §15.5.2, RFC 6750 §3, RFC 6749 §5.2),
 * a description template, when it happens and how the caller fixes it. http/errors.ts builds every error body
 * from this table; docs/errors.md is rendered from it (src/docs/errors.ts) and a test keeps the two equal.
 * A code, once published, keeps its meaning: retire it rather than reuse it.
 *
 * This file imports nothing, so that every layer may name its errors here.
 */

/** The `error` member of a body: the RFC codes this server answers with, and `not_found` for unknown endpoints. */
export type RfcError =
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'temporarily_unavailable'
  | 'server_error'
  | 'not_found'

/**
 * The WWW-Authenticate challenge of an answer (http/errors.ts writes it):
 * - `bearer`: `Bearer error="<error>", error_description="<description>"` (RFC 6750 §3);
 * - `bearer-scope`: the same with `, scope="<scope>"` (RFC 6750 §3.1 insufficient_scope);
 * - `client-authentication`: the token endpoint's 401 (RFC 6749 §5.2, RFC 9110 §15.5.2). One challenge per client
 *   authentication method the server accepts, named as its scheme (`private_key_jwt, tls_client_auth`): these
 *   methods are no HTTP authentication schemes, so the challenge names them as registered metadata values. A client
 *   that authenticated with an HTTP scheme in the Authorization header (e.g. `Basic`) first gets that scheme's
 *   challenge, `Basic error="invalid_client"` (RFC 6749 §5.2 MUST). A `Bearer` header is no client authentication
 *   (RFC 6750 is for resources), so the token endpoint never answers with a Bearer challenge.
 */
export type Challenge = 'bearer' | 'bearer-scope' | 'client-authentication'

export type ErrorEntry = {
  readonly status: number
  readonly error: RfcError
  readonly challenge?: Challenge
  /** The `error_description`; `{name}` is filled from the values of the failure, `{detail}` is the check's own wording. */
  readonly description: string
  /** When the server answers it. */
  readonly when: string
  /** What the caller changes so that the next request succeeds. */
  readonly fix: string
}

/** A registration check's refusal (400): its description is the check's own, naming the claim and the fix. */
const refusal = (error: RfcError, when: string, fix: string): ErrorEntry => ({ status: 400, error, description: '{detail}', when, fix })

/** A refused registration access token or access token at the client configuration endpoint (RFC 6750 §3.1). */
const refusedToken = (when: string, fix: string): ErrorEntry => ({ status: 401, error: 'invalid_token', challenge: 'bearer', description: '{detail}', when, fix })

/** A refusal of the token endpoint (RFC 6749 §5.2): `invalid_client` 401 with its challenge, the others 400. */
const tokenRefusal = (error: RfcError, when: string, fix: string): ErrorEntry =>
  error === 'invalid_client' ? { status: 401, error, challenge: 'client-authentication', description: '{detail}', when, fix } : { status: 400, error, description: '{detail}', when, fix }

export const ERRORS = {
  // POST /register and PUT /register/{client_id}: the checks of docs/validation.md, by check id and RFC 7591 error.
  'registration.request-format.invalid_client_metadata': refusal('invalid_client_metadata', 'the body is empty, neither a compact JWS nor a JSON object, names a claim `__proto__`, `constructor` or `prototype`, names one member twice in its JOSE header or claims (SEC-7), holds a string longer than its bound (jti 256, others 8192 characters: SEC-19), or is a plain JSON object or media type the directory\'s profile does not accept', 'send the registration request as a JWT signed by the software (or JSON where the profile allows it) with the profile\'s media type'),
  'registration.request-format.invalid_software_statement': refusal('invalid_software_statement', 'software_statement is not a compact JWS string, is longer than 16384 characters, names one member twice in its header or claims, or holds a string longer than its bound', 'send the software statement exactly as the directory issued it'),
  'registration.client-certificate.invalid_client_metadata': refusal('invalid_client_metadata', 'no client certificate, one not issued by a configured transport CA, or (mode `proxy`) a certificate header from an untrusted peer, where the profile requires mutual TLS (the registration endpoint answers 201 or 400: UK-DCR-42, CDR-DCR-31)', 'call over mutual TLS with the transport certificate the directory issued'),
  'registration.ssa-issuer.invalid_client_metadata': refusal('invalid_client_metadata', 'the request carries no software statement where the profile requires one', 'send the software statement the directory issued'),
  'registration.ssa-signature.invalid_client_metadata': refusal('invalid_client_metadata', 'the request carries no software statement where the profile requires one', 'send the software statement the directory issued'),
  'registration.software-status.invalid_client_metadata': refusal('invalid_client_metadata', 'the request carries no software statement where the profile requires one', 'send the software statement the directory issued'),
  'registration.hostname-consistency.invalid_client_metadata': refusal('invalid_client_metadata', 'the request\'s client, logo, terms or policy URI is not on the host of the redirect URIs (the software statement\'s, else the request\'s), or the request carries no software statement where the profile requires one', 'put the user-facing URIs on the redirect URIs\' host, or leave them to the software statement'),
  'registration.redirect-uri-subset.invalid_client_metadata': refusal('invalid_client_metadata', 'the request carries no software statement where the profile requires one', 'send the software statement the directory issued'),
  'registration.duplicate-registration.invalid_client_metadata': refusal('invalid_client_metadata', 'the software already has a live registration and `registration.allowMultiplePerSoftwareId` is off (`errors.duplicateError` picks this code)', 'manage the existing registration with PUT/GET/DELETE /register/{client_id}, or delete it first'),
  'registration.duplicate-registration.invalid_software_statement': refusal('invalid_software_statement', 'as above, where `errors.duplicateError` is `invalid_software_statement` (CDR-DCR-23)', 'as above'),
  'registration.client-cap.invalid_client_metadata': refusal('invalid_client_metadata', 'the software, or its organisation, already has as many live registrations as `registration.maxClientsPerSoftware` or `registration.maxClientsPerOrganisation` allow (checked in the registration\'s transaction)', 'delete registrations that are no longer used, or ask the bank to raise the cap'),
  'registration.update-request.invalid_client_metadata': refusal('invalid_client_metadata', 'an update sends a server-issued member (registration_access_token, registration_client_uri, client_secret...), another client_id, or another software_id (RFC 7592 §2.2)', 'send the client metadata only, with the client_id of the URL'),
  'registration.ssa-issuer.invalid_software_statement': refusal('invalid_software_statement', 'the software statement does not decode, or has no iss', 'send the software statement the directory issued'),
  'registration.ssa-issuer.unapproved_software_statement': refusal('unapproved_software_statement', 'the software statement\'s iss is no directory this server trusts', 'register with a software statement from a directory the bank accepts'),
  'registration.ssa-signature.invalid_software_statement': refusal('invalid_software_statement', 'the software statement is unsigned, signed with a refused algorithm, or not by a key of its directory', 'send the software statement exactly as the directory issued it; obtain a new one if the directory rotated its keys'),
  'registration.transport-certificate.invalid_software_statement': refusal('invalid_software_statement', 'a claim of the software statement that names the software or organisation is missing or not a string', 'use a software statement that carries its software and organisation ids'),
  'registration.transport-certificate.unapproved_software_statement': refusal('unapproved_software_statement', 'the transport certificate is missing, does not chain to a CA of the SSA\'s directory, or its subject does not name the SSA\'s software and organisation', 'call with the transport certificate the directory issued for this software'),
  'registration.software-status.invalid_software_statement': refusal('invalid_software_statement', 'the software statement lacks the software product or legal entity id the CDR Register is asked about', 'use a software statement issued by the CDR Register'),
  'registration.software-status.unapproved_software_statement': refusal('unapproved_software_statement', 'the data recipient or software product is not ACTIVE at the CDR Register, or its status cannot be learned', 'have the Register status fixed; retry later when the Register was unreachable'),
  'registration.request-signature.invalid_client_metadata': refusal('invalid_client_metadata', 'no software statement to locate the keys; or the request JWT is not signed, has a wrong typ or algorithm, is not signed by a key of the TPP JWKS, or by a revoked key (or the revoked-keys list is unreachable)', 'sign the request with a current key published at the software\'s JWKS, with an accepted algorithm'),
  'registration.request-signature.invalid_software_statement': refusal('invalid_software_statement', 'the software statement is unverified, or its JWKS URL is missing or may not be fetched', 'use a software statement whose JWKS URL is a public https URL'),
  'registration.metadata-types.invalid_client_metadata': refusal('invalid_client_metadata', 'a metadata field of the request is not of its declared type or breaks its bounds (docs/security.md "Client metadata types"), jwks_uri breaks the outbound policy, the request sends client_id, client_secret, registration_access_token or another member only the server issues, or it keeps too many or too large unknown members', 'send each field with the type and within the bounds the description names; leave server-issued members out'),
  'registration.metadata-types.invalid_redirect_uri': refusal('invalid_redirect_uri', 'redirect_uris is not an array of at most 200 strings of at most 2048 characters', 'send redirect_uris as an array of URI strings'),
  'registration.metadata-types.invalid_software_statement': refusal('invalid_software_statement', 'a software statement claim that becomes metadata is not of its declared type or breaks its bounds, or the statement carries too many or too large unknown claims', 'use a software statement with well-typed claims; ask the directory to correct it'),
  'registration.audience.invalid_client_metadata': refusal('invalid_client_metadata', 'the request aud is missing or does not name this server', 'set aud to this server\'s issuer'),
  'registration.request-issuer.invalid_client_metadata': refusal('invalid_client_metadata', 'no software statement; or the request iss or software_id is missing or differs from the software statement\'s software id, or an update changes the software id', 'set iss (and software_id) to the software statement\'s software id'),
  'registration.request-issuer.invalid_software_statement': refusal('invalid_software_statement', 'the software statement has no software id', 'send a software statement that carries the software id'),
  'registration.freshness.invalid_client_metadata': refusal('invalid_client_metadata', 'the request iat, exp or nbf is missing, in the future beyond the skew, expired, older than the maximum age, or lives longer than the maximum lifetime', 'sign a fresh request with iat now and a short exp'),
  'registration.freshness.invalid_software_statement': refusal('invalid_software_statement', 'the software statement\'s iat, exp or nbf is out of bounds in the same way', 'obtain a fresh software statement from the directory'),
  'registration.jti-replay.invalid_client_metadata': refusal('invalid_client_metadata', 'the request jti or iss is missing, or the jti was used before by the same issuer', 'sign each request with a new, unique jti'),
  'registration.jti-replay.invalid_software_statement': refusal('invalid_software_statement', 'the software statement\'s jti or iss is missing, or the software statement was used before', 'obtain a new software statement from the directory'),
  'registration.required-attributes.invalid_client_metadata': refusal('invalid_client_metadata', 'a claim the profile makes mandatory is absent or empty in the request, or the request carries no software statement where the profile requires claims of one', 'add the named claims to the request'),
  'registration.required-attributes.invalid_software_statement': refusal('invalid_software_statement', 'a claim the profile makes mandatory is absent or empty in the software statement', 'use a software statement that carries the named claims'),
  'registration.redirect-uri-format.invalid_redirect_uri': refusal('invalid_redirect_uri', 'a redirect URI is not an absolute https URL on a public host, has a fragment, user information or wildcard, its host is not a fully qualified DNS name with well-formed labels in one script (single label, trailing dot, `-x-`, `a_b`, mixed-script homograph), its port is 0, it is too long, or there are too many or none', 'register https redirect URIs on public, fully qualified host names, within the limits'),
  'registration.redirect-uri-format.invalid_software_statement': refusal('invalid_software_statement', 'the software statement\'s redirect URIs are not a list of strings', 'use a software statement that lists its redirect URIs'),
  'registration.redirect-uri-subset.invalid_redirect_uri': refusal('invalid_redirect_uri', 'a requested redirect URI is not, character for character, one of the software statement\'s', 'request only redirect URIs listed in the software statement, exactly as written'),
  'registration.redirect-uri-subset.invalid_software_statement': refusal('invalid_software_statement', 'the software statement has no redirect URIs to check against', 'send a software statement that lists the redirect URIs'),
  'registration.hostname-consistency.invalid_software_statement': refusal('invalid_software_statement', 'the redirect, client, logo, terms and policy URIs of the software statement do not share one host, or one is not an absolute URL', 'have the directory record URIs on one host'),
  'registration.token-endpoint-auth.invalid_client_metadata': refusal('invalid_client_metadata', 'token_endpoint_auth_method is not allowed, or incomplete: no accepted signing alg for JWT assertions, no single certificate identity matching the transport certificate for tls_client_auth, both jwks and jwks_uri', 'register an allowed method with the claims it needs'),
  'registration.algorithms.invalid_client_metadata': refusal('invalid_client_metadata', 'a signing or encryption algorithm named in the metadata is not one the profile allows (none and HS* never are)', 'name one of the algorithms listed in the description'),
  'registration.grant-and-response-types.invalid_client_metadata': refusal('invalid_client_metadata', 'grant_types or response_types are not accepted or inconsistent with each other, or the claims a CIBA, JARM or hybrid registration needs are missing', 'register accepted, consistent grant and response types with their claims'),
  'registration.required-attributes.invalid_redirect_uri': refusal('invalid_redirect_uri', 'a redirect-based grant (authorization_code, implicit) is registered without redirect_uris in the request or, where the profile takes them from it, the software statement (RFC 7591 §2)', 'list the redirect URIs, or register only grants without redirects'),
  'registration.roles-and-scopes.invalid_client_metadata': refusal('invalid_client_metadata', 'no software statement could grant the requested scopes, or the requested scope goes beyond what the software statement\'s roles or scope grant', 'request only the scopes listed in the description'),
  'registration.roles-and-scopes.invalid_software_statement': refusal('invalid_software_statement', 'the software statement has no (readable) roles or scope that could grant the requested scopes', 'use a software statement whose roles grant the scopes'),
  'registration.application-type.invalid_client_metadata': refusal('invalid_client_metadata', 'application_type (absent: web) is not one the profile accepts', 'use one of the application types listed in the description'),
  'registration.http-extension.invalid_client_metadata': refusal('invalid_client_metadata', 'the bank\'s extension service denied the registration with this code', 'follow the extension service\'s description'),
  'registration.http-extension.invalid_redirect_uri': refusal('invalid_redirect_uri', 'the bank\'s extension service denied the registration with this code', 'follow the extension service\'s description'),
  'registration.http-extension.invalid_software_statement': refusal('invalid_software_statement', 'the bank\'s extension service denied the registration with this code', 'follow the extension service\'s description'),
  'registration.http-extension.unapproved_software_statement': refusal('unapproved_software_statement', 'the bank\'s extension service denied the registration, or gave no decision (fails closed unless `failOpen`)', 'follow the description; retry later when the service gave no decision'),
  'registration.custom.invalid_client_metadata': refusal('invalid_client_metadata', 'a custom validator (`customValidators.modules`) refused; `validator` in the body names it', 'follow the description'),
  'registration.custom.invalid_redirect_uri': refusal('invalid_redirect_uri', 'a custom validator refused', 'follow the description'),
  'registration.custom.invalid_software_statement': refusal('invalid_software_statement', 'a custom validator refused', 'follow the description'),
  'registration.custom.unapproved_software_statement': refusal('unapproved_software_statement', 'a custom validator refused', 'follow the description'),

  // GET/PUT/DELETE /register/{client_id}: the registration access token or access token (RFC 7592 §2, RFC 6750 §3.1).
  'management.missing': refusedToken('no `Authorization: Bearer` token', 'send the registration access token (or an access token of this client) as `Authorization: Bearer <token>`'),
  'management.malformed': refusedToken('the token is no compact JWS / registration access token, or its claims have the wrong shape', 'send the token exactly as issued'),
  'management.algorithm': refusedToken('the token\'s alg is not PS256 or ES256', 'send a token issued by this server'),
  'management.signature': refusedToken('the token is not signed by a key of this server', 'send a token issued by this server'),
  'management.type': refusedToken('the token\'s typ is not at+jwt', 'send an access token issued by this server\'s token endpoint'),
  'management.issuer': refusedToken('the token\'s iss is not this server', 'send a token issued by this server'),
  'management.audience': refusedToken('the token\'s aud is not this server', 'send a token issued for this server'),
  'management.expired': refusedToken('the token has expired', 'obtain a new token'),
  'management.not-yet-valid': refusedToken('the token\'s iat or nbf is in the future beyond the skew', 'check the client\'s clock; obtain a new token'),
  'management.revoked': refusedToken('the token was revoked before its expiry (UK-DCR-6, RFC7592-5)', 'obtain a new token'),
  'management.certificate-mismatch': refusedToken('a certificate-bound token is sent without its certificate, or an unbound token where binding is required (RFC8705-7)', 'call over mutual TLS with the certificate the token was issued to'),
  'management.unknown': refusedToken('the registration access token is unknown, expired or replaced (RFC7592-4)', 'use the registration access token of the latest answer'),
  'management.wrong-client': refusedToken('the token belongs to another client, or the client does not exist or was deleted; both answer alike (RFC7592-5, SEC-33)', 'use the token issued to this client_id'),
  'management.unknown-client': { status: 401, error: 'invalid_request', challenge: 'bearer', description: '{detail}', when: 'as management.wrong-client, where `management.unknownClientError` is `invalid_request` (CDR, as its reference authorisation server answers); both cases alike (SEC-33)', fix: 'use the token issued to this client_id' },
  'management.recovery': refusedToken('a PUT without a token whose signed request does not prove control of the registration', 'send the registration access token, or a signed request over the registered certificate'),
  'management.client-certificate': refusedToken('no client certificate, or one no configured CA issued: the management endpoint\'s tokens are certificate-bound (RFC 8705 §3)', 'call over mutual TLS with the transport certificate'),
  'management.insufficient_scope': { status: 403, error: 'insufficient_scope', challenge: 'bearer-scope', description: '{detail}', when: 'a valid token of this client lacks the scope management requires (RFC7592-6, CDR-DCR-2, BR-DCR-29)', fix: 'obtain a token with the scope named in the challenge' },
  'management.method_not_allowed': { status: 405, error: 'invalid_request', description: '{method} /register/{client_id} is not offered by this server{allowed}', when: 'the operation is not in `management.operations` (RFC7592-16, UK-DCR-10); the answer carries `Allow`', fix: 'use one of the methods in `Allow`' },

  // POST /token (RFC 6749 §3.2, §4.4, §5.2).
  'token.invalid_request': tokenRefusal('invalid_request', 'the body is not form encoded, a parameter appears twice, or grant_type is missing', 'send each parameter once, form encoded'),
  'token.invalid_client': {
    ...tokenRefusal(
      'invalid_client',
      'client authentication failed: no client named, an unknown or deleted client, a client secret or Authorization header, a refused client assertion, a key or certificate that is not the client\'s (another software\'s certificate, even of a trusted CA, with the client\'s key), a method the server no longer accepts. Every such failure gets this one answer, so that it never tells whether a client exists (SEC-33); the reason is recorded only in the audit trail and the log',
      'authenticate with the registered method (private_key_jwt, tls_client_auth or self_signed_tls_client_auth) and keys, over the certificate the client registered with or its renewal; the bank can read the reason in its audit trail',
    ),
    description: 'client authentication failed: authenticate with the method and keys the client registered, over the transport certificate it registered with (or its renewal); the reason is recorded in the server\'s audit trail',
  },
  'token.client-certificate': tokenRefusal('invalid_client', 'no client certificate, one no configured CA issued, or (mode `proxy`) an unreadable certificate header or one from an untrusted peer', 'call over mutual TLS with the transport certificate'),
  'token.invalid_grant': tokenRefusal('invalid_grant', 'the grant is invalid', 'obtain a new grant'),
  'token.unauthorized_client': tokenRefusal('unauthorized_client', 'the client is not registered for this grant type', 'update the registration\'s grant_types, or use a registered grant'),
  'token.unsupported_grant_type': tokenRefusal('unsupported_grant_type', 'the grant type is not offered (only client_credentials)', 'use grant_type=client_credentials'),
  'token.invalid_scope': tokenRefusal('invalid_scope', 'a requested scope is unknown, not registered for the client, or not grantable at the token endpoint', 'request only the client\'s registered scopes'),

  // Refusals of the HTTP layer, Fastify's and Node's own included.
  'http.not_found': { status: 404, error: 'not_found', description: 'no endpoint {method} {path}', when: 'no route has this method and path (no RFC error fits an unknown endpoint)', fix: 'call an endpoint listed in the discovery document' },
  'http.unsupported_media_type': { status: 415, error: 'invalid_request', description: 'Content-Type {mediaType} is not accepted here; send the registration request as {accepted}', when: 'POST or PUT /register with a Content-Type not in `registration.mediaTypes`', fix: 'send the body with one of the media types in the description' },
  'http.media_type_refused': { status: 400, error: 'invalid_request', description: 'Content-Type {mediaType} is not accepted here; send the registration request as {accepted}', when: 'as above, where `registration.unsupportedMediaTypeStatus` is 400 (UK-DCR-42)', fix: 'as above' },
  'http.body_too_large': { status: 413, error: 'invalid_request', description: 'the request body is larger than this server accepts (server.bodyLimitBytes)', when: 'the body is larger than `server.bodyLimitBytes` (Fastify FST_ERR_CTP_BODY_TOO_LARGE)', fix: 'send a smaller body' },
  'http.content_length_mismatch': { status: 400, error: 'invalid_request', description: 'Content-Length does not match the body', when: 'the body is shorter or longer than its Content-Length (Fastify FST_ERR_CTP_INVALID_CONTENT_LENGTH)', fix: 'send a Content-Length equal to the body\'s size in bytes' },
  'http.empty_body': { status: 400, error: 'invalid_request', description: 'the request body is empty', when: 'a body is required but empty (Fastify FST_ERR_CTP_EMPTY_JSON_BODY)', fix: 'send the request body' },
  'http.invalid_content_type': { status: 415, error: 'invalid_request', description: 'unsupported Content-Type', when: 'the Content-Type header cannot be read (Fastify FST_ERR_CTP_INVALID_MEDIA_TYPE)', fix: 'send a well-formed Content-Type' },
  'http.bad_url': { status: 400, error: 'invalid_request', description: 'the request path is not a valid URL: percent-encode it correctly', when: 'the path holds a malformed percent-encoding (Fastify FST_ERR_BAD_URL)', fix: 'percent-encode the path correctly' },
  'http.path_parameter_too_long': { status: 414, error: 'invalid_request', description: 'a path parameter is longer than this server accepts', when: 'a path parameter such as {client_id} is longer than Fastify\'s maxParamLength (FST_ERR_MAX_PARAM_LENGTH)', fix: 'send the client_id as issued' },
  'http.unreadable_request': { status: 400, error: 'invalid_request', description: 'the request could not be read', when: 'any other 4xx refusal of Fastify\'s', fix: 'send a well-formed HTTP/1.1 request' },
  'http.malformed_request': { status: 400, error: 'invalid_request', description: 'the request is not well-formed HTTP/1.1 and cannot be read', when: 'Node\'s HTTP parser refuses the request before Fastify sees it (clientError: bad request line, header syntax, Content-Length with Transfer-Encoding, ...); the connection is closed', fix: 'send a well-formed HTTP/1.1 request' },
  'http.headers_too_large': { status: 431, error: 'invalid_request', description: 'the request headers are larger than this server accepts', when: 'the request line and headers exceed Node\'s maxHeaderSize (clientError HPE_HEADER_OVERFLOW); the connection is closed', fix: 'send fewer or smaller headers' },
  'http.request_timeout': { status: 408, error: 'invalid_request', description: 'the request was not received in time', when: 'the request headers or body did not arrive within Node\'s requestTimeout / headersTimeout (clientError ERR_HTTP_REQUEST_TIMEOUT); the connection is closed', fix: 'send the whole request promptly' },
  'http.rate_limited': { status: 429, error: 'temporarily_unavailable', description: 'too many requests from this {by}: at most {max} in {window} seconds; retry after {seconds} seconds', when: 'more requests from one client address (`rateLimit.perAddress`) or over one client certificate (`rateLimit.perCertificate`) than allowed in one window at /register, /register/{client_id} or /token; the answer carries Retry-After (RFC 6585 §4)', fix: 'wait the Retry-After seconds; spread the requests over time' },
  'http.server_closing': { status: 503, error: 'temporarily_unavailable', description: 'the server is shutting down; send the request again', when: 'the request arrived while the server drains to stop; the answer carries Retry-After and the connection is closed', fix: 'retry: another instance, or this one after its restart, answers' },

  'server.store_unavailable': { status: 503, error: 'temporarily_unavailable', description: 'the registration database is unavailable; nothing of this request was stored: send it again after Retry-After seconds (a registration or update with a freshly signed request and a new jti)', when: 'the PostgreSQL store (`store.kind: postgres`) cannot be reached, refuses connections, or a statement took longer than `store.statementTimeoutMs`; the transaction was rolled back', fix: 'retry after the Retry-After seconds; a registration or update needs a freshly signed request (a new jti), as a jti already sent may have been recorded' },
  'server.internal': { status: 500, error: 'server_error', description: 'the server could not complete the request; it has been logged', when: 'an unexpected fault; its details are logged, never answered', fix: 'retry later; report it to the bank with the time of the request' },
} as const satisfies Readonly<Record<string, ErrorEntry>>

/** The stable code of every error the server answers. */
export type ErrorCode = keyof typeof ERRORS

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[]

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERRORS, code)

/** The entry of `code`; one place reads the table so that its shape can change. */
export const errorEntry = (code: ErrorCode): ErrorEntry => ERRORS[code]

/** Fills `{name}` in `code`'s description template; a name without a value stays as written. */
export function describeError(code: ErrorCode, values: Readonly<Record<string, string>> = {}): string {
  return ERRORS[code].description.replace(/\{([a-z]+)\}/gi, (placeholder, name: string) => (Object.hasOwn(values, name) ? values[name]! : placeholder))
}
