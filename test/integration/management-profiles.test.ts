/**
 * RFC 7592 management as each preset answers it (issue 12, items 7–9), over real TLS on loopback with sandbox
 * certificates, real signatures and real SQLite:
 * - brazil and rfc7591 (registration access tokens): every 200 of GET and PUT carries
 *   `registration_client_uri` and a new `registration_access_token` (RFC7592-1/7/13, RFC 7592 §3 REQUIRED),
 *   and the previous token stops at once (grace 0 in both presets, docs/profiles.md; RFC7592-8, BR-DCR-28);
 * - cdr: an unknown client and another client's token get one and the same 401
 *   `WWW-Authenticate: Bearer error="invalid_request"`, as the CDR reference authorisation server (SEC-33);
 * - rfc7591: a client registered without mutual TLS manages its registration without it, one registered with
 *   a certificate still needs it (SEC-32).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { issueAccessToken } from '../../src/tokens/issue.ts'
import { loadServerKeys } from '../../src/tokens/server-keys.ts'
import { thumbprintOf } from '../../src/http/client-cert.ts'
import { ISSUER, sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'
import { brazilServerValues, cdrServerValues, createBrazilSandbox, createCdrSandbox, type CdrSandbox } from '../helpers/profile-sandboxes.ts'

const TOKEN = /^[A-Za-z0-9_-]{43}$/
const json = (response: MtlsResponse): Record<string, unknown> => response.json as Record<string, unknown>

/** RFC 7592 §3: a 200 of GET or PUT names the configuration endpoint and carries a (new) registration access token. */
function assertManagementMembers(response: MtlsResponse, clientId: string, previous: string): string {
  assert.equal(response.status, 200, response.text)
  const body = json(response)
  assert.equal(body.registration_client_uri, `${ISSUER}/register/${clientId}`)
  const token = body.registration_access_token
  assert.ok(typeof token === 'string' && TOKEN.test(token), `registration_access_token in every 200: ${response.text}`)
  assert.notEqual(token, previous, 'a new token (only hashes are stored, so the answer cannot repeat the old one)')
  return token
}

async function assertTokenRefused(s: TestServer, clientId: string, token: string, options: { certificate?: null } = {}): Promise<void> {
  const refused = await s.manage('GET', clientId, { token, ...options })
  const invalid = 'the registration access token is not valid (unknown, replaced or of a deleted client): use the latest registration_access_token this server returned (every GET and PUT answer carries a new one)'
  assert.deepStrictEqual(
    { status: refused.status, body: refused.json, challenge: refused.headers['www-authenticate'] },
    { status: 401, body: { error: 'invalid_token', error_description: invalid }, challenge: `Bearer error="invalid_token", error_description="${invalid}"` },
    'the replaced token stops working at once',
  )
}

describe('brazil: registration access tokens in every 200, single use (RFC 7592 §3, BR-DCR-28)', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createBrazilSandbox()
  })
  after(() => sandbox.close())

  it('every GET and PUT 200 carries registration_client_uri and a new registration_access_token, and the previous token stops working', async (t) => {
    const s = await startDcrServer(t, sandbox, brazilServerValues(sandbox))
    assert.deepEqual([s.config.management.rotation, s.config.management.rotationGraceSeconds], ['on-use', 0], 'the preset docs/profiles.md describes')
    const body = async () => JSON.stringify(sandbox.tpp.brazilRegistrationBody({ ssa: await sandbox.issueBrazilSsa(), tlsClientAuth: true }))
    const created = await s.register(await body(), { contentType: 'application/json' })
    assert.equal(created.status, 201, created.text)
    const clientId = json(created).client_id as string
    const t0 = json(created).registration_access_token as string

    const t1 = assertManagementMembers(await s.manage('GET', clientId, { token: t0 }), clientId, t0)
    await assertTokenRefused(s, clientId, t0)
    const t2 = assertManagementMembers(await s.manage('PUT', clientId, { token: t1, body: await body(), contentType: 'application/json' }), clientId, t1)
    await assertTokenRefused(s, clientId, t1)
    const t3 = assertManagementMembers(await s.manage('GET', clientId, { token: t2 }), clientId, t2)
    assert.equal((await s.manage('DELETE', clientId, { token: t3 })).status, 204)
  })
})

describe('rfc7591: registration access tokens, and management without mutual TLS', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await sharedSandbox()
  })
  after(() => sandbox.close())

  // With a software_id: an update of a client registered without one is item 3 of issue 12, not tested here.
  const metadata = { software_id: 'example-software', redirect_uris: ['https://app.example-tpp.com/cb'], token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', jwks_uri: 'https://keys.example-tpp.com/jwks.json', client_name: 'Example' }

  it('every GET and PUT 200 carries registration_client_uri and a new registration_access_token, and the previous token stops working', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591' })
    assert.deepEqual([s.config.management.rotation, s.config.management.rotationGraceSeconds], ['on-use', 0], 'the preset docs/profiles.md describes')
    const created = await s.register(JSON.stringify(metadata), { contentType: 'application/json', certificate: null })
    assert.equal(created.status, 201, created.text)
    const clientId = json(created).client_id as string
    const t0 = json(created).registration_access_token as string
    const put = (token: string, client_name: string) => s.manage('PUT', clientId, { token, body: JSON.stringify({ ...metadata, client_id: clientId, client_name }), contentType: 'application/json', certificate: null })

    const t1 = assertManagementMembers(await s.manage('GET', clientId, { token: t0, certificate: null }), clientId, t0)
    await assertTokenRefused(s, clientId, t0, { certificate: null })
    const updated = await put(t1, 'Renamed')
    const t2 = assertManagementMembers(updated, clientId, t1)
    assert.equal(json(updated).client_name, 'Renamed')
    await assertTokenRefused(s, clientId, t1, { certificate: null })
    assertManagementMembers(await s.manage('GET', clientId, { token: t2, certificate: null }), clientId, t2)
  })

  it('a client registered without mutual TLS reads, updates and deletes its registration without a client certificate', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591' })
    const created = await s.register(JSON.stringify(metadata), { contentType: 'application/json', certificate: null })
    assert.equal(created.status, 201, created.text)
    const clientId = json(created).client_id as string
    assert.equal((await s.server.store.getClient(clientId))?.certificateThumbprint, undefined, 'registered without a certificate')
    const read = await s.manage('GET', clientId, { token: json(created).registration_access_token as string, certificate: null })
    const t1 = assertManagementMembers(read, clientId, json(created).registration_access_token as string)
    const updated = await s.manage('PUT', clientId, { token: t1, body: JSON.stringify({ ...metadata, client_id: clientId }), contentType: 'application/json', certificate: null })
    const t2 = assertManagementMembers(updated, clientId, t1)
    const deleted = await s.manage('DELETE', clientId, { token: t2, certificate: null })
    assert.equal(deleted.status, 204, deleted.text)
    assert.equal((await s.server.store.getClient(clientId))?.status, 'deleted')
  })

  it('a client registered with a certificate must still present it (SEC-32)', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591' })
    const created = await s.register(JSON.stringify(metadata), { contentType: 'application/json' })
    assert.equal(created.status, 201, created.text)
    const clientId = json(created).client_id as string
    const token = json(created).registration_access_token as string
    assert.equal((await s.server.store.getClient(clientId))?.certificateThumbprint, thumbprintOf(sandbox.tpp.transport.certificate.raw))
    for (const method of ['GET', 'DELETE'] as const) {
      const refused = await s.manage(method, clientId, { token, certificate: null })
      const overCertificate = 'the registration access token must be presented over the transport certificate of the registered software'
      assert.deepStrictEqual(
        { status: refused.status, body: refused.json, challenge: refused.headers['www-authenticate'] },
        { status: 401, body: { error: 'invalid_token', error_description: overCertificate }, challenge: `Bearer error="invalid_token", error_description="${overCertificate}"` },
      )
    }
    assert.equal((await s.server.store.getClient(clientId))?.status, 'active')
    assertManagementMembers(await s.manage('GET', clientId, { token }), clientId, token)
  })
})

describe('cdr: unknown client and another client\'s token (SEC-33, CDR reference authorisation server)', () => {
  let cdr: CdrSandbox
  before(async () => {
    cdr = await createCdrSandbox()
  })
  after(() => cdr.close())

  it('answers an unknown client and another client\'s token with the same 401 Bearer error="invalid_request"', async (t) => {
    const { sandbox, register } = cdr
    const s = await startDcrServer(t, sandbox, {
      ...cdrServerValues(cdr),
      // Two clients of the one sandbox software, so that one can hold the other's token.
      registration: { allowMultiplePerSoftwareId: true },
    })
    const registerOne = async (): Promise<string> => {
      const created = await s.register(await sandbox.tpp.signRequest(sandbox.tpp.cdrRegistrationClaims({ ssa: await register.issueSsa({ jwks_uri: sandbox.tpp.jwksUrl }), aud: ISSUER })))
      assert.equal(created.status, 201, created.text)
      return json(created).client_id as string
    }
    const mine = await registerOne()
    const theirs = await registerOne()
    const keys = await loadServerKeys(s.config.tokens.signingKeysFile, s.config.tokens.signingAlgorithm)
    const tokenOf = async (clientId: string) =>
      (await issueAccessToken(keys, { issuer: ISSUER, clientId, scope: 'cdr:registration', thumbprint: thumbprintOf(sandbox.tpp.transport.certificate.raw), lifetimeSeconds: 300, now: Math.floor(Date.now() / 1000) })).token

    assert.equal((await s.manage('GET', mine, { token: await tokenOf(mine) })).status, 200, 'the token works for its own client')
    const otherClient = await s.manage('GET', mine, { token: await tokenOf(theirs) })
    const unknownClient = await s.manage('GET', 'NoSuchClient0000000000', { token: await tokenOf(mine) })
    const unknown = 'The client is unknown: the token does not authorise this client registration (it belongs to another client, or the client does not exist); the token has been revoked'
    for (const response of [otherClient, unknownClient]) {
      assert.deepStrictEqual(
        { status: response.status, body: response.json, challenge: response.headers['www-authenticate'] },
        { status: 401, body: { error: 'invalid_request', error_description: unknown }, challenge: `Bearer error="invalid_request", error_description="${unknown}"` },
      )
    }
    assert.deepEqual([otherClient.headers['www-authenticate'], otherClient.text], [unknownClient.headers['www-authenticate'], unknownClient.text], 'nothing tells the two apart (SEC-33)')
    const [audit] = await s.server.store.listAudit(1)
    assert.deepEqual([audit?.outcome, audit?.errorCode, audit?.validator], ['rejected', 'invalid_request', 'management-authorization'])
    // Other refusals keep RFC 6750's invalid_token.
    const missing = await s.manage('GET', mine)
    const noBearer = 'send an access token of the token endpoint as Authorization: Bearer <token>'
    assert.deepStrictEqual(
      { status: missing.status, body: missing.json, challenge: missing.headers['www-authenticate'] },
      { status: 401, body: { error: 'invalid_token', error_description: noBearer }, challenge: `Bearer error="invalid_token", error_description="${noBearer}"` },
    )
  })
})
