/**
 * POST /token and GET /jwks end to end: a client registered through POST /register on a real server over
 * real mutual TLS, then a client credentials token requested with private_key_jwt (signed by the sandbox
 * TPP key), tls_client_auth or self_signed_tls_client_auth, verified with jose against GET /jwks and
 * checked for its certificate binding (RFC8705-6). Each refusal is checked for its exact status, whole body
 * (RFC 6749 error code and description), WWW-Authenticate challenge (every 401 carries one, RFC 9110 §15.5.2)
 * and its audit event.
 */
import assert from 'node:assert/strict'
import { randomUUID, type X509Certificate } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { after, before, describe, it, type TestContext } from 'node:test'
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose'
import { pino } from 'pino'
import { thumbprintOf } from '../../src/http/client-cert.ts'
import type { IssuedCertificate } from '../../src/sandbox/ca.ts'
import { mtlsRequest, type MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/tokens/client-auth/private-key-jwt.ts'
import { ISSUER, sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

const TOKEN_ENDPOINT = `${ISSUER}/token`
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

let sandbox: Sandbox
let otherSubjectCertificate: IssuedCertificate
before(async () => {
  sandbox = await sharedSandbox()
  otherSubjectCertificate = await sandbox.ca.issueClient({ subject: 'CN=SomeOtherSoftware,OU=0015800001OTHERORG,O=OpenBanking,C=GB' })
})
after(() => sandbox.close())

const now = () => Math.floor(Date.now() / 1000)
const x5tS256 = (certificate: X509Certificate): string => thumbprintOf(certificate.raw)

/** Registers a client through POST /register (request claims `overrides` applied); returns its client_id. */
async function registerClient(s: TestServer, overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await s.register(await s.signedRequest({ overrides }))
  assert.equal(response.status, 201, response.text)
  return (response.json as { client_id: string }).client_id
}

/** The claims of a valid client assertion for `clientId`; `overrides` with undefined remove a claim. */
function assertionClaims(clientId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = now()
  const claims: Record<string, unknown> = { iss: clientId, sub: clientId, aud: TOKEN_ENDPOINT, iat, exp: iat + 60, jti: randomUUID(), ...overrides }
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
  return claims
}

/** A client assertion signed by the sandbox TPP's registered key. */
const assertionFor = (clientId: string, overrides: Record<string, unknown> = {}): Promise<string> => sandbox.tpp.signRequest(assertionClaims(clientId, overrides))

/** Form parameters of a private_key_jwt client credentials request. */
const privateKeyJwtForm = (assertion: string, extra: Record<string, string> = {}): Record<string, string> => ({
  grant_type: 'client_credentials',
  client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
  client_assertion: assertion,
  ...extra,
})

type TokenCall = { certificate?: IssuedCertificate | null; headers?: Record<string, string>; body?: string }

/** POST /token over mutual TLS with the TPP's transport certificate (or `certificate`, or none with null). */
function requestToken(s: TestServer, form: Record<string, string> | Array<[string, string]>, options: TokenCall = {}): Promise<MtlsResponse> {
  const certificate = options.certificate === undefined ? sandbox.tpp.transport : options.certificate
  return mtlsRequest({
    url: `${s.server.url}/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...options.headers },
    body: options.body ?? new URLSearchParams(form).toString(),
    ...(certificate ? { cert: certificate.certificatePem, key: certificate.privateKeyPem } : {}),
    ca: sandbox.caCertificatePem,
  })
}

async function serverJwks(s: TestServer): Promise<{ response: MtlsResponse; jwks: JSONWebKeySet }> {
  const response = await mtlsRequest({ url: `${s.server.url}/jwks`, ca: sandbox.caCertificatePem })
  return { response, jwks: response.json as JSONWebKeySet }
}

/** The challenge of a 401 at /token under the sandbox profile: its accepted client authentication methods. */
const ACCEPTED_METHODS = 'private_key_jwt, tls_client_auth'

/**
 * A 400 answers its own description; a failed client authentication (401) answers CLIENT_AUTHENTICATION_FAILED
 * whatever its `reason`, which only the audit event records (SEC-33); a 401 refused before any client is named
 * (no client certificate) answers its own `description`.
 */
type Refusal =
  | { status: 400; error: string; description: string }
  | { status: 401; error: 'invalid_client'; reason: string; challenge?: string }
  | { status: 401; error: 'invalid_client'; description: string; challenge?: string }

/** The one body of every failed client authentication at /token (SEC-33). */
const CLIENT_AUTHENTICATION_FAILED = {
  error: 'invalid_client',
  error_description: "client authentication failed: authenticate with the method and keys the client registered, over the transport certificate it registered with (or its renewal); the reason is recorded in the server's audit trail",
}

/** Checks a refusal: status, the whole body, WWW-Authenticate (default for a 401: ACCEPTED_METHODS), no-store, and its audit event. */
async function expectRefusal(s: TestServer, response: MtlsResponse, expected: Refusal): Promise<void> {
  const body = 'reason' in expected ? CLIENT_AUTHENTICATION_FAILED : { error: expected.error, error_description: expected.description }
  assert.deepStrictEqual(
    { status: response.status, body: response.json, challenge: response.headers['www-authenticate'] },
    { status: expected.status, body, challenge: expected.status === 401 ? (expected.challenge ?? ACCEPTED_METHODS) : undefined },
  )
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.equal(response.headers.pragma, 'no-cache')
  assert.doesNotMatch(response.text, /eyJ[A-Za-z0-9_-]{20,}\.eyJ/, 'no assertion or token echoed')
  const [audit] = await s.server.store.listAudit(1)
  assert.deepEqual({ operation: audit?.operation, outcome: audit?.outcome, errorCode: audit?.errorCode }, { operation: 'token', outcome: 'rejected', errorCode: expected.error })
  if ('reason' in expected) assert.equal(audit?.detail, expected.reason, 'the audit event records the reason the answer does not give')
  assert.doesNotMatch(JSON.stringify(audit), /eyJ[A-Za-z0-9_-]{20,}\./, 'the audit event holds no assertion')
}

describe('POST /token (client credentials, RFC 6749 §4.4) over mutual TLS', () => {
  it('issues a certificate-bound access token to a private_key_jwt client, verifiable with GET /jwks (RFC8705-6)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const clientId = await registerClient(s)
    const response = await requestToken(s, privateKeyJwtForm(await assertionFor(clientId)))
    assert.equal(response.status, 200, response.text)
    assert.equal(response.headers['cache-control'], 'no-store')
    assert.equal(response.headers.pragma, 'no-cache')
    assert.match(response.headers['content-type'] as string, /^application\/json/)
    const body = response.json as Record<string, unknown>
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type'])
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.expires_in, s.config.tokens.accessTokenLifetimeSeconds)
    assert.equal(body.scope, 'openid accounts payments', 'no scope asked: every registered scope')

    const { jwks } = await serverJwks(s)
    const { payload, protectedHeader } = await jwtVerify(body.access_token as string, createLocalJWKSet(jwks), { issuer: ISSUER, audience: ISSUER, typ: 'at+jwt', algorithms: ['PS256', 'ES256'] })
    assert.equal(payload.client_id, clientId)
    assert.equal(payload.sub, clientId)
    assert.equal(payload.scope, 'openid accounts payments')
    assert.equal(payload.exp! - payload.iat!, s.config.tokens.accessTokenLifetimeSeconds)
    assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(sandbox.tpp.transport.certificate) })
    assert.equal(protectedHeader.kid, jwks.keys[0]?.kid)

    const [audit] = await s.server.store.listAudit(1)
    assert.deepEqual({ operation: audit?.operation, outcome: audit?.outcome, clientId: audit?.clientId }, { operation: 'token', outcome: 'success', clientId })
    assert.equal(audit?.certificateThumbprint, x5tS256(sandbox.tpp.transport.certificate))
    assert.ok(!JSON.stringify(audit).includes(body.access_token as string), 'the audit event holds no token')
  })

  it('refuses a client_assertion signed with a key listed at the software_jwks_revoked_endpoint, and accepts it once unlisted (UK-DCR-37)', async (t) => {
    // No JWKS caching, so that the server sees each change of the revoked set at once.
    const s = await startDcrServer(t, sandbox, { outbound: { jwksCacheMaxAgeSeconds: 0 } })
    const clientId = await registerClient(s)
    const revokedPath = new URL(sandbox.manifest.tpp.revokedJwksUrl).pathname
    t.after(() => void sandbox.jwksServer.publish(revokedPath, { keys: [] }))
    sandbox.jwksServer.publish(revokedPath, sandbox.tpp.publicJwks)
    const refused = await requestToken(s, privateKeyJwtForm(await assertionFor(clientId)))
    await expectRefusal(s, refused, { status: 401, error: 'invalid_client', reason: `client_assertion is signed with the kid "${sandbox.tpp.kid}", which is revoked: it is listed at software_jwks_revoked_endpoint ${sandbox.manifest.tpp.revokedJwksUrl}; sign with a current key` })

    // A revoked set that cannot be read clears no key (fail closed).
    sandbox.jwksServer.publish(revokedPath, { not: 'a JWK Set' } as unknown as JSONWebKeySet)
    const unreadable = await requestToken(s, privateKeyJwtForm(await assertionFor(clientId)))
    await expectRefusal(s, unreadable, { status: 401, error: 'invalid_client', reason: `the revoked keys at software_jwks_revoked_endpoint ${sandbox.manifest.tpp.revokedJwksUrl} could not be fetched, so the client_assertion key cannot be checked against them; try again later` })

    sandbox.jwksServer.publish(revokedPath, { keys: [] })
    const accepted = await requestToken(s, privateKeyJwtForm(await assertionFor(clientId)))
    assert.equal(accepted.status, 200, accepted.text)
  })

  it('grants exactly the requested scopes when they are registered, and accepts aud = issuer, client_id = iss and a charset parameter', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const clientId = await registerClient(s)
    const form = privateKeyJwtForm(await assertionFor(clientId, { aud: ISSUER }), { scope: 'accounts  openid', client_id: clientId })
    const response = await requestToken(s, form, { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } })
    assert.equal(response.status, 200, response.text)
    assert.equal((response.json as { scope: string }).scope, 'accounts openid')
  })

  it('issues an unbound token when tokens.certificateBound is off', async (t) => {
    const s = await startDcrServer(t, sandbox, { tokens: { certificateBound: false } })
    const clientId = await registerClient(s)
    const response = await requestToken(s, privateKeyJwtForm(await assertionFor(clientId)))
    assert.equal(response.status, 200, response.text)
    const { jwks } = await serverJwks(s)
    const { payload } = await jwtVerify((response.json as { access_token: string }).access_token, createLocalJWKSet(jwks), { issuer: ISSUER })
    assert.equal(payload.cnf, undefined)
  })

  describe('refusals', () => {
    it('refuses grant_type password with 400 unsupported_grant_type', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor(clientId), { grant_type: 'password' })), { status: 400, error: 'unsupported_grant_type', description: 'grant_type "password" is not supported; this token endpoint serves grant_type=client_credentials' })
    })

    it('refuses a request without grant_type with 400 invalid_request', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      const form = privateKeyJwtForm(await assertionFor(clientId))
      delete form.grant_type
      await expectRefusal(s, await requestToken(s, form), { status: 400, error: 'invalid_request', description: 'grant_type is required; this token endpoint serves grant_type=client_credentials' })
    })

    it('refuses an unknown client with 401 invalid_client', async (t) => {
      const s = await startDcrServer(t, sandbox)
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor('no-such-client'))), { status: 401, error: 'invalid_client', reason: 'client_id "no-such-client" is not a registered client; register with POST /register first' })
    })

    it('refuses an assertion signed by a stranger key under the TPP kid', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      const { privateKey } = await generateKeyPair('PS256')
      const stranger = await new SignJWT(assertionClaims(clientId)).setProtectedHeader({ alg: 'PS256', kid: sandbox.tpp.kid, typ: 'JWT' }).sign(privateKey)
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(stranger)), { status: 401, error: 'invalid_client', reason: `client_assertion signature does not verify with the key "${sandbox.tpp.kid}" of the client's keys at software_jwks_endpoint "${sandbox.manifest.tpp.jwksUrl}"; sign with the private key of that JWK` })
    })

    it('refuses an expired assertion', async (t) => {
      const at = now()
      const s = await startDcrServer(t, sandbox, {}, { clock: () => at * 1000 })
      const clientId = await registerClient(s)
      const assertion = await assertionFor(clientId, { iat: at - 660, exp: at - 600 })
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(assertion)), { status: 401, error: 'invalid_client', reason: `client_assertion has expired (exp ${at - 600}, now ${at}); sign a new assertion` })
    })

    it('refuses a replayed assertion jti', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      const assertion = await assertionFor(clientId)
      assert.equal((await requestToken(s, privateKeyJwtForm(assertion))).status, 200)
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(assertion)), { status: 401, error: 'invalid_client', reason: 'client_assertion jti has already been used: sign a new assertion with a fresh jti for each token request (RFC 7523 §3)' })
    })

    it('refuses an assertion whose aud is another server', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      const assertion = await assertionFor(clientId, { aud: 'https://another-bank.example.com/token' })
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(assertion)), { status: 401, error: 'invalid_client', reason: `client_assertion aud must name this token endpoint: set it to ${TOKEN_ENDPOINT} (or the issuer ${ISSUER})` })
    })

    it('refuses a client_id parameter that is not the assertion iss', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      const otherClientId = await registerClient(s)
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor(clientId), { client_id: otherClientId })), { status: 401, error: 'invalid_client', reason: `client_assertion iss must be the client_id "${otherClientId}" (RFC 7523 §3)` })
    })

    it('refuses a scope beyond the registered ones with 400 invalid_scope', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor(clientId), { scope: 'openid fundsconfirmations' })), { status: 400, error: 'invalid_scope', description: 'scope "fundsconfirmations" is not registered for this client; request only registered scopes: "openid accounts payments"' })
    })

    it('refuses the management scope (cdr:registration) when the client did not register it', async (t) => {
      const s = await startDcrServer(t, sandbox, { management: { requiredScope: 'cdr:registration' } })
      const clientId = await registerClient(s)
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor(clientId), { scope: 'cdr:registration' })), { status: 400, error: 'invalid_scope', description: 'scope "cdr:registration" is not registered for this client (cdr:registration, needed to manage the registration, must be registered first); request only registered scopes: "openid accounts payments"' })
    })

    it('refuses a client not registered for client_credentials with 400 unauthorized_client', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s, { grant_types: ['authorization_code'] })
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor(clientId))), { status: 400, error: 'unauthorized_client', description: 'the client is not registered for grant_type client_credentials; add it to grant_types with PUT /register/{client_id}' })
    })

    it('refuses a deleted client with 401 invalid_client, like an unknown one', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      await s.server.store.deleteClient(clientId, now(), { at: Date.now(), operation: 'delete', outcome: 'success', clientId })
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor(clientId))), { status: 401, error: 'invalid_client', reason: `client_id "${clientId}" is not a registered client; register with POST /register first` })
    })

    it('refuses a client whose registered method the profile no longer allows', async (t) => {
      // The validator is off so that the private_key_jwt client registers; the token endpoint still applies the profile's methods.
      const s = await startDcrServer(t, sandbox, { validators: { 'token-endpoint-auth': { enabled: false, methods: ['tls_client_auth'] } } })
      const clientId = await registerClient(s)
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor(clientId))), { status: 401, error: 'invalid_client', reason: 'the client\'s registered token_endpoint_auth_method "private_key_jwt" is not accepted by this server; update the registration with one of tls_client_auth', challenge: 'tls_client_auth' })
    })

    it('refuses a repeated parameter with 400 invalid_request', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      const form = Object.entries(privateKeyJwtForm(await assertionFor(clientId)))
      await expectRefusal(s, await requestToken(s, [...form, ['grant_type', 'client_credentials']]), { status: 400, error: 'invalid_request', description: 'parameter "grant_type" appears more than once; send each parameter once (RFC 6749 \\u00a73.2)' })
    })

    it('refuses a JSON body with 400 invalid_request', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      const body = JSON.stringify(privateKeyJwtForm(await assertionFor(clientId)))
      await expectRefusal(s, await requestToken(s, {}, { body, headers: { 'content-type': 'application/json' } }), { status: 400, error: 'invalid_request', description: 'Content-Type application/json is not accepted here; send the token request as application/x-www-form-urlencoded' })
    })

    it('refuses a request without a client certificate with 401 invalid_client and a challenge naming the accepted methods (RFC 9110 §15.5.2)', async (t) => {
      const s = await startDcrServer(t, sandbox, { audit: { refusalFlushSeconds: 1 } })
      const clientId = await registerClient(s)
      const response = await requestToken(s, privateKeyJwtForm(await assertionFor(clientId)), { certificate: null })
      // Counted, then written as one row at the next flush (audit/refusal-counter.ts).
      await new Promise((resolve) => setTimeout(resolve, 1200))
      await expectRefusal(s, response, { status: 401, error: 'invalid_client', description: 'a client certificate is required: call this endpoint over mutual TLS with your transport certificate' })
    })

    it('refuses credentials in the Authorization header with 401 and a WWW-Authenticate challenge (RFC 6749 §5.2)', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s)
      const response = await requestToken(s, { grant_type: 'client_credentials' }, { headers: { authorization: `Basic ${Buffer.from(`${clientId}:secret`).toString('base64')}` } })
      await expectRefusal(s, response, {
        status: 401,
        error: 'invalid_client',
        reason: 'this token endpoint takes no client credentials in the Authorization header; authenticate with the registered method (private_key_jwt, tls_client_auth)',
        challenge: `Basic error="invalid_client", ${ACCEPTED_METHODS}`,
      })
    })

    it('answers a Bearer Authorization header with the accepted methods, never invalid_client inside a Bearer challenge', async (t) => {
      const s = await startDcrServer(t, sandbox)
      await registerClient(s)
      const response = await requestToken(s, { grant_type: 'client_credentials' }, { headers: { authorization: 'Bearer some-access-token' } })
      await expectRefusal(s, response, {
        status: 401,
        error: 'invalid_client',
        reason: 'this token endpoint takes no client credentials in the Authorization header; authenticate with the registered method (private_key_jwt, tls_client_auth)',
      })
    })

    it('answers a failed private_key_jwt authentication, which uses no HTTP scheme, with a challenge naming the accepted methods (RFC 9110 §15.5.2)', async (t) => {
      const s = await startDcrServer(t, sandbox, { validators: { 'token-endpoint-auth': { methods: ['private_key_jwt'] } } })
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor('no-such-client'))), {
        status: 401,
        error: 'invalid_client',
        reason: 'client_id "no-such-client" is not a registered client; register with POST /register first',
        challenge: 'private_key_jwt',
      })
    })
  })

  describe('one answer for every failed client authentication (SEC-33)', () => {
    it('answers an unknown client, a wrong key and a wrong certificate byte for byte alike, quoting neither a client_id nor a JWKS URL, with each reason only in the audit trail', async (t) => {
      const logged: string[] = []
      const s = await startDcrServer(t, sandbox, {}, { logger: pino({ level: 'info' }, { write: (line: string) => void logged.push(line) }) })
      const clientId = await registerClient(s)
      const { privateKey } = await generateKeyPair('PS256')
      const wrongKey = await new SignJWT(assertionClaims(clientId)).setProtectedHeader({ alg: 'PS256', kid: sandbox.tpp.kid, typ: 'JWT' }).sign(privateKey)
      const answers = {
        'unknown client': await requestToken(s, privateKeyJwtForm(await assertionFor('no-such-client'))),
        'wrong key': await requestToken(s, privateKeyJwtForm(wrongKey)),
        'wrong certificate': await requestToken(s, privateKeyJwtForm(await assertionFor(clientId)), { certificate: otherSubjectCertificate }),
      }
      // Everything but the Date header, as sent.
      const wire = (response: MtlsResponse) => ({ status: response.status, headers: Object.fromEntries(Object.entries(response.headers).filter(([name]) => name !== 'date')), body: response.text })
      const [first, ...others] = Object.values(answers).map(wire)
      for (const other of others) assert.deepStrictEqual(other, first)
      assert.deepStrictEqual({ status: first?.status, body: JSON.parse(first?.body ?? ''), challenge: first?.headers['www-authenticate'] }, { status: 401, body: CLIENT_AUTHENTICATION_FAILED, challenge: ACCEPTED_METHODS })
      assert.ok(!first?.body.includes(clientId) && !first?.body.includes(sandbox.manifest.tpp.jwksUrl), 'no client_id or JWKS URL quoted')

      const reasons = (await s.server.store.listAudit(3)).map((event) => event.detail)
      const loggedReasons = logged.map((line) => JSON.parse(line) as { msg?: string; reason?: string }).filter((entry) => entry.msg === 'client authentication failed').map((entry) => entry.reason)
      assert.deepStrictEqual(new Set(loggedReasons), new Set(reasons), 'the log gives each reason too')
      assert.deepStrictEqual(new Set(reasons), new Set([
        'client_id "no-such-client" is not a registered client; register with POST /register first',
        `client_assertion signature does not verify with the key "${sandbox.tpp.kid}" of the client's keys at software_jwks_endpoint "${sandbox.manifest.tpp.jwksUrl}"; sign with the private key of that JWK`,
        `the client certificate (x5t#S256 ${x5tS256(otherSubjectCertificate.certificate)}) is neither the one client "${clientId}" registered with nor a renewal whose subject names its software and organisation; present the registered transport certificate`,
      ]))
    })
  })

  describe('tls_client_auth (RFC 8705 §2.1)', () => {
    const tlsClient = () => ({ token_endpoint_auth_method: 'tls_client_auth', token_endpoint_auth_signing_alg: undefined, tls_client_auth_subject_dn: sandbox.tpp.transportSubject })

    it('issues a token to the certificate whose subject was registered', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s, tlsClient())
      const response = await requestToken(s, { grant_type: 'client_credentials', client_id: clientId, scope: 'accounts' })
      assert.equal(response.status, 200, response.text)
      const { jwks } = await serverJwks(s)
      const { payload } = await jwtVerify((response.json as { access_token: string }).access_token, createLocalJWKSet(jwks), { issuer: ISSUER })
      assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(sandbox.tpp.transport.certificate) })
    })

    it('refuses another certificate of the same CA with a different subject', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s, tlsClient())
      const response = await requestToken(s, { grant_type: 'client_credentials', client_id: clientId }, { certificate: otherSubjectCertificate })
      await expectRefusal(s, response, { status: 401, error: 'invalid_client', reason: `the client certificate (x5t#S256 ${x5tS256(otherSubjectCertificate.certificate)}) is neither the one client "${clientId}" registered with nor a renewal whose subject names its software and organisation; present the registered transport certificate` })
    })

    it('refuses a tls_client_auth request without client_id (RFC8705-5) and one that also sends an assertion', async (t) => {
      const s = await startDcrServer(t, sandbox)
      const clientId = await registerClient(s, tlsClient())
      await expectRefusal(s, await requestToken(s, { grant_type: 'client_credentials' }), { status: 401, error: 'invalid_client', reason: 'the request names no client: send client_assertion with sub = client_id (private_key_jwt), or client_id (tls_client_auth, self_signed_tls_client_auth)' })
      await expectRefusal(s, await requestToken(s, privateKeyJwtForm(await assertionFor(clientId), { client_id: clientId })), { status: 401, error: 'invalid_client', reason: `client "${clientId}" is registered for tls_client_auth: authenticate with its certificate alone and send no client_assertion` })
    })
  })

  describe('self_signed_tls_client_auth (RFC 8705 §2.2)', () => {
    it('issues a token to a certificate published in the registered jwks_uri, and refuses another one', async (t) => {
      const s = await startDcrServer(t, sandbox, { validators: { 'token-endpoint-auth': { methods: ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'] } } })
      const transport = sandbox.tpp.transport.certificate
      const transportJwk = { ...(await exportJWK(transport.publicKey)), use: 'tls', x5c: [transport.raw.toString('base64')] }
      const jwksUri = sandbox.jwksServer.publish(`/self-signed/${randomUUID()}.jwks`, { keys: [...sandbox.tpp.publicJwks.keys, transportJwk] })
      const clientId = await registerClient(s, { token_endpoint_auth_method: 'self_signed_tls_client_auth', token_endpoint_auth_signing_alg: undefined, jwks_uri: jwksUri })

      const granted = await requestToken(s, { grant_type: 'client_credentials', client_id: clientId })
      assert.equal(granted.status, 200, granted.text)
      const refused = await requestToken(s, { grant_type: 'client_credentials', client_id: clientId }, { certificate: otherSubjectCertificate })
      await expectRefusal(s, refused, {
        status: 401,
        error: 'invalid_client',
        reason: `the client certificate (x5t#S256 ${x5tS256(otherSubjectCertificate.certificate)}) is not among the client's keys at jwks_uri "${jwksUri}"; publish it there as the first x5c entry of a JWK (with that certificate's public key) or present a registered certificate`,
        challenge: 'private_key_jwt, tls_client_auth, self_signed_tls_client_auth',
      })
    })
  })
})

/** A plain-HTTP POST as a TLS-terminating proxy sends it, with the client certificate in its header. */
function proxiedPost(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown>; challenge: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, challenge: res.headers['www-authenticate'] }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('POST /token behind a TLS-terminating proxy (RFC8705-10)', () => {
  it('binds the token to the certificate the trusted proxy forwarded', async (t) => {
    const s = await startDcrServer(t, sandbox, { server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } } })
    const certificateHeader = { 'x-ssl-client-cert': encodeURIComponent(sandbox.tpp.transport.certificatePem) }
    const registered = await proxiedPost(`${s.server.url}/register`, await s.signedRequest(), { 'content-type': 'application/jwt', ...certificateHeader })
    assert.equal(registered.status, 201, JSON.stringify(registered.json))
    const clientId = registered.json.client_id as string
    const form = new URLSearchParams(privateKeyJwtForm(await assertionFor(clientId))).toString()
    const granted = await proxiedPost(`${s.server.url}/token`, form, { 'content-type': 'application/x-www-form-urlencoded', ...certificateHeader })
    assert.equal(granted.status, 200, JSON.stringify(granted.json))
    const jwks = (await (await fetch(`${s.server.url}/jwks`)).json()) as JSONWebKeySet
    const { payload } = await jwtVerify(granted.json.access_token as string, createLocalJWKSet(jwks), { issuer: ISSUER })
    assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(sandbox.tpp.transport.certificate) })

    const withoutCertificate = await proxiedPost(`${s.server.url}/token`, new URLSearchParams(privateKeyJwtForm(await assertionFor(clientId))).toString(), { 'content-type': 'application/x-www-form-urlencoded' })
    assert.deepStrictEqual(
      { status: withoutCertificate.status, body: withoutCertificate.json, challenge: withoutCertificate.challenge },
      { status: 401, body: { error: 'invalid_client', error_description: "a client certificate is required: call this endpoint over mutual TLS through the bank's TLS gateway" }, challenge: ACCEPTED_METHODS },
    )
  })
})

describe('GET /jwks', () => {
  it('publishes the public signing keys as application/jwk-set+json without private members, with no client certificate', async (t: TestContext) => {
    const s = await startDcrServer(t, sandbox)
    const { response, jwks } = await serverJwks(s)
    assert.equal(response.status, 200, response.text)
    assert.match(response.headers['content-type'] as string, /^application\/jwk-set\+json/)
    assert.ok(jwks.keys.length >= 1)
    for (const key of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) assert.equal((key as Record<string, unknown>)[member], undefined, `no private member ${member}`)
      assert.equal(typeof key.kid, 'string')
      assert.ok(key.alg === 'PS256' || key.alg === 'ES256')
    }
  })
})
