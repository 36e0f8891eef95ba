/**
 * The one configuration schema of open-dcr: every key, its type, its default and what it is for.
 * Defaults are those of the UK OBIE profile (`profile: obuk`); a profile preset (config/profiles/) changes
 * some of them, then the configuration file, then `OPEN_DCR_*` environment variables (config/load.ts).
 * docs/configuration.md is generated from this file (`npm run docs`) and a test keeps the two equal.
 */
import type { WithDirectoryProfiles } from './directory-profiles.ts'
import { boolean, integer, jsonObject, object, objectList, optionalString, string, stringList, stringListMap, type Infer } from './fields.ts'

/** JWS algorithms open-dcr can verify at all; profiles narrow this (FAPI-1: PS256/ES256). Never `none`, never HS*. */
export const SUPPORTED_JWS_ALGORITHMS = ['PS256', 'ES256', 'EdDSA', 'RS256'] as const
/**
 * The client authentication methods the token endpoint implements (tokens/client-auth/). Only these can be
 * configured: discovery advertises the configured methods, and a client registered with a method the token
 * endpoint cannot check would hold a client_id it can never use. open-dcr issues no client secrets.
 */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'] as const
/** The regulatory profile presets (config/profiles/). */
export const PROFILE_NAMES = ['obuk', 'cdr', 'brazil', 'rfc7591'] as const
export type ProfileName = (typeof PROFILE_NAMES)[number]
/** How a transport certificate's subject must name the software (trust/subject-rules.ts). */
export const SUBJECT_RULES = ['ob-legacy', 'obwac', 'cdr', 'brazil'] as const
export type SubjectRule = (typeof SUBJECT_RULES)[number]
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number]
export const VALIDATOR_IDS = [
  'ssa-issuer',
  'ssa-signature',
  'transport-certificate',
  'software-status',
  'request-signature',
  'metadata-types',
  'audience',
  'request-issuer',
  'freshness',
  'jti-replay',
  'required-attributes',
  'redirect-uri-format',
  'redirect-uri-subset',
  'hostname-consistency',
  'token-endpoint-auth',
  'algorithms',
  'grant-and-response-types',
  'roles-and-scopes',
  'application-type',
] as const
export type ValidatorId = (typeof VALIDATOR_IDS)[number]

const enabled = (what: string) => boolean(`Run this validator (${what}). Turning it off weakens registration checks.`, true)

export const configSchema = object('open-dcr configuration', {
  profile: string('Regulatory profile preset: sets validator options, mandatory claims, algorithms and media types; every key it sets can still be overridden.', 'obuk', {
    values: PROFILE_NAMES,
  }),
  issuer: string("This authorization server's issuer identifier, an https URL (plain http only when the sandbox starts the server). Registration requests must name it, or one of `audiences`, in `aud`. Required.", ''),
  audiences: stringList('Other accepted `aud` values of registration requests, e.g. the ASPSP organisation id issued by the directory (UK-DCR-21).', []),

  server: object('Listening and transport', {
    host: string('Address to listen on.', '127.0.0.1'),
    port: integer('TCP port to listen on (0 picks a free port).', 8443, { min: 0, max: 65535 }),
    mode: string('`mtls`: HTTPS that asks for a client certificate (Node TLS). `proxy`: plain HTTP behind a TLS-terminating proxy that forwards the client certificate in a header, accepted only from `server.proxy.trustedAddresses`.', 'mtls', {
      values: ['mtls', 'proxy'],
    }),
    bodyLimitBytes: integer('Largest accepted request body; larger bodies get 413 (SEC-19).', 65536, { min: 1024, max: 1048576, unit: 'bytes' }),
    maxConnections: integer('Most open connections (TLS or plain) this process holds at once; a connection past the cap is closed at once (Node `server.maxConnections`). With `workers` each process has its own cap.', 1024, { min: 1, max: 1000000 }),
    tlsHandshakeTimeoutMs: integer('Time a client has to complete the TLS handshake (mode `mtls`); a connection that has not is closed (Node `handshakeTimeout`).', 10000, { min: 100, max: 120000, unit: 'ms' }),
    headersTimeoutMs: integer('Time a client has to send the request line and all headers, counted from the first byte of the request (slowloris); the connection is then answered 408 and closed (Node `headersTimeout`). At most `requestTimeoutMs`.', 10000, { min: 100, max: 120000, unit: 'ms' }),
    requestTimeoutMs: integer('Time a client has to send the whole request, headers and body (a body sent a byte at a time); the connection is then answered 408 and closed (Node `requestTimeout`).', 30000, { min: 100, max: 300000, unit: 'ms' }),
    keepAliveTimeoutMs: integer('How long a kept-alive connection may wait idle for its next request after an answer (Node `keepAliveTimeout`).', 5000, { min: 100, max: 120000, unit: 'ms' }),
    idleTimeoutMs: integer('A connection on which nothing is received or sent for this long is closed, whatever its state (socket timeout, Fastify `connectionTimeout`).', 30000, { min: 100, max: 600000, unit: 'ms' }),
    workers: integer('Processes that serve requests on the one port (node:cluster, src/cluster.ts); 1 = this process alone, 0 = one per CPU core. TLS, parsing and signature checks then use every core; the SQLite writes of all of them take turns on the database file.', 1, { min: 0, max: 64 }),
    tls: object('HTTPS server material (mode `mtls`)', {
      keyFile: string('PEM private key of the server certificate.', ''),
      certFile: string('PEM server certificate (chain).', ''),
      clientCaFiles: stringList('Extra PEM CA files accepted in the TLS handshake, besides every directory\'s `transportCaFiles`.', []),
      minVersion: string('Lowest TLS version (FAPI-6).', 'TLSv1.2', { values: ['TLSv1.2', 'TLSv1.3'] }),
    }),
    proxy: object('Client certificate from a TLS-terminating proxy (mode `proxy`, RFC8705-10, SEC-29)', {
      certificateHeader: string('Header that carries the client certificate: URL-encoded PEM or base64 DER, one certificate.', 'x-ssl-client-cert'),
      trustedAddresses: stringList('Peer IP addresses of the proxies; the header is ignored from any other peer. From these peers `X-Forwarded-For` also gives the client address that audit events and logs record.', []),
    }),
  }),

  registration: object('The registration endpoint', {
    mediaTypes: stringList('Accepted `Content-Type`s of POST/PUT /register. `application/jwt` and `application/jose` carry a compact JWS; `application/json` carries a JWS as a JSON string, or a plain metadata object where `allowUnsignedJson` is on (UK-DCR-4, CDR-DCR-11, BR-DCR-4, SEC-20).', ['application/jose', 'application/jwt', 'application/json'], {
      values: ['application/jose', 'application/jwt', 'application/json'],
    }),
    allowUnsignedJson: boolean('Accept a plain RFC 7591 JSON metadata object (no request signature), as Brazil and plain RFC 7591 do.', false),
    unsupportedMediaTypeStatus: integer('HTTP status for a refused `Content-Type`: 415, or 400 `invalid_request` where the profile\'s specification declares no 415 (UK-DCR-42).', 415, { min: 400, max: 415 }),
    allowMultiplePerSoftwareId: boolean('Allow several live registrations of one software_id (UK-DCR-40: yes; CDR-DCR-15, BR-DCR-25: no).', true),
    clientIdBytes: integer('Random bytes in a client_id (SEC-34: at least 16). The id is its creation time in milliseconds as 12 hex digits, then these bytes in base64url.', 16, { min: 16, max: 64, unit: 'bytes' }),
    requireSoftwareStatement: boolean('Every request must carry a software statement (UK, CDR, Brazil). Off for plain RFC 7591, where a statement is optional but, when sent, is still verified before anything in it is used (RFC7591-14, RFC7591-17).', true),
    requireClientCertificate: boolean('POST /register needs a client certificate that chains to a configured CA (UK-DCR-1, CDR-DCR-1, BR-DCR-1). Off only for plain RFC 7591 without mutual TLS; a certificate that is presented must still chain.', true),
    maxClientsPerSoftware: integer('Most live (active or suspended) registrations of one software_id; one more is refused with `invalid_client_metadata` naming this key, checked in the registration\'s transaction. 0: no cap.', 0, { min: 0, max: 1000000 }),
    maxClientsPerOrganisation: integer('Most live registrations of one organisation (the SSA\'s `ssa.orgIdClaim`); refused and checked like `maxClientsPerSoftware`. 0: no cap.', 0, { min: 0, max: 10000000 }),
    initialAccessTokenHashes: stringList('SHA-256 hashes (base64url) of initial access tokens. When not empty, POST /register needs `Authorization: Bearer <token>` with one of these tokens (RFC7591-3); empty: open registration, as open banking does.', []),
  }),

  rateLimit: object('Requests per client address and per client certificate at POST /register, POST /token and /register/{client_id} (@fastify/rate-limit); past the limit: 429 with Retry-After. Behind a proxy the address is the peer\'s unless `server.proxy.trustedAddresses` lets X-Forwarded-For name the client.', {
    enabled: boolean('Count and limit requests. Off only where a gateway in front already limits them.', true),
    windowSeconds: integer('Length of the fixed window requests are counted in.', 60, { min: 1, max: 3600, unit: 's' }),
    perAddress: integer('Most requests of one client address in one window, certificate or not.', 300, { min: 1, max: 1000000 }),
    perCertificate: integer('Most requests over one client certificate (by SHA-256 thumbprint of the certificate presented, chained or not) in one window.', 120, { min: 1, max: 1000000 }),
    maxTrackedKeys: integer('Most addresses and certificates the in-memory counter tracks at once (least recently seen dropped first).', 100000, { min: 100, max: 10000000 }),
  }),

  audit: object('The audit trail', {
    refusalFlushSeconds: integer('Refusals without any credential (no or untrusted client certificate, a request unreadable before one, a rate-limited request) are counted per client address, operation and reason and written as one audit row per key and interval (with its count) instead of a row each; this is the interval.', 60, { min: 1, max: 3600, unit: 's' }),
    maxRefusalKeys: integer('Most (address, operation, reason) keys counted between two flushes; past it, new keys are counted together under the address `*`.', 10000, { min: 10, max: 1000000 }),
  }),

  ssa: object('Claim names of the software statement for this profile', {
    softwareIdClaim: string('SSA claim with the software id.', 'software_id'),
    orgIdClaim: string('SSA claim with the organisation id.', 'org_id'),
    redirectUrisClaim: string('SSA claim with the master list of redirect URIs.', 'software_redirect_uris'),
    jwksUriClaim: string("SSA claim with the URL of the TPP's signing JWKS.", 'software_jwks_endpoint'),
    revokedJwksUriClaim: string("SSA claim with the URL of the TPP's revoked signing keys (a JWKS, UK `software_jwks_revoked_endpoint`, Brazil `software_jwks_inactive_uri`). When the verified SSA carries it, request-signature refuses a request signed by a key listed there (same `kid` or same JWK thumbprint), as the token endpoint refuses such a `private_key_jwt` assertion, and both refuse with \"try again later\" while that JWKS cannot be fetched (fail closed). The JWKS is cached like every other (`outbound.jwksCacheMaxAgeSeconds`), so a revocation takes effect within that time. Empty: no revoked keys are consulted (CDR, RFC 7591) (UK-DCR-37, SEC-9).", 'software_jwks_revoked_endpoint'),
    rolesClaim: string('SSA claim with the software roles: an array of strings (UK), one space-separated string (CDR), or an array of `{role, status}` objects of which only `status: Active` count (Brazil `software_statement_roles`, BR-DCR-9).', 'software_roles'),
    scopeClaim: string('SSA claim with the granted scopes, used where `validators.roles-and-scopes.scopeSource` is `ssa-scope` (CDR).', 'scope'),
    uriClaims: stringList('SSA claims holding user-facing URIs that must share the redirect URIs\' host (hostname-consistency).', ['software_client_uri', 'software_logo_uri', 'software_tos_uri', 'software_policy_uri']),
  }),

  directories: objectList(
    'Trusted SSA issuers (directories). The SSA `iss` selects one; its keys and transport CAs are the only ones used for that SSA.',
    object('A trusted directory', {
      issuer: string('The SSA `iss` value of this directory, e.g. `OpenBanking Ltd`.', ''),
      profile: string('Profile of registrations under this directory, when it differs from the top-level `profile` (a bank serving several regimes). Its preset replaces the top-level one for those registrations; the rest of the configuration applies to all. Empty: the top-level profile.', '', {
        values: ['', ...PROFILE_NAMES],
      }),
      jwksUrl: optionalString('https URL of the directory signing JWKS (fetched with the `outbound` limits).'),
      jwks: jsonObject('Inline directory JWKS (`{"keys":[...]}`), used instead of `jwksUrl` when it has keys.', {}),
      algorithms: stringList('SSA signature algorithms accepted from this directory.', ['PS256', 'ES256'], { values: SUPPORTED_JWS_ALGORITHMS }),
      transportCaFiles: stringList('PEM files of the CAs that issue this directory\'s transport certificates.', []),
    }),
  ),

  outbound: object('Fetching JWKS from directories and TPPs (SEC-14..17)', {
    timeoutMs: integer('Whole-fetch timeout.', 2000, { min: 100, max: 10000, unit: 'ms' }),
    maxResponseBytes: integer('Largest JWKS response accepted.', 65536, { min: 1024, max: 1048576, unit: 'bytes' }),
    jwksCacheMaxAgeSeconds: integer('How long a fetched JWKS is reused.', 300, { min: 0, max: 86400, unit: 's' }),
    jwksCooldownSeconds: integer('Least time between two fetches of one JWKS URL, including the refetch on an unknown `kid`.', 30, { min: 0, max: 3600, unit: 's' }),
    maxCachedJwks: integer('How many JWKS URLs are cached at once (least recently used dropped first).', 1000, { min: 1, max: 100000 }),
    caFiles: stringList('Extra PEM CA files trusted for outbound https, besides the system store.', []),
    allowedHosts: stringList('If not empty, the only hosts JWKS may be fetched from (exact names).', []),
    allowHttp: boolean('Allow plain-http JWKS URLs. For the sandbox on loopback only.', false, { dangerous: true }),
    allowPrivateAddresses: boolean('Allow JWKS hosts that resolve to loopback, private or link-local addresses. For the sandbox only (SEC-15).', false, { dangerous: true }),
  }),

  validators: object('The validation pipeline; each validator runs in the order of docs/validation.md and can be switched off', {
    'ssa-issuer': object('SSA issuer is a configured directory', { enabled: enabled('SSA iss = a trusted directory') }),
    'ssa-signature': object('SSA signed by its directory', {
      enabled: enabled('SSA signature'),
      algorithms: stringList("SSA algorithms the profile accepts; a directory's own `algorithms` narrow this further (CDR-DCR-8, BR-DCR-5: PS256).", ['PS256', 'ES256'], { values: SUPPORTED_JWS_ALGORITHMS }),
    }),
    'transport-certificate': object('Client certificate binds to the SSA', {
      enabled: enabled('transport certificate chain and subject'),
      subjectRules: stringList('How the certificate subject must name the SSA: `ob-legacy` (CN=software_id, OU=org_id), `obwac` (organizationIdentifier or CN carries org_id), `cdr` (no subject rule: chain only), `brazil` (UID=software_id, organizationIdentifier OFBBR-org_id or OU=org_id). Any one matching rule passes.', ['ob-legacy', 'obwac'], {
        values: SUBJECT_RULES,
      }),
    }),
    'software-status': object('Data recipient and software product are ACTIVE at the CDR Register (CDR-DCR-25..28)', {
      enabled: boolean('Run this validator (ADR and software product ACTIVE at the Register). Needs `registerBaseUrl`.', false),
      registerBaseUrl: string('Base URL of the CDR Register, e.g. `https://api.cdr.gov.au`; the status paths `/cdr-register/v1/<industry>/data-recipients/status` and `.../brands/software-products/status` are appended (CDR-DCR-29).', ''),
      industry: string('`{industry}` path segment of the status endpoints (CDR-DCR-29: only `all`).', 'all'),
      apiVersion: string('`x-v` header sent to the status endpoints (CDR-DCR-29: 3).', '3'),
      minApiVersion: string('`x-min-v` header sent to the status endpoints, the oldest version accepted (CDR-DCR-29: 2); empty to send none.', '2'),
      cacheTtlSeconds: integer('How long fetched statuses are used before they are fetched again (CDR-DCR-25: react within 5 minutes).', 300, { min: 10, max: 3600, unit: 's' }),
      maxStaleSeconds: integer('How long after `cacheTtlSeconds` cached statuses are still used while the Register cannot be reached; after that registration fails closed.', 0, { min: 0, max: 86400, unit: 's' }),
      legalEntityIdClaim: string('SSA claim with the data recipient legal entity id, looked up in the data recipient statuses.', 'legal_entity_id'),
      syncIntervalSeconds: integer('How often registrations of the CDR directory are checked against fresh Register statuses, suspending or reactivating them (CDR-DCR-25: every 2 to 5 minutes).', 300, { min: 60, max: 3600, unit: 's' }),
    }),
    'request-signature': object('Request JWT signed by a key of the TPP JWKS', {
      enabled: enabled('request signature'),
      algorithms: stringList('Accepted request JWT algorithms (FAPI-1).', ['PS256', 'ES256'], { values: SUPPORTED_JWS_ALGORITHMS }),
    }),
    'metadata-types': object('Client metadata has its declared type and bounds (validation/metadata-schema.ts)', {
      enabled: enabled('type and bounds of every known metadata field of request and SSA, jwks_uri by the outbound policy, no server-issued members, unknown members bounded (SEC-19, SEC-22)'),
    }),
    audience: object('Request aud names this server', { enabled: enabled('aud = issuer or audiences') }),
    'request-issuer': object('Request iss is the SSA software_id', { enabled: enabled('iss = SSA software_id, software_id unchanged') }),
    freshness: object('Issuance and expiry times', {
      enabled: enabled('iat/exp of request and SSA'),
      clockSkewSeconds: integer('Tolerated clock difference (SEC-12: at most 300).', 60, { min: 0, max: 300, unit: 's' }),
      maxRequestAgeSeconds: integer('Oldest accepted request `iat`.', 300, { min: 1, max: 86400, unit: 's' }),
      maxRequestLifetimeSeconds: integer('Longest accepted request `exp - iat` (SEC-13).', 3600, { min: 1, max: 86400, unit: 's' }),
      requireRequestExp: boolean('The request JWT must carry `exp` (SEC-12).', true),
      maxSsaAgeSeconds: integer('Oldest accepted SSA `iat` (UK-DCR-36, BR-DCR-6: 300; 0 = no limit).', 600, { min: 0, max: 31536000, unit: 's' }),
      requireSsaExp: boolean('The SSA must carry `exp` (CDR-DCR-10).', false),
    }),
    'jti-replay': object('Each jti used once', {
      enabled: enabled('jti of request and SSA never seen before'),
      requireSsaJti: boolean('The SSA must carry a `jti` (UK-DCR-36, CDR-DCR-10). Brazil SSAs carry none: off there, and an SSA jti is checked only when present.', true),
      retentionSeconds: integer('How long a jti without `exp` is remembered (at least the largest accepted age).', 86400, { min: 60, max: 31536000, unit: 's' }),
    }),
    'required-attributes': object('Mandatory claims', {
      enabled: enabled('configured mandatory claims present and not empty'),
      request: stringList('Claims the request must carry (UK-DCR-18).', ['iss', 'iat', 'exp', 'aud', 'jti', 'token_endpoint_auth_method', 'grant_types', 'software_statement', 'application_type', 'id_token_signed_response_alg', 'request_object_signing_alg']),
      ssa: stringList('Claims the SSA must carry.', ['iss', 'iat', 'jti', 'software_id', 'org_id', 'software_redirect_uris', 'software_jwks_endpoint', 'software_roles']),
    }),
    'redirect-uri-format': object('Redirect URIs are https and public', {
      enabled: enabled('https, no localhost/loopback, no fragment/userinfo/wildcard'),
      maxLength: integer('Longest redirect URI (UK-DCR-23).', 256, { min: 16, max: 2048, unit: 'characters' }),
      maxCount: integer('Most redirect URIs in one request or SSA (SEC-19).', 20, { min: 1, max: 200 }),
    }),
    'redirect-uri-subset': object('Request redirect URIs are in the SSA', { enabled: enabled('request redirect_uris ⊆ SSA redirect URIs') }),
    'hostname-consistency': object('SSA URIs share one host', { enabled: enabled('redirect, logo, tos, policy and client URIs on one host') }),
    'token-endpoint-auth': object('Token endpoint authentication method', {
      enabled: enabled('auth method allowed, its companion claims present'),
      methods: stringList('Accepted token_endpoint_auth_method values (FAPI-2).', ['private_key_jwt', 'tls_client_auth'], { values: TOKEN_ENDPOINT_AUTH_METHODS }),
      signingAlgorithms: stringList('Accepted token_endpoint_auth_signing_alg values.', ['PS256', 'ES256'], { values: SUPPORTED_JWS_ALGORITHMS }),
      matchSubjectDn: boolean('For tls_client_auth, `tls_client_auth_subject_dn` must equal the presented certificate\'s subject (UK-DCR-26).', true),
      subjectDnSyntax: string('How `tls_client_auth_subject_dn` is written: `rfc4514` (any RFC 4514 string), or `brazil`: only the subject DN identifies the certificate (no SAN, BR-DCR-16), attributes without an RFC 4514 short name are written `<oid>=#<hex DER>` and compared by value (BR-DCR-13, BR-DCR-14).', 'rfc4514', {
        values: ['rfc4514', 'brazil'],
      }),
      allowJwksByValue: boolean('Accept client keys by value (`jwks`) at registration and use them at the token endpoint. Off where a client\'s keys come from its directory (UK, CDR, Brazil; BR-DCR-18, FAPI-7): keys a request carries were never published by the directory and escape its rotation and revocation. On only for plain RFC 7591.', false),
      jwksUriMatchesSsa: boolean('A request `jwks_uri` must equal the SSA\'s JWKS URI claim (`ssa.jwksUriClaim`) (BR-DCR-19).', false),
    }),
    algorithms: object('Signing algorithms named in metadata', {
      enabled: enabled('every *_alg claim in the allowed set'),
      allowed: stringList('Accepted algorithm values (FAPI-1, UK-DCR-44).', ['PS256', 'ES256'], { values: SUPPORTED_JWS_ALGORITHMS }),
      claims: stringList('Metadata claims checked.', ['id_token_signed_response_alg', 'request_object_signing_alg', 'userinfo_signed_response_alg', 'authorization_signed_response_alg', 'introspection_signed_response_alg', 'backchannel_authentication_request_signing_alg']),
    }),
    'grant-and-response-types': object('Grant and response types', {
      enabled: enabled('allowed and mutually consistent (RFC7591-9)'),
      grantTypes: stringList('Accepted grant_types.', ['authorization_code', 'refresh_token', 'client_credentials', 'urn:openid:params:grant-type:ciba']),
      responseTypes: stringList('Accepted response_types.', ['code', 'code id_token']),
      jarmAndHybridClaims: boolean('`code` needs `authorization_signed_response_alg` (JARM), `code id_token` needs `id_token_encrypted_response_alg` and `_enc`, `authorization_encrypted_response_enc` needs `_alg`; encryption values from the lists below (CDR-DCR-13).', false),
      encryptionAlgorithms: stringList('Accepted `id_token_encrypted_response_alg` / `authorization_encrypted_response_alg` values (when `jarmAndHybridClaims` is on).', ['RSA-OAEP', 'RSA-OAEP-256']),
      encryptionEncodings: stringList('Accepted `id_token_encrypted_response_enc` / `authorization_encrypted_response_enc` values (when `jarmAndHybridClaims` is on).', ['A256GCM', 'A128CBC-HS256']),
    }),
    'roles-and-scopes': object('Scopes allowed by the SSA roles', {
      enabled: enabled('requested scopes ⊆ scopes of the SSA roles (UK-DCR-28)'),
      scopeSource: string('Where the SSA grants scopes: `roles` (the roles claim through `roleScopes`: UK, Brazil) or `ssa-scope` (the SSA `scope` claim itself: CDR).', 'roles', { values: ['roles', 'ssa-scope'] }),
      roleScopes: stringListMap('Scopes each SSA role grants.', { AISP: ['accounts'], PISP: ['payments'], CBPII: ['fundsconfirmations'] }),
      alwaysAllowed: stringList('Scopes any client may have.', ['openid']),
    }),
    'application-type': object('Application type', {
      enabled: enabled('application_type allowed'),
      allowed: stringList('Accepted application_type values (absent means `web`).', ['web', 'mobile', 'native']),
    }),
  }),

  metadataPolicy: object('What the bank registers, which may differ from what was asked (UK-DCR-31..33, seed 004)', {
    defaults: jsonObject('Values registered when the request and SSA give none, e.g. `{"response_types":["code id_token"]}`.', {
      response_types: ['code id_token'],
      application_type: 'web',
    }),
    defaultsWhenRegistered: jsonObject('Defaults that apply only when another member is registered: `{"<member>": {"<other>": value}}` registers `<other>: value` when `<member>` is registered and `<other>` is not. The schema default holds the specifications\' own rules: an encryption `*_enc` defaults to A128CBC-HS256 when its `*_alg` is given (OpenID Connect Registration §2, JARM §3, CDR request table).', {
      id_token_encrypted_response_alg: { id_token_encrypted_response_enc: 'A128CBC-HS256' },
      userinfo_encrypted_response_alg: { userinfo_encrypted_response_enc: 'A128CBC-HS256' },
      request_object_encryption_alg: { request_object_encryption_enc: 'A128CBC-HS256' },
      authorization_encrypted_response_alg: { authorization_encrypted_response_enc: 'A128CBC-HS256' },
    }),
    overrides: jsonObject('Values always registered, whatever was asked, e.g. `{"tls_client_certificate_bound_access_tokens": true}`.', {
      tls_client_certificate_bound_access_tokens: true,
    }),
    scopeFromRoles: boolean('When the request has no `scope`, register every scope the SSA roles allow (UK-DCR-33).', true),
    redirectUrisFromSsa: boolean('When the request has no `redirect_uris`, register the SSA\'s (UK-DCR-24).', true),
    dropUnknownMetadata: boolean('Drop request members that are not known client metadata instead of registering them (CDR-DCR-4). Every preset drops them; software statement claims are always registered, within the two bounds below.', true),
    maxUnknownMembers: integer('Most members that are not known client metadata (validation/metadata-schema.ts) kept from one request (when `dropUnknownMetadata` is off) or one software statement; more are refused by metadata-types (SEC-19). A UK statement carries about 25 such claims.', 64, { min: 0, max: 256 }),
    maxUnknownMemberBytes: integer('Largest such member kept, as JSON; a larger one is refused by metadata-types (SEC-19).', 8192, { min: 64, max: 65536, unit: 'bytes' }),
    supportedScopes: stringList('Scopes this bank supports; other scopes (from the request, the SSA or its roles) are left out of the registration without an error (CDR-DCR-16). Empty: no filter.', []),
    fromSsa: jsonObject('Metadata taken from differently named SSA claims, the SSA value winning over the request (BR-DCR-22, BR-DCR-23), e.g. `{"client_name":"software_client_name","jwks_uri":"software_jwks_uri"}`.', {}),
  }),

  errors: object('Error answers of refused registrations', {
    descriptions: jsonObject('Replaces the `error_description` of a refusal. Keys: a validator id (`redirect-uri-subset`, `duplicate-registration`, `software-status`, ...) or an RFC 7591 error code as fallback; values: a template where `{detail}` is open-dcr\'s own description and `{claim}` the claim at fault (CDR-DCR-24).', {}),
    duplicateError: string('RFC 7591 error code of a refused second registration of one software_id (CDR-DCR-23: the standard says `invalid_software_statement`, the mock data holder `invalid_client_metadata`).', 'invalid_client_metadata', {
      values: ['invalid_client_metadata', 'invalid_software_statement'],
    }),
  }),

  customValidators: object('Checks of your own, run after the built-in ones with the same contract (docs/extension-openapi.yaml, examples/)', {
    modules: stringList('Module paths (absolute, or relative to the working directory) loaded at start; each default-exports a validator `{ id, operations, requirements, summary, errors, check(ctx) }` or an array of them.', []),
    http: object('An HTTP extension service asked for a decision on each registration', {
      url: optionalString('URL the registration facts are POSTed to (docs/extension-openapi.yaml); unset: no extension service.'),
      timeoutMs: integer('Whole-call timeout of the extension service.', 2000, { min: 100, max: 30000, unit: 'ms' }),
      maxResponseBytes: integer('Largest accepted answer of the extension service.', 65536, { min: 1024, max: 1048576, unit: 'bytes' }),
      caFiles: stringList('Extra PEM CA files trusted for an https extension service, besides the system store.', []),
      failOpen: boolean('Let a registration through when the extension service times out, fails or answers garbage. Off (fail closed) unless the service is purely advisory.', false, { dangerous: true }),
    }),
  }),

  tokens: object('The token endpoint and its access tokens (RFC 6749 client credentials, RFC 8705)', {
    signingKeysFile: string('Private JWKS (JSON) of the server signing keys. The first key signs; every key is published at /jwks, so a new key can be put first while tokens signed by the old one are still verified (rotation). Created with one new key when missing (mode 0600, in a folder created 0700). `open-dcr serve` requires it set: the default is the sandbox\'s folder in the working directory.', '.open-dcr/server-signing-keys.json'),
    signingAlgorithm: string('Algorithm of a key generated when the keys file is missing.', 'PS256', { values: ['PS256', 'ES256'] }),
    accessTokenLifetimeSeconds: integer('Lifetime of an access token.', 300, { min: 30, max: 3600, unit: 's' }),
    clientAssertionMaxLifetimeSeconds: integer('Longest accepted `exp - iat` (and age) of a private_key_jwt client assertion.', 300, { min: 30, max: 3600, unit: 's' }),
    certificateBound: boolean('Bind access tokens to the client certificate of the token request (`cnf.x5t#S256`, RFC8705-6, FAPI-3).', true),
  }),

  management: object('Reading, updating and deleting a registration (RFC 7592)', {
    operations: stringList('Management operations offered at /register/{client_id}; the others answer 405 (UK-DCR-10, RFC7592-16).', ['read', 'update', 'delete'], { values: ['read', 'update', 'delete'] }),
    tokenKind: string('What authorises management: `client-credentials`, an access token of the token endpoint issued to that client (UK-DCR-2, CDR-DCR-2), or `registration-access-token`, the RFC 7592 token returned at registration (BR-DCR-27).', 'client-credentials', {
      values: ['client-credentials', 'registration-access-token'],
    }),
    requiredScope: string('Scope a client-credentials token must carry for management (CDR: `cdr:registration`); empty for none (UK-DCR-2).', ''),
    rotation: string('When a registration access token is replaced: `on-use` (each GET and PUT answers with a new one, so that every 200 carries the `registration_access_token` RFC 7592 §3 requires; the only value accepted with `tokenKind: registration-access-token`), `on-update` (each PUT) or `never` (kept for client-credentials configurations, where no registration access token exists).', 'on-use', {
      values: ['never', 'on-update', 'on-use'],
    }),
    rotationGraceSeconds: integer('How long the previous registration access token still works after a rotation, so that a lost response does not lock the TPP out; 0: it stops at once (brazil and rfc7591, docs/profiles.md).', 60, { min: 0, max: 3600, unit: 's' }),
    unknownClientError: string('The OAuth `error` of the 401 for a token of another client or an unknown client id (SEC-33, RFC7592-5): `invalid_token` (RFC 6750), or `invalid_request` as the CDR reference authorisation server answers.', 'invalid_token', {
      values: ['invalid_token', 'invalid_request'],
    }),
    allowSignedRecovery: boolean('Accept a PUT /register/{client_id} sent with `Authorization: Signed-Recovery` (no token) when its fresh signed request and software statement pass the whole validation pipeline for the registered software, over the registered transport certificate or one whose subject names that software; answered with a new registration access token. A PUT without an Authorization header never takes this path. Off in every preset (docs/management.md).', false),
  }),

  admin: object('The admin listener: health, readiness and metrics for the operator, never on the public mTLS port (DESIGN.md, Operations)', {
    enabled: boolean('Serve the admin listener.', true),
    host: string('Address of the admin listener; keep it on loopback or an operations network.', '127.0.0.1'),
    port: integer('TCP port of the admin listener; 0: the server port + 1, or any free port when `server.port` is 0.', 0, { min: 0, max: 65535 }),
  }),

  store: object('Persistence', {
    kind: string('Store backend. `sqlite`: one embedded file (`store.path`), for one process. `postgres`: a PostgreSQL database (`store.url`) that several instances share, with replay protection and exclusive software ids exact across them.', 'sqlite', { values: ['sqlite', 'postgres'] }),
    path: string('SQLite database file, created when missing (mode 0600, in a folder created 0700). `open-dcr serve` requires it set: the default is the sandbox\'s folder in the working directory.', '.open-dcr/open-dcr.db'),
    synchronous: string('SQLite `synchronous` pragma. `FULL`: an answered registration survives a power loss. `NORMAL` is faster but may lose the last commits on power loss (never corrupts).', 'FULL', {
      values: ['FULL', 'NORMAL'],
    }),
    groupCommit: boolean('Commit the writes of concurrent requests together: one transaction and one WAL sync for all the writes asked for in one turn of the event loop, each in its own savepoint. Every request is still answered only after its write is committed, so durability is that of `synchronous`; turning it off gives one sync per write (slower under load).', true),
    url: optionalString('PostgreSQL connection URL (`postgres://user:password@host:5432/database`, `?sslmode=verify-full` for TLS), required with `kind: postgres`. It may hold the password: pass it as `OPEN_DCR_STORE__URL` rather than in a file; it is never logged.'),
    pool: integer('Most PostgreSQL connections one instance holds (`kind: postgres`); the database must allow instances × pool connections.', 10, { min: 1, max: 200 }),
    statementTimeoutMs: integer('Longest one PostgreSQL statement, or the wait for a pooled connection, may take (`kind: postgres`); past it the request is answered 503 with Retry-After (`server.store_unavailable`) and its transaction rolled back.', 5000, { min: 100, max: 600000, unit: 'ms' }),
    jtiPurgeIntervalSeconds: integer('How often expired JTIs are deleted (and, with `auditRetentionDays`, old audit events).', 300, { min: 10, max: 86400, unit: 's' }),
    auditRetentionDays: integer('Audit events older than this are deleted by the periodic purge. 0: kept forever.', 400, { min: 0, max: 36500, unit: 'days' }),
  }),

  log: object('Logging (pino, JSON lines on stdout)', {
    level: string('Log level.', 'info', { values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
  }),

  unsafe: object('Switches for tests only, never for a server that registers real clients (docs/security.md)', {
    allowUnverifiedTrust: boolean('Start even though `validators.ssa-signature.enabled` is false in a profile in use. Without this, start-up refuses that: every software statement claim would then be unverified, request-signature would verify requests with keys from the JWKS URL the unverified statement names, and its `iss` would choose a directory\'s profile. For tests of a deliberately lax server; refused where `NODE_ENV` is `production`.', false, { dangerous: true }),
  }),
})

/** A resolved configuration; loadConfig adds the directories' own profiles (directory-profiles.ts). */
export type Config = Infer<typeof configSchema> & WithDirectoryProfiles
export type DirectoryConfig = Config['directories'][number]
