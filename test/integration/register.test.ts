/**
 * POST /register end to end: a real server on loopback, real mutual TLS with sandbox certificates, real
 * PS256 signatures from the sandbox directory and TPP, a real SQLite file. Each refusal is checked for its
 * status, RFC 7591 code and validator id, and for leaving the store as it was but for one audit event;
 * each validator switched off lets its own bad request through.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it, type TestContext } from 'node:test'
import { decodeJwt, generateKeyPair, SignJWT } from 'jose'
import type { IssuedCertificate } from '../../src/sandbox/ca.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { ISSUER, sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'
import { signJsonTexts } from '../helpers/jws-fixtures.ts'

let sandbox: Sandbox
let otherSubjectCertificate: IssuedCertificate
before(async () => {
  sandbox = await sharedSandbox()
  otherSubjectCertificate = await sandbox.ca.issueClient({ subject: 'CN=SomeOtherSoftware,OU=0015800001OTHERORG,O=OpenBanking,C=GB' })
})
after(() => sandbox.close())

const now = () => Math.floor(Date.now() / 1000)

/** The SSA's claims re-signed by a key the directory never published, under the directory's kid. */
async function ssaSignedByStranger(): Promise<string> {
  const claims = decodeJwt(await sandbox.issueSsa())
  const { privateKey } = await generateKeyPair('PS256')
  return new SignJWT(claims).setProtectedHeader({ alg: 'PS256', kid: sandbox.directory.kid, typ: 'JWT' }).sign(privateKey)
}

/** A valid request's claims signed by a key the TPP never published, under the TPP's kid. */
async function requestSignedByStranger(s: TestServer): Promise<string> {
  const claims = s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER })
  const { privateKey } = await generateKeyPair('PS256')
  return new SignJWT(claims).setProtectedHeader({ alg: 'PS256', kid: sandbox.tpp.kid, typ: 'JWT' }).sign(privateKey)
}

type Case = {
  validator: string
  error: string
  /** Builds the bad request against a server. */
  bad(s: TestServer): Promise<{ body: string; certificate?: IssuedCertificate }>
  /** The error_description the server answers, word for word. */
  description(s: TestServer): string
}

const cases: Case[] = [
  { validator: 'ssa-issuer', error: 'unapproved_software_statement', bad: async (s) => ({ body: await s.signedRequest({ ssa: await sandbox.issueSsa({ iss: 'Unknown Directory' }) }) }), description: () => 'the software statement issuer (iss) "Unknown Directory" is not a directory this server trusts' },
  { validator: 'ssa-signature', error: 'invalid_software_statement', bad: async (s) => ({ body: await s.signedRequest({ ssa: await ssaSignedByStranger() }) }), description: () => `software_statement signature does not verify with the keys of directory "${sandbox.directory.issuer}": obtain a new software statement from the directory` },
  { validator: 'transport-certificate', error: 'unapproved_software_statement', bad: async (s) => ({ body: await s.signedRequest(), certificate: otherSubjectCertificate }), description: () => `the transport certificate subject CN=SomeOtherSoftware,OU=0015800001OTHERORG,O=OpenBanking,C=GB does not name software_id "${sandbox.tpp.softwareId}" and org_id "${sandbox.tpp.orgId}" of the software statement as required (ob-legacy: CN=<software_id> and OU=<org_id>; obwac: organizationIdentifier=PSD<country>-<authority>-[Unknown]<org_id> or CN=<org_id>)` },
  { validator: 'request-signature', error: 'invalid_client_metadata', bad: async (s) => ({ body: await requestSignedByStranger(s) }), description: () => `the request signature does not verify with the key "${sandbox.tpp.kid}" of the TPP JWKS at ${sandbox.tpp.jwksUrl}` },
  { validator: 'audience', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { aud: 'https://another-bank.example.com' } }) }), description: () => `aud does not name this server: it must contain "${ISSUER}"` },
  { validator: 'request-issuer', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { iss: 'NotTheSoftwareId' } }) }), description: () => `iss "NotTheSoftwareId" must equal the software statement's software_id "${sandbox.tpp.softwareId}"` },
  { validator: 'freshness', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { iat: now() - 900, exp: now() + 300 } }) }), description: (s) => `iat is more than ${s.config.validators.freshness.maxRequestAgeSeconds} seconds old in the request; sign a new request with current iat and exp` },
  { validator: 'required-attributes', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { request_object_signing_alg: undefined } }) }), description: () => 'the request is missing required claims (absent or empty): request_object_signing_alg; add them to the registration request' },
  {
    validator: 'redirect-uri-format',
    error: 'invalid_redirect_uri',
    bad: async (s) => {
      const uri = 'https://acme-fin.example.co.uk/ob/callback#fragment'
      return { body: await s.signedRequest({ ssa: await sandbox.issueSsa({ software_redirect_uris: [uri] }), overrides: { redirect_uris: [uri] } }) }
    },
    description: () => 'redirect URI "https://acme-fin.example.co.uk/ob/callback#fragment" in redirect_uris of the request is refused: it contains a fragment (#); fragments are not allowed in redirect URIs',
  },
  { validator: 'redirect-uri-subset', error: 'invalid_redirect_uri', bad: async (s) => ({ body: await s.signedRequest({ overrides: { redirect_uris: ['https://acme-fin.example.co.uk/not-in-ssa'] } }) }), description: () => 'redirect_uri "https://acme-fin.example.co.uk/not-in-ssa" is not in the software statement\'s software_redirect_uris; request only URIs listed there, exactly as written' },
  { validator: 'hostname-consistency', error: 'invalid_software_statement', bad: async (s) => ({ body: await s.signedRequest({ ssa: await sandbox.issueSsa({ software_logo_uri: 'https://cdn.elsewhere.example/logo.png' }) }) }), description: () => 'software_logo_uri in the software statement is on host cdn.elsewhere.example but software_redirect_uris is on host acme-fin.example.co.uk; all of the statement\'s redirect and user-facing URIs must share one host' },
  { validator: 'token-endpoint-auth', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { token_endpoint_auth_signing_alg: undefined } }) }), description: () => 'token_endpoint_auth_method private_key_jwt needs token_endpoint_auth_signing_alg; add one of PS256, ES256' },
  { validator: 'algorithms', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { id_token_signed_response_alg: 'RS256' } }) }), description: () => 'id_token_signed_response_alg "RS256" is refused: it is not an accepted algorithm; use one of PS256, ES256' },
  { validator: 'grant-and-response-types', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { grant_types: ['password'] } }) }), description: () => 'grant_types has "password", which is not accepted; use only authorization_code, refresh_token, client_credentials, urn:openid:params:grant-type:ciba' },
  { validator: 'roles-and-scopes', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { scope: 'openid fundsconfirmations' } }) }), description: () => 'scope asks for "fundsconfirmations", which the software statement\'s software_roles "AISP PISP" do not grant; request only openid accounts payments' },
  { validator: 'application-type', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { application_type: 'service' } }) }), description: () => 'application_type "service" is not accepted; use one of web, mobile, native' },
]

/** Sends a request that must be refused and checks the answer and that only an audit event was written. */
async function expectRefusal(s: TestServer, request: { body: string; certificate?: IssuedCertificate | null; contentType?: string }, expected: { status: number; error: string; validator?: string; description: string }) {
  const before = await s.counts()
  const response = await s.register(request.body, { ...(request.certificate !== undefined ? { certificate: request.certificate } : {}), ...(request.contentType ? { contentType: request.contentType } : {}) })
  const body = response.json as Record<string, unknown>
  assert.deepStrictEqual(
    { status: response.status, body, challenge: response.headers['www-authenticate'] },
    { status: expected.status, body: { error: expected.error, error_description: expected.description, ...(expected.validator ? { validator: expected.validator } : {}) }, challenge: undefined },
  )
  assert.doesNotMatch(response.text, /at .*\.ts:\d+/, 'no stack trace')
  assert.equal(response.headers['cache-control'], 'no-store')
  const afterCounts = await s.counts()
  assert.equal(afterCounts.clients, before.clients, 'no client written')
  assert.equal(afterCounts.jtis, before.jtis, 'no JTI written')
  return { body, afterCounts, before }
}

describe('POST /register (UK profile over mutual TLS)', () => {
  it('registers a valid UK request: 201 with client_id, the registered metadata and the SSA unmodified', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const ssa = await sandbox.issueSsa()
    const response = await s.register(await s.signedRequest({ ssa }))
    assert.equal(response.status, 201, response.text)
    const client = response.json as Record<string, unknown>
    assert.match(client.client_id as string, /^[A-Za-z0-9_-]{22,}$/)
    assert.ok(Math.abs((client.client_id_issued_at as number) - now()) < 5)
    assert.equal(client.software_statement, ssa, 'RFC7591-21: the SSA is returned unmodified')
    assert.equal(client.software_id, sandbox.tpp.softwareId)
    assert.equal(client.org_id, sandbox.tpp.orgId, 'UK-DCR-5: SSA claims are flattened into the response')
    assert.deepEqual(client.redirect_uris, ['https://acme-fin.example.co.uk/ob/callback'])
    assert.equal(client.token_endpoint_auth_method, 'private_key_jwt')
    assert.equal(client.tls_client_certificate_bound_access_tokens, true, 'metadata policy override applied')
    for (const envelope of ['iss', 'aud', 'iat', 'exp', 'jti']) assert.equal(client[envelope], undefined, `${envelope} is not client metadata`)
    assert.equal(response.headers['cache-control'], 'no-store')

    const stored = await s.server.store.getClient(client.client_id as string)
    assert.equal(stored?.softwareId, sandbox.tpp.softwareId)
    assert.equal(stored?.directoryIssuer, sandbox.directory.issuer)
    const counts = await s.counts()
    assert.deepEqual({ clients: counts.clients, jtis: counts.jtis }, { clients: 1, jtis: 2 }, 'request and SSA jti recorded')
    const [audit] = await s.server.store.listAudit(1)
    assert.equal(audit?.outcome, 'success')
    assert.equal(audit?.clientId, client.client_id)
  })

  it('registers an ES256-signed request and a request sent as a JSON string under application/json (UK-DCR-4)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const jose = await s.register(await s.signedRequest(), { contentType: 'application/jose' })
    assert.equal(jose.status, 201, jose.text)
    const json = await s.register(JSON.stringify(await s.signedRequest()), { contentType: 'application/json; charset=utf-8' })
    assert.equal(json.status, 201, json.text)
  })

  it('registers without redirect_uris and scope: the SSA redirect URIs and the roles scopes are registered (UK-DCR-24, UK-DCR-33)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const response = await s.register(await s.signedRequest({ overrides: { redirect_uris: undefined, scope: undefined } }))
    assert.equal(response.status, 201, response.text)
    const client = response.json as Record<string, unknown>
    assert.deepEqual(client.redirect_uris, ['https://acme-fin.example.co.uk/ob/callback', 'https://acme-fin.example.co.uk/ob/callback2'])
    assert.equal(client.scope, 'openid accounts payments')
  })

  for (const c of cases) {
    it(`refuses what ${c.validator} rejects with ${c.error}, and lets it through when ${c.validator} is off`, async (t: TestContext) => {
      const on = await startDcrServer(t, sandbox)
      const bad = await c.bad(on)
      const { afterCounts, before } = await expectRefusal(on, bad, { status: 400, error: c.error, validator: c.validator, description: c.description(on) })
      assert.equal(afterCounts.auditEvents, before.auditEvents + 1, 'the refusal is audited')
      const [audit] = await on.server.store.listAudit(1)
      assert.deepEqual({ outcome: audit?.outcome, errorCode: audit?.errorCode, validator: audit?.validator }, { outcome: 'rejected', errorCode: c.error, validator: c.validator })

      // Start-up refuses ssa-signature off unless the test-only switch says this lax server is meant (issue 13 item 10).
      const off = await startDcrServer(t, sandbox, { validators: { [c.validator]: { enabled: false } }, ...(c.validator === 'ssa-signature' ? { unsafe: { allowUnverifiedTrust: true } } : {}) })
      const allowed = await off.register((await c.bad(off)).body, bad.certificate ? { certificate: bad.certificate } : {})
      assert.equal(allowed.status, 201, `with ${c.validator} off: ${allowed.text}`)
    })
  }

  it('refuses a replayed request (jti-replay), and accepts the replay when jti-replay is off', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const request = await s.signedRequest()
    assert.equal((await s.register(request)).status, 201)
    await expectRefusal(s, { body: request }, { status: 400, error: 'invalid_client_metadata', validator: 'jti-replay', description: 'jti of the request has already been used; sign a new request with a fresh jti' })

    const off = await startDcrServer(t, sandbox, { validators: { 'jti-replay': { enabled: false } } })
    const again = await off.signedRequest()
    assert.equal((await off.register(again)).status, 201)
    assert.equal((await off.register(again)).status, 201)
  })

  it('refuses a reused software statement in a new request (SSA jti replay)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const ssa = await sandbox.issueSsa()
    assert.equal((await s.register(await s.signedRequest({ ssa }))).status, 201)
    await expectRefusal(s, { body: await s.signedRequest({ ssa }) }, { status: 400, error: 'invalid_software_statement', validator: 'jti-replay', description: 'jti of the software statement has already been used; obtain a new software statement from the directory' })
  })

  it('refuses a request whose JOSE header names alg twice ({"alg":"none",...,"alg":"PS256"}) or whose claims name redirect_uris twice, storing nothing (SEC-7)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const claims = JSON.stringify(s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER }))
    const key = { alg: 'PS256', privateKey: sandbox.tpp.signingKey.privateKey }
    const twoAlgs = await signJsonTexts(key, `{"alg":"none","kid":"${sandbox.tpp.kid}","typ":"JWT","alg":"PS256"}`, claims)
    await expectRefusal(s, { body: twoAlgs }, { status: 400, error: 'invalid_client_metadata', validator: 'request-format', description: 'the registration request names the member "alg" more than once in its JWS header; send each member once (RFC 7515 section 4, RFC 7519 section 4)' })
    const twoRedirects = await signJsonTexts(key, `{"alg":"PS256","kid":"${sandbox.tpp.kid}","typ":"JWT"}`, claims.replace(/}$/, ',"redirect_uris":["https://evil.example/cb"]}'))
    await expectRefusal(s, { body: twoRedirects }, { status: 400, error: 'invalid_client_metadata', validator: 'request-format', description: 'the registration request names the member "redirect_uris" more than once in its claims; send each member once (RFC 7515 section 4, RFC 7519 section 4)' })
  })

  it('refuses wrong-typed metadata (client_name as an object, jwks as a string, jwks_uri as a number, 250 redirect_uris) and a client_id in the request, storing nothing (metadata-types)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const refusals: Array<[Record<string, unknown>, string, string]> = [
      [{ client_name: { en: 'ACME' } }, 'invalid_client_metadata', 'client_name in the request must be a string, got an object'],
      [{ jwks: 'keys' }, 'invalid_client_metadata', 'jwks in the request must be a JWK Set object {"keys":[...]}, got a string'],
      [{ jwks_uri: 443 }, 'invalid_client_metadata', 'jwks_uri in the request must be a string, got a number'],
      [{ redirect_uris: Array.from({ length: 250 }, (_, index) => `https://acme-fin.example.co.uk/cb/${index}`) }, 'invalid_redirect_uri', 'redirect_uris in the request must have at most 200 items, got 250'],
      [{ client_id: 'chosen-by-client' }, 'invalid_client_metadata', 'client_id must not be sent in a registration request: only the server issues it (RFC 7591 section 3.2.1); remove it'],
    ]
    for (const [overrides, error, description] of refusals) {
      await expectRefusal(s, { body: await s.signedRequest({ overrides }) }, { status: 400, error, validator: 'metadata-types', description })
    }
  })

  it('refuses a request with a 10,000-character jti, storing nothing (SEC-19)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    await expectRefusal(s, { body: await s.signedRequest({ overrides: { jti: 'j'.repeat(10_000) } }) }, { status: 400, error: 'invalid_client_metadata', validator: 'request-format', description: 'the registration request has a claim that is too long: jti is 10000 characters long; at most 256 are accepted' })
  })

  it('lets exactly one of two concurrent identical requests through', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const request = await s.signedRequest()
    const answers = await Promise.all([s.register(request), s.register(request), s.register(request)])
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 400, 400])
    assert.equal((await s.counts()).clients, 1)
  })

  it('refuses a second registration of the same software when allowMultiplePerSoftwareId is off', async (t) => {
    const s = await startDcrServer(t, sandbox, { registration: { allowMultiplePerSoftwareId: false } })
    assert.equal((await s.register(await s.signedRequest())).status, 201)
    await expectRefusal(s, { body: await s.signedRequest() }, { status: 400, error: 'invalid_client_metadata', validator: 'duplicate-registration', description: `software_id "${sandbox.tpp.softwareId}" is already registered; update that registration with PUT /register/{client_id} or delete it first` })
  })

  it('refuses a request signed with a key listed at the SSA software_jwks_revoked_endpoint, and registers once it is no longer listed (UK-DCR-37)', async (t) => {
    const revokedPath = new URL(sandbox.manifest.tpp.revokedJwksUrl).pathname
    t.after(() => void sandbox.jwksServer.publish(revokedPath, { keys: [] }))
    sandbox.jwksServer.publish(revokedPath, sandbox.tpp.publicJwks)
    const revoking = await startDcrServer(t, sandbox)
    await expectRefusal(revoking, { body: await revoking.signedRequest() }, {
      status: 400,
      error: 'invalid_client_metadata',
      validator: 'request-signature',
      description: `the request is signed with the kid "${sandbox.tpp.kid}", which is revoked: it is listed at software_jwks_revoked_endpoint ${sandbox.manifest.tpp.revokedJwksUrl}; sign with a current key of the TPP JWKS`,
    })

    // A new server has an empty JWKS cache, so it sees the revoked set emptied again.
    sandbox.jwksServer.publish(revokedPath, { keys: [] })
    const cleared = await startDcrServer(t, sandbox)
    const response = await cleared.register(await cleared.signedRequest())
    assert.equal(response.status, 201, response.text)
  })

  it('refuses a request JWT whose typ names another kind of token (SEC-8)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const claims = sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER })
    await expectRefusal(s, { body: await sandbox.tpp.signRequest(claims, { header: { typ: 'at+jwt' } }) }, {
      status: 400,
      error: 'invalid_client_metadata',
      validator: 'request-signature',
      description: 'the registration request is not an acceptable compact JWS: the JWS header "typ" "at+jwt" is not accepted: it must be absent or "JWT" (another kind of token, e.g. an access token, is not a registration JWT)',
    })
  })

  describe('transport', () => {
    it('refuses a request without a client certificate with a JSON 400 invalid_client_metadata (no software statement is involved yet), not a dropped connection, and audits it (UK-DCR-42, issue 12 item 5)', async (t) => {
      const s = await startDcrServer(t, sandbox, { audit: { refusalFlushSeconds: 1 } })
      const { afterCounts, before } = await expectRefusal(s, { body: await s.signedRequest(), certificate: null }, { status: 400, error: 'invalid_client_metadata', validator: 'client-certificate', description: 'a client certificate is required: call this endpoint over mutual TLS with your transport certificate' })
      // Counted, then written as one row at the next flush (audit/refusal-counter.ts).
      assert.equal(afterCounts.auditEvents, before.auditEvents)
      await new Promise((resolve) => setTimeout(resolve, 1200))
      assert.equal((await s.counts()).auditEvents, before.auditEvents + 1)
      assert.equal((await s.server.store.listAudit(1))[0]?.validator, 'client-certificate')
    })

    it('refuses a client certificate from a CA that no directory trusts', async (t) => {
      const { createCertificateAuthority } = await import('../../src/sandbox/ca.ts')
      const rogueCa = await createCertificateAuthority('Rogue CA')
      const rogue = await rogueCa.issueClient({ subject: sandbox.tpp.transportSubject })
      const s = await startDcrServer(t, sandbox)
      await expectRefusal(s, { body: await s.signedRequest(), certificate: rogue }, { status: 400, error: 'invalid_client_metadata', validator: 'client-certificate', description: 'the client certificate is not issued by a CA this server trusts (UNABLE_TO_VERIFY_LEAF_SIGNATURE)' })
    })
  })

  describe('bad input: a precise 4xx, never a 500, nothing stored', () => {
    /** What is sent, how it is built, and the answer: error, validator, error_description. */
    const malformed: Array<[string, (s: TestServer) => Promise<string>, string, string, () => string]> = [
      ['a body that is not a JWT', async () => 'this is not a jwt', 'invalid_client_metadata', 'request-format', () => 'the registration request is not a compact JWS (three base64url parts separated by dots)'],
      ['a JWT whose payload is not JSON', async () => `${Buffer.from('{"alg":"PS256"}').toString('base64url')}.${Buffer.from('not json').toString('base64url')}.c2ln`, 'invalid_client_metadata', 'request-format', () => 'the registration request cannot be decoded: Failed to parse the decoded payload as JSON'],
      ['a software_statement that is not a string', async (s) => s.sandbox.tpp.signRequest({ ...s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER }), software_statement: { not: 'a string' } }), 'invalid_software_statement', 'request-format', () => 'software_statement must be a compact JWS string'],
      ['a software_statement that is not a JWS', async (s) => s.sandbox.tpp.signRequest({ ...s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER }), software_statement: 'abc.def' }), 'invalid_software_statement', 'request-format', () => 'software_statement is not a compact JWS (three base64url parts separated by dots)'],
      ['a __proto__ claim', async (s) => s.sandbox.tpp.signRequest(JSON.parse(`{"__proto__":{"admin":true},"iss":"${s.sandbox.tpp.softwareId}"}`) as Record<string, unknown>), 'invalid_client_metadata', 'request-format', () => 'the registration request cannot be decoded: member name "__proto__" is not allowed'],
      ['an unknown kid', async (s) => s.sandbox.tpp.signRequest(s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER }), { kid: 'no-such-kid' }), 'invalid_client_metadata', 'request-signature', () => `the request kid "no-such-kid" is not in the TPP JWKS at ${sandbox.tpp.jwksUrl}`],
      [
        'alg none',
        async (s) => {
          const claims = s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER })
          return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`
        },
        'invalid_client_metadata',
        'request-signature',
        () => 'the request alg "none" is not allowed; sign with one of PS256, ES256',
      ],
      [
        'HS256 keyed with the public key',
        async (s) => {
          const claims = s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER })
          const secret = new TextEncoder().encode(JSON.stringify(sandbox.tpp.publicJwks))
          return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: sandbox.tpp.kid }).sign(secret)
        },
        'invalid_client_metadata',
        'request-signature',
        () => 'the request alg "HS256" is not allowed; sign with one of PS256, ES256',
      ],
    ]
    for (const [what, build, error, validator, description] of malformed) {
      it(`refuses ${what}`, async (t) => {
        const s = await startDcrServer(t, sandbox)
        await expectRefusal(s, { body: await build(s) }, { status: 400, error, validator, description: description() })
      })
    }

    it('refuses a content type the UK profile does not accept with 400 invalid_request before reading it (UK-DCR-42)', async (t) => {
      const s = await startDcrServer(t, sandbox)
      await expectRefusal(s, { body: await s.signedRequest(), contentType: 'text/plain' }, { status: 400, error: 'invalid_request', description: 'Content-Type text/plain is not accepted here; send the registration request as application/jose or application/jwt or application/json' })
    })

    it('answers 415 for a refused content type where the profile says 415', async (t) => {
      const s = await startDcrServer(t, sandbox, { registration: { unsupportedMediaTypeStatus: 415 } })
      await expectRefusal(s, { body: 'x', contentType: 'application/x-www-form-urlencoded' }, { status: 415, error: 'invalid_request', description: 'Content-Type application/x-www-form-urlencoded is not accepted here; send the registration request as application/jose or application/jwt or application/json' })
    })

    it('refuses a plain JSON metadata object unless allowUnsignedJson is on', async (t) => {
      const s = await startDcrServer(t, sandbox)
      await expectRefusal(s, { body: JSON.stringify({ redirect_uris: ['https://acme-fin.example.co.uk/ob/callback'] }), contentType: 'application/json' }, { status: 400, error: 'invalid_client_metadata', validator: 'request-format', description: 'the registration request must be a signed JWT; this server does not accept unsigned JSON metadata (send the compact JWS as the body or as a JSON string)' })
    })

    it('refuses a body over the limit with 413', async (t) => {
      const s = await startDcrServer(t, sandbox, { server: { bodyLimitBytes: 4096 } })
      await expectRefusal(s, { body: 'a'.repeat(5000) }, { status: 413, error: 'invalid_request', description: 'the request body is larger than this server accepts (server.bodyLimitBytes)' })
    })
  })
})
