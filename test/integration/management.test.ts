/**
 * GET/PUT/DELETE /register/{client_id} (RFC 7592) end to end, for both ways of authorising management:
 * `client-credentials` access tokens (UK-DCR-2, CDR-DCR-2; minted here with issueAccessToken and the
 * server's own keys file, certificate-bound, RFC8705-7) and RFC 7592 `registration-access-token`s
 * (BR-DCR-26..28). Real server on loopback, real mutual TLS with sandbox certificates, real signatures,
 * real SQLite. Every refusal is checked for its status, `WWW-Authenticate`, error body and audit event,
 * and for leaving clients and JTIs as they were; a token of another client and an unknown client id look
 * the same (SEC-33) and revoke the token presented (UK-DCR-6, RFC7592-5).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it, type TestContext } from 'node:test'
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import { thumbprintOf } from '../../src/http/client-cert.ts'
import type { IssuedCertificate } from '../../src/sandbox/ca.ts'
import type { MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { obTransportSubject } from '../../src/sandbox/tpp.ts'
import { issueAccessToken } from '../../src/tokens/issue.ts'
import { loadServerKeys } from '../../src/tokens/server-keys.ts'
import { ISSUER, sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

const OTHER_SOFTWARE = 'OtherSoftware0000000001'
const CALLBACK = 'https://acme-fin.example.co.uk/ob/callback'
const CALLBACK2 = 'https://acme-fin.example.co.uk/ob/callback2'

let sandbox: Sandbox
/** Same subject as the TPP transport certificate, another key: a token bound to the first must not work with it. */
let sameSubjectCertificate: IssuedCertificate
/** A transport certificate naming another software of the same organisation. */
let otherSoftwareCertificate: IssuedCertificate
before(async () => {
  sandbox = await sharedSandbox()
  sameSubjectCertificate = await sandbox.ca.issueClient({ subject: sandbox.tpp.transportSubject })
  otherSoftwareCertificate = await sandbox.ca.issueClient({ subject: obTransportSubject(OTHER_SOFTWARE, sandbox.tpp.orgId) })
})
after(() => sandbox.close())

type TokenKind = 'client-credentials' | 'registration-access-token'
const KINDS: readonly TokenKind[] = ['client-credentials', 'registration-access-token']

const seconds = (ms: number): number => Math.floor(ms / 1000)
const x5t = (issued: IssuedCertificate): string => thumbprintOf(issued.certificate.raw)

/** A server whose clock the test can move forward. */
type Managed = TestServer & { advance(secondsForward: number): void; nowSeconds(): number }

async function startManaged(t: TestContext, kind: TokenKind, management: Record<string, unknown> = {}, values: Record<string, unknown> = {}): Promise<Managed> {
  let offsetMs = 0
  const clock = () => Date.now() + offsetMs
  const s = await startDcrServer(t, sandbox, { ...values, management: { tokenKind: kind, ...management } }, { clock })
  return Object.assign(s, { advance: (by: number) => void (offsetMs += by * 1000), nowSeconds: () => seconds(clock()) })
}

type Registered = { clientId: string; information: Record<string, unknown>; registrationToken: string | undefined }

async function registerClient(s: TestServer, overrides: Record<string, unknown> = {}): Promise<Registered> {
  const response = await s.register(await s.signedRequest({ overrides }))
  assert.equal(response.status, 201, response.text)
  const information = response.json as Record<string, unknown>
  return { clientId: information.client_id as string, information, registrationToken: information.registration_access_token as string | undefined }
}

type MintOptions = { clientId: string; certificate?: IssuedCertificate | null; scope?: string; now?: number; lifetimeSeconds?: number }

/** A client-credentials access token signed with the server's own key, as POST /token would issue it. */
async function mint(s: Managed, options: MintOptions): Promise<{ token: string; jti: string; exp: number }> {
  const keys = await loadServerKeys(s.config.tokens.signingKeysFile, s.config.tokens.signingAlgorithm)
  const certificate = options.certificate === undefined ? sandbox.tpp.transport : options.certificate
  const { token, claims } = await issueAccessToken(keys, {
    issuer: ISSUER,
    clientId: options.clientId,
    scope: options.scope ?? 'openid',
    thumbprint: certificate === null ? undefined : x5t(certificate),
    lifetimeSeconds: options.lifetimeSeconds ?? 300,
    now: options.now ?? s.nowSeconds(),
  })
  return { token, jti: claims.jti, exp: claims.exp }
}

/** The token a client of `kind` manages its registration with: a fresh access token, or its registration access token. */
async function credentialOf(s: Managed, kind: TokenKind, client: Registered, certificate?: IssuedCertificate): Promise<string> {
  if (kind === 'client-credentials') return (await mint(s, { clientId: client.clientId, ...(certificate ? { certificate } : {}) })).token
  assert.ok(client.registrationToken, 'registration-access-token mode returns a registration_access_token')
  return client.registrationToken
}

/** A signed update request for the sandbox software; `overrides` change request claims. */
const updateRequest = (s: TestServer, overrides: Record<string, unknown> = {}, ssa?: string): Promise<string> => s.signedRequest({ overrides, ...(ssa ? { ssa } : {}) })

const without = (object: Record<string, unknown>, ...names: string[]): Record<string, unknown> => Object.fromEntries(Object.entries(object).filter(([name]) => !names.includes(name)))

/** Checks a refusal of a management call: status, WWW-Authenticate, body, no-store, nothing but one audit event written. */
async function expectRefused(
  s: TestServer,
  call: () => Promise<MtlsResponse>,
  expected: { status: 401 | 403 | 400 | 405; error: string; description: string; operation: 'read' | 'update' | 'delete'; validator?: string; challenge?: string; allow?: string },
): Promise<Record<string, unknown>> {
  const before = await s.counts()
  const response = await call()
  const body = response.json as Record<string, unknown>
  assert.deepStrictEqual(
    { status: response.status, body, challenge: response.headers['www-authenticate'], allow: response.headers.allow },
    { status: expected.status, body: { error: expected.error, error_description: expected.description, ...(expected.validator ? { validator: expected.validator } : {}) }, challenge: expected.challenge, allow: expected.allow },
  )
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.doesNotMatch(response.text, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/, 'no token echoed')
  const afterCounts = await s.counts()
  assert.deepEqual(afterCounts, { ...before, auditEvents: before.auditEvents + 1 }, 'no client or JTI written; the refusal is audited')
  const [audit] = await s.server.store.listAudit(1)
  assert.deepEqual({ operation: audit?.operation, outcome: audit?.outcome, errorCode: audit?.errorCode }, { operation: expected.operation, outcome: 'rejected', errorCode: expected.error })
  return body
}

/** A 401 invalid_token whose RFC 6750 challenge carries the same description. */
const invalidToken = (operation: 'read' | 'update' | 'delete', description: string) => ({ status: 401 as const, error: 'invalid_token', description, operation, challenge: `Bearer error="invalid_token", error_description="${description}"` })

/** What each refusal of a management call says, word for word. */
const SAYS = {
  noBearer: { 'client-credentials': 'send an access token of the token endpoint as Authorization: Bearer <token>', 'registration-access-token': 'send the registration_access_token as Authorization: Bearer <token>' } as const,
  notBearer: 'send the token as Authorization: Bearer <token>',
  notThisClient: 'the token does not authorise this client registration (it belongs to another client, or the client does not exist); the token has been revoked',
  invalidRegistrationToken: 'the registration access token is not valid (unknown, replaced or of a deleted client): use the latest registration_access_token this server returned (every GET and PUT answer carries a new one)',
  revokedAccessToken: 'the access token has been revoked: obtain a new access token from the token endpoint',
  recoveryRefused: 'signed recovery refused: the software statement does not name the software of a registration at this URL; send Authorization: Bearer <token>, or a request signed for the registered software',
}

for (const kind of KINDS) {
  describe(`RFC 7592 management with ${kind} tokens`, () => {
    it('GET answers 200 with the client information of the 201 (RFC7592-7)', async (t) => {
      const s = await startManaged(t, kind)
      const client = await registerClient(s)
      const response = await s.manage('GET', client.clientId, { token: await credentialOf(s, kind, client) })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.headers['cache-control'], 'no-store')
      assert.match(String(response.headers['content-type']), /^application\/json/)
      if (kind === 'client-credentials') {
        assert.deepEqual(response.json, client.information)
        assert.equal(client.information.registration_client_uri, undefined)
      } else {
        assert.equal(client.information.registration_client_uri, `${ISSUER}/register/${client.clientId}`, 'RFC7592-1, BR-DCR-26')
        assert.match(client.registrationToken ?? '', /^[A-Za-z0-9_-]{43}$/)
        const read = response.json as Record<string, unknown>
        assert.match(read.registration_access_token as string, /^[A-Za-z0-9_-]{43}$/, 'RFC 7592 §3: a registration_access_token in every 200')
        assert.notEqual(read.registration_access_token, client.registrationToken, 'a new one: only hashes are stored')
        assert.deepEqual(without(read, 'registration_access_token'), without(client.information, 'registration_access_token'))
      }
      const [audit] = await s.server.store.listAudit(1)
      assert.deepEqual({ operation: audit?.operation, outcome: audit?.outcome, clientId: audit?.clientId, softwareId: audit?.softwareId }, { operation: 'read', outcome: 'success', clientId: client.clientId, softwareId: sandbox.tpp.softwareId })
      if (client.registrationToken) assert.ok(!JSON.stringify(await s.server.store.listAudit(10)).includes(client.registrationToken), 'no token is audited (SEC-35)')
    })

    it('PUT with a fresh signed request replaces the metadata (RFC7592-9): 200, and GET shows it', async (t) => {
      const s = await startManaged(t, kind)
      const client = await registerClient(s, { redirect_uris: [CALLBACK, CALLBACK2] })
      assert.deepEqual(client.information.redirect_uris, [CALLBACK, CALLBACK2])
      const token = await credentialOf(s, kind, client)

      const response = await s.manage('PUT', client.clientId, { token, body: await updateRequest(s, { redirect_uris: [CALLBACK], client_id: client.clientId }) })
      assert.equal(response.status, 200, response.text)
      const updated = response.json as Record<string, unknown>
      assert.deepEqual(updated.redirect_uris, [CALLBACK])
      assert.equal(updated.client_id, client.clientId, 'RFC7592-14: client_id unchanged')
      assert.equal(updated.client_id_issued_at, client.information.client_id_issued_at)
      assert.deepEqual(Object.keys(updated).sort(), Object.keys(client.information).sort(), 'same shape as the 201')
      // RFC 7592 §3: with registration access tokens every 200 carries a new one (on-use rotation).
      const next = kind === 'client-credentials' ? token : (updated.registration_access_token as string)
      if (kind === 'registration-access-token') assert.notEqual(next, token)

      const read = await s.manage('GET', client.clientId, { token: next })
      assert.equal(read.status, 200, read.text)
      assert.deepEqual(without(read.json as Record<string, unknown>, 'registration_access_token'), without(updated, 'registration_access_token'))
      assert.equal((await s.counts()).jtis, 4, 'the update\'s request and SSA jti are recorded beside the registration\'s')
    })

    it('refuses a PUT whose software statement is of another software (request-issuer), and keeps the registration', async (t) => {
      // The transport-certificate binding would refuse the other software's statement first; switched off here so
      // that request-issuer's own rule is what refuses (the credential stays the client's, over its certificate).
      const s = await startManaged(t, kind, {}, { validators: { 'transport-certificate': { enabled: false } } })
      const client = await registerClient(s)
      const token = await credentialOf(s, kind, client)
      const ssa = await sandbox.issueSsa({ software_id: OTHER_SOFTWARE })
      const body = await updateRequest(s, { iss: OTHER_SOFTWARE, software_id: OTHER_SOFTWARE }, ssa)
      await expectRefused(s, () => s.manage('PUT', client.clientId, { token, body }), {
        status: 400,
        error: 'invalid_client_metadata',
        validator: 'request-issuer',
        description: `software_id cannot change: this client is registered for software_id "${sandbox.tpp.softwareId}", the software statement names "${OTHER_SOFTWARE}"`,
        operation: 'update',
      })
      assert.equal((await s.server.store.getClient(client.clientId))?.softwareId, sandbox.tpp.softwareId)
    })

    it('refuses a PUT that carries server-issued members or another client_id (RFC7592-10/11)', async (t) => {
      const s = await startManaged(t, kind)
      const client = await registerClient(s)
      const token = await credentialOf(s, kind, client)
      for (const [member, value] of [['registration_access_token', 'x'], ['registration_client_uri', `${ISSUER}/register/${client.clientId}`], ['client_secret_expires_at', 0], ['client_id_issued_at', 1]] as const) {
        await expectRefused(s, async () => s.manage('PUT', client.clientId, { token, body: await updateRequest(s, { [member]: value }) }), {
          status: 400,
          error: 'invalid_client_metadata',
          validator: 'update-request',
          description: `${member} must not be sent in an update: only the server issues it (RFC 7592 section 2.2); remove it from the request`,
          operation: 'update',
        })
      }
      await expectRefused(s, async () => s.manage('PUT', client.clientId, { token, body: await updateRequest(s, { client_id: 'another-client' }) }), {
        status: 400,
        error: 'invalid_client_metadata',
        validator: 'update-request',
        description: 'client_id must equal the client being updated, the {client_id} of the URL',
        operation: 'update',
      })
    })

    it('PUT takes the media types of POST, and refuses others (SEC-20)', async (t) => {
      const s = await startManaged(t, kind)
      const client = await registerClient(s)
      const token = await credentialOf(s, kind, client)
      const json = await s.manage('PUT', client.clientId, { token, body: JSON.stringify(await updateRequest(s)), contentType: 'application/json' })
      assert.equal(json.status, 200, json.text)
      await expectRefused(s, async () => s.manage('PUT', client.clientId, { token, body: await updateRequest(s), contentType: 'text/plain' }), {
        status: 400,
        error: 'invalid_request',
        description: 'Content-Type text/plain is not accepted here; send the registration request as application/jose or application/jwt or application/json',
        operation: 'update',
      })
    })

    it('DELETE answers 204; then GET, PUT and DELETE are refused with 401 (RFC7592-15, UK-DCR-9)', async (t) => {
      const s = await startManaged(t, kind)
      const client = await registerClient(s)
      const token = await credentialOf(s, kind, client)
      const deleted = await s.manage('DELETE', client.clientId, { token })
      assert.equal(deleted.status, 204, deleted.text)
      assert.equal(deleted.text, '')
      assert.equal((await s.server.store.getClient(client.clientId))?.status, 'deleted')

      // A token issued before the delete, and new ones (each is revoked by its refusal, so each call gets its own).
      const fresh = async (): Promise<string> => (kind === 'client-credentials' ? (await mint(s, { clientId: client.clientId })).token : token)
      const describes = kind === 'client-credentials' ? SAYS.notThisClient : SAYS.invalidRegistrationToken
      await expectRefused(s, () => s.manage('GET', client.clientId, { token }), invalidToken('read', describes))
      await expectRefused(s, async () => s.manage('GET', client.clientId, { token: await fresh() }), invalidToken('read', describes))
      await expectRefused(s, async () => s.manage('PUT', client.clientId, { token: await fresh(), body: await updateRequest(s) }), invalidToken('update', describes))
      await expectRefused(s, async () => s.manage('DELETE', client.clientId, { token: await fresh() }), invalidToken('delete', describes))
      await expectRefused(s, async () => s.manage('PUT', client.clientId, { body: await updateRequest(s) }), invalidToken('update', SAYS.noBearer[kind]))
    })

    it('answers GET, PUT and DELETE without an Authorization header with 401 and WWW-Authenticate: Bearer, even where signed recovery is on (RFC7592-4)', async (t) => {
      const s = await startManaged(t, kind)
      assert.equal(s.config.management.allowSignedRecovery, false, 'signed recovery is off by default')
      const on = await startManaged(t, kind, { allowSignedRecovery: true })
      for (const server of [s, on]) {
        const client = await registerClient(server)
        await expectRefused(server, () => server.manage('GET', client.clientId), invalidToken('read', SAYS.noBearer[kind]))
        await expectRefused(server, async () => server.manage('PUT', client.clientId, { body: await updateRequest(server) }), invalidToken('update', SAYS.noBearer[kind]))
        await expectRefused(server, () => server.manage('DELETE', client.clientId), invalidToken('delete', SAYS.noBearer[kind]))
        await expectRefused(server, () => server.manage('DELETE', client.clientId, { authorization: 'Basic dXNlcjpwYXNz' }), invalidToken('delete', SAYS.notBearer))
        assert.equal((await server.server.store.getClient(client.clientId))?.status, 'active')
      }
    })

    it('refuses Authorization: Signed-Recovery where signed recovery is off, and on GET or DELETE where it is on', async (t) => {
      const s = await startManaged(t, kind)
      const client = await registerClient(s)
      await expectRefused(s, async () => s.manage('PUT', client.clientId, { authorization: 'Signed-Recovery', body: await updateRequest(s) }), invalidToken('update', 'signed recovery is not offered by this server: send Authorization: Bearer <token>'))
      const on = await startManaged(t, kind, { allowSignedRecovery: true })
      const onClient = await registerClient(on)
      await expectRefused(on, () => on.manage('GET', onClient.clientId, { authorization: 'Signed-Recovery' }), invalidToken('read', 'signed recovery is a PUT only: send Authorization: Bearer <token>'))
      await expectRefused(on, () => on.manage('DELETE', onClient.clientId, { authorization: 'Signed-Recovery' }), invalidToken('delete', 'signed recovery is a PUT only: send Authorization: Bearer <token>'))
      assert.equal((await on.server.store.getClient(onClient.clientId))?.status, 'active')
    })

    it('answers another client\'s token and an unknown client id alike (401, never 404), and revokes the token (SEC-33, UK-DCR-6, RFC7592-5)', async (t) => {
      const s = await startManaged(t, kind)
      const mine = await registerClient(s)
      const theirs = await registerClient(s)
      const theirToken = await credentialOf(s, kind, theirs)
      const myToken = await credentialOf(s, kind, mine)

      const otherClient = await expectRefused(s, () => s.manage('GET', mine.clientId, { token: theirToken }), invalidToken('read', SAYS.notThisClient))
      const unknownClient = await expectRefused(s, () => s.manage('GET', 'NoSuchClient0000000000', { token: myToken }), invalidToken('read', SAYS.notThisClient))
      assert.deepEqual(otherClient, unknownClient, 'nothing tells an unknown client from another client')

      const revoked = kind === 'client-credentials' ? SAYS.revokedAccessToken : SAYS.invalidRegistrationToken
      await expectRefused(s, () => s.manage('GET', theirs.clientId, { token: theirToken }), invalidToken('read', revoked))
      await expectRefused(s, () => s.manage('GET', mine.clientId, { token: myToken }), invalidToken('read', revoked))
      const [audit] = await s.server.store.listAudit(1)
      assert.equal(audit?.validator, 'management-authorization')
    })

    it('answers 405 with Allow for an operation not offered (RFC7592-16, UK-DCR-10)', async (t) => {
      const s = await startManaged(t, kind, { operations: ['read', 'update'] })
      const client = await registerClient(s)
      const token = await credentialOf(s, kind, client)
      await expectRefused(s, () => s.manage('DELETE', client.clientId, { token }), { status: 405, error: 'invalid_request', description: 'DELETE /register/{client_id} is not offered by this server; allowed: GET, PUT', operation: 'delete', allow: 'GET, PUT' })
      const response = await s.manage('DELETE', client.clientId, { token })
      assert.equal(response.headers.allow, 'GET, PUT')
      assert.equal((await s.server.store.getClient(client.clientId))?.status, 'active')
      assert.equal((await s.manage('GET', client.clientId, { token })).status, 200)
    })

    it('recovers a registration with a signed PUT sent with Authorization: Signed-Recovery, where it is on (docs/management.md)', async (t) => {
      const s = await startManaged(t, kind, { allowSignedRecovery: true })
      const client = await registerClient(s, { redirect_uris: [CALLBACK, CALLBACK2] })
      const response = await s.manage('PUT', client.clientId, { authorization: 'Signed-Recovery', body: await updateRequest(s, { redirect_uris: [CALLBACK] }), certificate: sameSubjectCertificate })
      assert.equal(response.status, 200, response.text)
      const recovered = response.json as Record<string, unknown>
      assert.deepEqual(recovered.redirect_uris, [CALLBACK])
      const [audit] = await s.server.store.listAudit(1)
      assert.deepEqual({ operation: audit?.operation, outcome: audit?.outcome, detail: audit?.detail }, { operation: 'update', outcome: 'success', detail: 'signed recovery' })
      assert.equal((await s.server.store.getClient(client.clientId))?.certificateThumbprint, x5t(sameSubjectCertificate), 'the registration follows the proven certificate')
      if (kind === 'registration-access-token') {
        const token = recovered.registration_access_token as string
        assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'recovery hands out a new registration access token')
        await expectRefused(s, () => s.manage('GET', client.clientId, { token: client.registrationToken! }), invalidToken('read', SAYS.invalidRegistrationToken))
        const read = await s.manage('GET', client.clientId, { token, certificate: sameSubjectCertificate })
        assert.equal(read.status, 200, read.text)
      } else {
        assert.equal(recovered.registration_access_token, undefined)
      }
    })

    it('refuses a signed recovery for an unknown client exactly as one for another software (SEC-33)', async (t) => {
      const s = await startManaged(t, kind, { allowSignedRecovery: true })
      const client = await registerClient(s)
      const ssa = await sandbox.issueSsa({ software_id: OTHER_SOFTWARE })
      const otherSoftware = await updateRequest(s, { iss: OTHER_SOFTWARE, software_id: OTHER_SOFTWARE }, ssa)
      const wrongSoftware = await expectRefused(s, () => s.manage('PUT', client.clientId, { authorization: 'Signed-Recovery', body: otherSoftware, certificate: otherSoftwareCertificate }), invalidToken('update', SAYS.recoveryRefused))
      const unknown = await expectRefused(s, async () => s.manage('PUT', 'NoSuchClient0000000000', { authorization: 'Signed-Recovery', body: await updateRequest(s) }), invalidToken('update', SAYS.recoveryRefused))
      assert.deepEqual(wrongSoftware, unknown)
    })
  })
}

describe('signed recovery: the certificate', () => {
  it('refuses a recovery over a certificate that is neither the registered one nor names the software, even with transport-certificate off', async (t) => {
    const s = await startManaged(t, 'registration-access-token', { allowSignedRecovery: true }, { validators: { 'transport-certificate': { enabled: false } } })
    const client = await registerClient(s)
    const stranger = await sandbox.ca.issueClient({ subject: 'CN=SomeOtherSoftware,OU=0015800001OTHERORG,O=OpenBanking,C=GB' })
    await expectRefused(s, async () => s.manage('PUT', client.clientId, { authorization: 'Signed-Recovery', body: await updateRequest(s), certificate: stranger }), invalidToken('update', 'signed recovery refused: the transport certificate is neither the one this client registered with nor one whose subject names its software and organisation'))
    const registered = await s.manage('PUT', client.clientId, { authorization: 'Signed-Recovery', body: await updateRequest(s) })
    assert.equal(registered.status, 200, `the registered certificate still recovers: ${registered.text}`)
  })
})

describe('client-credentials tokens: what is refused', () => {
  const kind = 'client-credentials'

  it('refuses an expired access token', async (t) => {
    const s = await startManaged(t, kind)
    const client = await registerClient(s)
    const { token } = await mint(s, { clientId: client.clientId, now: s.nowSeconds() - 1000, lifetimeSeconds: 300 })
    await expectRefused(s, () => s.manage('GET', client.clientId, { token }), invalidToken('read', 'the access token has expired: obtain a new access token from the token endpoint'))
  })

  it('refuses a token that expires while the server clock moves on', async (t) => {
    const s = await startManaged(t, kind)
    const client = await registerClient(s)
    const { token } = await mint(s, { clientId: client.clientId, lifetimeSeconds: 60 })
    assert.equal((await s.manage('GET', client.clientId, { token })).status, 200)
    s.advance(60 + s.config.validators.freshness.clockSkewSeconds)
    await expectRefused(s, () => s.manage('GET', client.clientId, { token }), invalidToken('read', 'the access token has expired: obtain a new access token from the token endpoint'))
  })

  it('refuses a token signed by a stranger key under the server kid', async (t) => {
    const s = await startManaged(t, kind)
    const client = await registerClient(s)
    const keys = await loadServerKeys(s.config.tokens.signingKeysFile, s.config.tokens.signingAlgorithm)
    const { privateKey } = await generateKeyPair('PS256')
    const { token: genuine } = await mint(s, { clientId: client.clientId })
    const forged = await new SignJWT(JSON.parse(Buffer.from(genuine.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>)
      .setProtectedHeader({ alg: 'PS256', kid: keys.current.kid, typ: 'at+jwt' })
      .sign(privateKey)
    await expectRefused(s, () => s.manage('GET', client.clientId, { token: forged }), invalidToken('read', 'the access token is not signed by a key of this server: obtain a new access token from the token endpoint'))
  })

  it('refuses an unsigned (alg none) token', async (t) => {
    const s = await startManaged(t, kind)
    const client = await registerClient(s)
    const now = s.nowSeconds()
    const token = new UnsecuredJWT({ iss: ISSUER, aud: ISSUER, sub: client.clientId, client_id: client.clientId, scope: 'openid', iat: now, exp: now + 300, jti: 'unsigned', cnf: { 'x5t#S256': x5t(sandbox.tpp.transport) } }).encode()
    await expectRefused(s, () => s.manage('GET', client.clientId, { token }), invalidToken('read', 'the access token must be signed with PS256 or ES256: obtain a new access token from the token endpoint'))
  })

  it('refuses a token bound to another certificate of the same subject (RFC8705-7)', async (t) => {
    const s = await startManaged(t, kind)
    const client = await registerClient(s)
    const { token } = await mint(s, { clientId: client.clientId, certificate: sandbox.tpp.transport })
    await expectRefused(s, () => s.manage('GET', client.clientId, { token, certificate: sameSubjectCertificate }), invalidToken('read', 'the access token is bound to another client certificate (cnf x5t#S256): call with the certificate the token was issued to, or obtain a new token with this one'))
    assert.equal((await s.manage('GET', client.clientId, { token })).status, 200, 'the token still works with its own certificate: it was not revoked')
  })

  it('refuses an unbound token while tokens.certificateBound is on, and accepts it when off', async (t) => {
    const s = await startManaged(t, kind)
    const client = await registerClient(s)
    const { token } = await mint(s, { clientId: client.clientId, certificate: null })
    await expectRefused(s, () => s.manage('GET', client.clientId, { token }), invalidToken('read', 'the access token is not bound to a client certificate (cnf x5t#S256): obtain one from the token endpoint over mutual TLS'))

    const unbound = await startManaged(t, kind, {}, { tokens: { certificateBound: false } })
    const unboundClient = await registerClient(unbound)
    const { token: unboundToken } = await mint(unbound, { clientId: unboundClient.clientId, certificate: null })
    assert.equal((await unbound.manage('GET', unboundClient.clientId, { token: unboundToken })).status, 200)
  })

  it('answers 403 insufficient_scope when the token lacks management.requiredScope (CDR-DCR-2, RFC7592-6)', async (t) => {
    const s = await startManaged(t, kind, { requiredScope: 'cdr:registration' })
    const client = await registerClient(s)
    const { token } = await mint(s, { clientId: client.clientId, scope: 'openid accounts' })
    await expectRefused(s, () => s.manage('GET', client.clientId, { token }), {
      status: 403,
      error: 'insufficient_scope',
      description: 'the access token lacks the scope cdr:registration that registration management requires: ask the token endpoint for it',
      challenge: 'Bearer error="insufficient_scope", error_description="the access token lacks the scope cdr:registration that registration management requires: ask the token endpoint for it", scope="cdr:registration"',
      operation: 'read',
    })
    const { token: scoped } = await mint(s, { clientId: client.clientId, scope: 'openid cdr:registration' })
    assert.equal((await s.manage('GET', client.clientId, { token: scoped })).status, 200)
  })

  it('does not let a PUT invalidate the access token used (UK-DCR-8)', async (t) => {
    const s = await startManaged(t, kind)
    const client = await registerClient(s)
    const { token } = await mint(s, { clientId: client.clientId })
    assert.equal((await s.manage('PUT', client.clientId, { token, body: await updateRequest(s) })).status, 200)
    assert.equal((await s.manage('GET', client.clientId, { token })).status, 200)
  })
})

describe('registration access tokens: rotation', () => {
  const kind = 'registration-access-token'

  it('on-use: each GET and PUT returns a new token; the previous one works for the grace period only (RFC7592-8, BR-DCR-28)', async (t) => {
    const s = await startManaged(t, kind, { rotation: 'on-use', rotationGraceSeconds: 60 })
    const client = await registerClient(s)
    const t0 = client.registrationToken!

    const first = await s.manage('GET', client.clientId, { token: t0 })
    assert.equal(first.status, 200, first.text)
    const t1 = (first.json as Record<string, unknown>).registration_access_token as string
    assert.match(t1, /^[A-Za-z0-9_-]{43}$/)
    assert.notEqual(t1, t0)

    s.advance(30)
    const lost = await s.manage('GET', client.clientId, { token: t0 })
    assert.equal(lost.status, 200, 'within the grace period the previous token still works (a lost response does not lock the TPP out)')
    const t2 = (lost.json as Record<string, unknown>).registration_access_token as string

    s.advance(31)
    await expectRefused(s, () => s.manage('GET', client.clientId, { token: t0 }), invalidToken('read', SAYS.invalidRegistrationToken))
    s.advance(30)
    await expectRefused(s, () => s.manage('GET', client.clientId, { token: t1 }), invalidToken('read', SAYS.invalidRegistrationToken))

    const put = await s.manage('PUT', client.clientId, { token: t2, body: await updateRequest(s) })
    assert.equal(put.status, 200, put.text)
    const t3 = (put.json as Record<string, unknown>).registration_access_token as string
    assert.match(t3, /^[A-Za-z0-9_-]{43}$/)
    assert.equal((await s.manage('GET', client.clientId, { token: t3 })).status, 200)
    const audits = await s.server.store.listAudit(20)
    assert.doesNotMatch(JSON.stringify(audits), new RegExp([t0, t1, t2, t3].join('|')), 'no token is ever audited (SEC-35)')
  })

  it('refuses at boot a rotation under which a GET or PUT would answer without a registration_access_token (RFC 7592 §3)', async (t) => {
    for (const rotation of ['never', 'on-update']) {
      await assert.rejects(startManaged(t, kind, { rotation }), /management\.rotation.*must be on-use with tokenKind registration-access-token/)
    }
  })

  it('refuses an access token of the token endpoint in registration-access-token mode', async (t) => {
    const s = await startManaged(t, kind)
    const client = await registerClient(s)
    const { token } = await mint(s, { clientId: client.clientId })
    await expectRefused(s, () => s.manage('GET', client.clientId, { token }), invalidToken('read', SAYS.invalidRegistrationToken))
  })
})
