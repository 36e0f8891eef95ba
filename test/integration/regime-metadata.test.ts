/**
 * Registration metadata as each regime wants it (issue 12 items 1–4), through the running server over real TLS:
 * user-facing URIs of the request share the redirect URIs' host, the CDR's optional claims get the Data Holder's
 * defaults, and a plain RFC 7591 client may be a client_credentials client without redirect URIs, be updated
 * without a software_id, and present a statement in RFC 7591's own names.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { ISSUER, sharedSandbox, startDcrServer } from '../helpers/dcr-server.ts'
import { cdrServerValues, createCdrSandbox, type CdrSandbox } from '../helpers/profile-sandboxes.ts'

const json = (value: unknown) => value as Record<string, unknown>

describe('user-facing URIs of the request (issue 12 item 1, UK-DCR-39, RFC7591-26)', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await sharedSandbox()
  })
  after(() => sandbox.close())

  it('refuses a request tos_uri on another host than the statement\'s redirect URIs, with invalid_client_metadata', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const ssa = await sandbox.issueSsa()
    const ssaRedirectHost = new URL((JSON.parse(Buffer.from(ssa.split('.')[1]!, 'base64url').toString('utf8')) as { software_redirect_uris: string[] }).software_redirect_uris[0]!).hostname
    const answer = await s.register(await s.signedRequest({ ssa, overrides: { tos_uri: 'https://elsewhere.example.net/tos' } }))
    assert.equal(answer.status, 400)
    assert.deepStrictEqual(answer.json, {
      error: 'invalid_client_metadata',
      error_description: `tos_uri in the request is on host elsewhere.example.net but software_redirect_uris in the software statement is on host ${ssaRedirectHost}; the request's user-facing URIs must share the host of the redirect URIs`,
      validator: 'hostname-consistency',
    })
    assert.equal((await s.counts()).clients, 0)
  })

  it("registers the statement's URI where the statement has one, whatever the request sends on the same host", async (t) => {
    const s = await startDcrServer(t, sandbox)
    const ssa = await sandbox.issueSsa()
    const statementTos = String(JSON.parse(Buffer.from(ssa.split('.')[1]!, 'base64url').toString('utf8')).software_tos_uri)
    const sameHost = new URL('/other-terms', statementTos).toString()
    const answer = await s.register(await s.signedRequest({ ssa, overrides: { tos_uri: sameHost } }))
    assert.equal(answer.status, 201, answer.text)
    assert.equal(json(answer.json).tos_uri, statementTos)
  })
})

describe('CDR: the Data Holder defaults of optional claims (issue 12 item 2, CDR-DCR-13, CDR-DCR-19)', () => {
  let cdr: CdrSandbox
  before(async () => {
    cdr = await createCdrSandbox()
  })
  after(() => cdr.close())

  it('registers request_object_signing_alg PS256 and the JARM encryption default when the request leaves them out', async (t) => {
    const s = await startDcrServer(t, cdr.sandbox, cdrServerValues(cdr))
    const claims = cdr.sandbox.tpp.cdrRegistrationClaims({ ssa: await cdr.register.issueSsa({ jwks_uri: cdr.sandbox.tpp.jwksUrl }), aud: ISSUER, overrides: { request_object_signing_alg: undefined, application_type: undefined, authorization_encrypted_response_alg: 'RSA-OAEP', authorization_encrypted_response_enc: undefined } })
    const answer = await s.register(await cdr.sandbox.tpp.signRequest(claims), { contentType: 'application/jwt' })
    assert.equal(answer.status, 201, answer.text)
    const client = json(answer.json)
    assert.deepStrictEqual(
      { request_object_signing_alg: client.request_object_signing_alg, application_type: client.application_type, authorization_encrypted_response_enc: client.authorization_encrypted_response_enc },
      { request_object_signing_alg: 'PS256', application_type: 'web', authorization_encrypted_response_enc: 'A128CBC-HS256' },
    )
  })
})

describe('plain RFC 7591 (issue 12 items 3 and 4)', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await sharedSandbox()
  })
  after(() => sandbox.close())

  const base = { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', jwks_uri: 'https://keys.example-tpp.com/jwks.json' }
  const register = (s: Awaited<ReturnType<typeof startDcrServer>>, metadata: Record<string, unknown>) => s.register(JSON.stringify(metadata), { contentType: 'application/json', certificate: null })

  it('updates a client registered without software_id (item 3)', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591' })
    const metadata = { ...base, redirect_uris: ['https://app.example-tpp.com/cb'], client_name: 'Before' }
    const created = await register(s, metadata)
    assert.equal(created.status, 201, created.text)
    const { client_id: clientId, registration_access_token: token } = json(created.json) as { client_id: string; registration_access_token: string }
    const updated = await s.manage('PUT', clientId, { token, body: JSON.stringify({ ...metadata, client_id: clientId, client_name: 'After' }), contentType: 'application/json', certificate: null })
    assert.equal(updated.status, 200, updated.text)
    assert.equal(json(updated.json).client_name, 'After')
  })

  it('registers a client_credentials-only client without redirect URIs, and no default response type for it (item 4)', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591' })
    const created = await register(s, { ...base, grant_types: ['client_credentials'] })
    assert.equal(created.status, 201, created.text)
    assert.deepStrictEqual({ grant_types: json(created.json).grant_types, response_types: json(created.json).response_types, redirect_uris: json(created.json).redirect_uris }, { grant_types: ['client_credentials'], response_types: [], redirect_uris: undefined })
    const redirectGrant = await register(s, { ...base })
    assert.equal(redirectGrant.status, 400)
    assert.deepStrictEqual(redirectGrant.json, {
      error: 'invalid_redirect_uri',
      error_description: "grant authorization_code needs redirect_uris: list the client's https redirect URIs, or register only grants without redirects (e.g. client_credentials)",
      validator: 'required-attributes',
    })
  })

  it("reads a software statement's RFC 7591 names: its redirect_uris and the scopes of its scope (item 4)", async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591' })
    const statementOf = () => sandbox.issueSsa({ software_id: 'rfc7591-app', redirect_uris: ['https://app.example-tpp.com/cb'], scope: 'openid accounts' })
    const statement = await statementOf()
    const created = await register(s, { ...base, software_statement: statement, scope: 'openid accounts' })
    assert.equal(created.status, 201, created.text)
    const client = json(created.json)
    assert.deepStrictEqual({ redirect_uris: client.redirect_uris, scope: client.scope, software_id: client.software_id }, { redirect_uris: ['https://app.example-tpp.com/cb'], scope: 'openid accounts', software_id: 'rfc7591-app' })
    const beyond = await register(s, { ...base, software_statement: await statementOf(), scope: 'openid payments' })
    assert.equal(beyond.status, 400)
    assert.deepStrictEqual(beyond.json, {
      error: 'invalid_client_metadata',
      error_description: 'scope asks for "payments", which the software statement\'s scope does not grant; request only openid accounts',
      validator: 'roles-and-scopes',
    })
  })
})
