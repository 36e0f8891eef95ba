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
}

const cases: Case[] = [
  { validator: 'ssa-issuer', error: 'unapproved_software_statement', bad: async (s) => ({ body: await s.signedRequest({ ssa: await sandbox.issueSsa({ iss: 'Unknown Directory' }) }) }) },
  { validator: 'ssa-signature', error: 'invalid_software_statement', bad: async (s) => ({ body: await s.signedRequest({ ssa: await ssaSignedByStranger() }) }) },
  { validator: 'transport-certificate', error: 'unapproved_software_statement', bad: async (s) => ({ body: await s.signedRequest(), certificate: otherSubjectCertificate }) },
  { validator: 'request-signature', error: 'invalid_client_metadata', bad: async (s) => ({ body: await requestSignedByStranger(s) }) },
  { validator: 'audience', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { aud: 'https://another-bank.example.com' } }) }) },
  { validator: 'request-issuer', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { iss: 'NotTheSoftwareId' } }) }) },
  { validator: 'freshness', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { iat: now() - 900, exp: now() + 300 } }) }) },
  { validator: 'required-attributes', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { request_object_signing_alg: undefined } }) }) },
  {
    validator: 'redirect-uri-format',
    error: 'invalid_redirect_uri',
    bad: async (s) => {
      const uri = 'https://acme-fin.example.co.uk/ob/callback#fragment'
      return { body: await s.signedRequest({ ssa: await sandbox.issueSsa({ software_redirect_uris: [uri] }), overrides: { redirect_uris: [uri] } }) }
    },
  },
  { validator: 'redirect-uri-subset', error: 'invalid_redirect_uri', bad: async (s) => ({ body: await s.signedRequest({ overrides: { redirect_uris: ['https://acme-fin.example.co.uk/not-in-ssa'] } }) }) },
  { validator: 'hostname-consistency', error: 'invalid_software_statement', bad: async (s) => ({ body: await s.signedRequest({ ssa: await sandbox.issueSsa({ software_logo_uri: 'https://cdn.elsewhere.example/logo.png' }) }) }) },
  { validator: 'token-endpoint-auth', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { token_endpoint_auth_signing_alg: undefined } }) }) },
  { validator: 'algorithms', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { id_token_signed_response_alg: 'RS256' } }) }) },
  { validator: 'grant-and-response-types', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { grant_types: ['password'] } }) }) },
  { validator: 'roles-and-scopes', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { scope: 'openid fundsconfirmations' } }) }) },
  { validator: 'application-type', error: 'invalid_client_metadata', bad: async (s) => ({ body: await s.signedRequest({ overrides: { application_type: 'service' } }) }) },
]

/** Sends a request that must be refused and checks the answer and that only an audit event was written. */
async function expectRefusal(s: TestServer, request: { body: string; certificate?: IssuedCertificate | null; contentType?: string }, expected: { status: number; error: string; validator?: string; description?: string }) {
  const before = await s.counts()
  const response = await s.register(request.body, { ...(request.certificate !== undefined ? { certificate: request.certificate } : {}), ...(request.contentType ? { contentType: request.contentType } : {}) })
  const body = response.json as Record<string, unknown>
  assert.equal(response.status, expected.status, `status, body: ${response.text}`)
  assert.equal(body.error, expected.error, response.text)
  assert.equal(typeof body.error_description, 'string')
  assert.ok((body.error_description as string).length > 10, 'the description says what to fix')
  if (expected.description !== undefined) {
    assert.deepStrictEqual(body, { error: expected.error, error_description: expected.description, ...(expected.validator ? { validator: expected.validator } : {}) })
  }
  if (expected.validator) assert.equal(body.validator, expected.validator)
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
      const { afterCounts, before } = await expectRefusal(on, bad, { status: 400, error: c.error, validator: c.validator })
      assert.equal(afterCounts.auditEvents, before.auditEvents + 1, 'the refusal is audited')
      const [audit] = await on.server.store.listAudit(1)
      assert.deepEqual({ outcome: audit?.outcome, errorCode: audit?.errorCode, validator: audit?.validator }, { outcome: 'rejected', errorCode: c.error, validator: c.validator })

      const off = await startDcrServer(t, sandbox, { validators: { [c.validator]: { enabled: false } } })
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
    const malformed: Array<[string, (s: TestServer) => Promise<string>, string]> = [
      ['a body that is not a JWT', async () => 'this is not a jwt', 'invalid_client_metadata'],
      ['a JWT whose payload is not JSON', async () => `${Buffer.from('{"alg":"PS256"}').toString('base64url')}.${Buffer.from('not json').toString('base64url')}.c2ln`, 'invalid_client_metadata'],
      ['a software_statement that is not a string', async (s) => s.sandbox.tpp.signRequest({ ...s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER }), software_statement: { not: 'a string' } }), 'invalid_software_statement'],
      ['a software_statement that is not a JWS', async (s) => s.sandbox.tpp.signRequest({ ...s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER }), software_statement: 'abc.def' }), 'invalid_software_statement'],
      ['a __proto__ claim', async (s) => s.sandbox.tpp.signRequest(JSON.parse(`{"__proto__":{"admin":true},"iss":"${s.sandbox.tpp.softwareId}"}`) as Record<string, unknown>), 'invalid_client_metadata'],
      ['an unknown kid', async (s) => s.sandbox.tpp.signRequest(s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER }), { kid: 'no-such-kid' }), 'invalid_client_metadata'],
      [
        'alg none',
        async (s) => {
          const claims = s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER })
          return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`
        },
        'invalid_client_metadata',
      ],
      [
        'HS256 keyed with the public key',
        async (s) => {
          const claims = s.sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: ISSUER })
          const secret = new TextEncoder().encode(JSON.stringify(sandbox.tpp.publicJwks))
          return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: sandbox.tpp.kid }).sign(secret)
        },
        'invalid_client_metadata',
      ],
    ]
    for (const [what, build, error] of malformed) {
      it(`refuses ${what}`, async (t) => {
        const s = await startDcrServer(t, sandbox)
        await expectRefusal(s, { body: await build(s) }, { status: 400, error })
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
