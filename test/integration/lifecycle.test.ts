/**
 * The whole life of a registration over real mutual TLS (issue 4), for both ways of authorising management:
 * register (RFC 7591) → access token from POST /token with a private_key_jwt assertion signed by the sandbox
 * TPP key (client-credentials only; UK-DCR-2, RFC 7523) → GET (200, the 201's shape; RFC7592-7, UK-DCR-5) →
 * PUT with a fresh signed request and a fresh SSA that changes a redirect URI (200; RFC7592-9/13, UK-DCR-7)
 * → GET shows the change → DELETE (204; RFC7592-15, UK-DCR-9) → GET refused 401 with `WWW-Authenticate:
 * Bearer` (RFC7592-4/5) and no new access token for the deleted client. Registration access tokens are run
 * with rotation `on-use`, the only one RFC 7592 §3 leaves (RFC7592-8, BR-DCR-28). Real server, real SQLite, real signatures;
 * the audit trail and the store counts are checked at the end. docs/lifecycle.md is the same sequence in curl.
 */
import { describeError } from '../../src/lib/error-table.ts'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { mtlsRequest, type MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { ISSUER, sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

const TOKEN_ENDPOINT = `${ISSUER}/token`
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const CALLBACK = 'https://acme-fin.example.co.uk/ob/callback'
const CALLBACK2 = 'https://acme-fin.example.co.uk/ob/callback2'
/** The redirect URI the update moves to; only the fresh SSA of the update lists it. */
const CALLBACK_V2 = 'https://acme-fin.example.co.uk/ob/v2/callback'

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

type Style = {
  name: string
  management: Record<string, unknown>
  /** Whether a GET hands out a new registration access token. */
  rotatesOnRead: boolean
}

const STYLES: readonly Style[] = [
  { name: 'client-credentials access tokens (UK, POST /token with private_key_jwt)', management: { tokenKind: 'client-credentials' }, rotatesOnRead: false },
  { name: 'registration access tokens, rotation on-use', management: { tokenKind: 'registration-access-token', rotation: 'on-use' }, rotatesOnRead: true },
]

const usesRegistrationTokens = (style: Style): boolean => style.management.tokenKind === 'registration-access-token'
const without = (object: Record<string, unknown>, ...names: string[]): Record<string, unknown> => Object.fromEntries(Object.entries(object).filter(([name]) => !names.includes(name)))
const now = (): number => Math.floor(Date.now() / 1000)

/** POST /token, client credentials grant, with a fresh private_key_jwt assertion signed by the sandbox TPP key. */
async function requestToken(s: TestServer, clientId: string): Promise<MtlsResponse> {
  const iat = now()
  const assertion = await sandbox.tpp.signRequest({ iss: clientId, sub: clientId, aud: TOKEN_ENDPOINT, iat, exp: iat + 60, jti: randomUUID() })
  return mtlsRequest({
    url: `${s.server.url}/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: assertion }).toString(),
    cert: sandbox.tpp.transport.certificatePem,
    key: sandbox.tpp.transport.privateKeyPem,
    ca: sandbox.caCertificatePem,
  })
}

/** A management answer refused with 401 invalid_token, `description`, and the RFC 6750 challenge that repeats it. */
function assertBearerRefusal(response: MtlsResponse, description: string): void {
  assert.deepStrictEqual(
    { status: response.status, body: response.json, challenge: response.headers['www-authenticate'] },
    { status: 401, body: { error: 'invalid_token', error_description: description }, challenge: `Bearer error="invalid_token", error_description="${description}"` },
  )
  assert.equal(response.headers['cache-control'], 'no-store')
}

/** Why a management call is refused: another client's or an unknown client's access token, or an unknown registration access token. */
const NOT_THIS_CLIENT = 'the token does not authorise this client registration (it belongs to another client, or the client does not exist); the token has been revoked'
const INVALID_REGISTRATION_TOKEN = 'the registration access token is not valid (unknown, replaced or of a deleted client): use the latest registration_access_token this server returned (every GET and PUT answer carries a new one)'

/** The registration access token a management answer hands out, if any. */
const issuedToken = (response: MtlsResponse): string | undefined => (response.json as { registration_access_token?: string }).registration_access_token

describe('the lifecycle of a registration over mutual TLS: register → token → GET → PUT → GET → DELETE → GET refused', () => {
  for (const style of STYLES) {
    it(style.name, async (t) => {
      const s = await startDcrServer(t, sandbox, { management: style.management })

      // Register.
      const created = await s.register(await s.signedRequest())
      assert.equal(created.status, 201, created.text)
      const registered = created.json as Record<string, unknown>
      const clientId = registered.client_id as string
      assert.deepEqual(registered.redirect_uris, [CALLBACK])

      // The management credential: an access token of POST /token, or the registration access token of the 201.
      const tokens: string[] = []
      if (usesRegistrationTokens(style)) {
        assert.equal(registered.registration_client_uri, `${ISSUER}/register/${clientId}`, 'RFC7592-1')
        tokens.push(registered.registration_access_token as string)
      } else {
        assert.equal(registered.registration_access_token, undefined)
        const granted = await requestToken(s, clientId)
        assert.equal(granted.status, 200, granted.text)
        tokens.push((granted.json as { access_token: string }).access_token)
      }
      const current = (): string => tokens.at(-1)!

      // GET: the registration as the 201 gave it.
      const read = await s.manage('GET', clientId, { token: current() })
      assert.equal(read.status, 200, read.text)
      const readBody = read.json as Record<string, unknown>
      if (style.rotatesOnRead) {
        const next = issuedToken(read)
        assert.match(next ?? '', /^[A-Za-z0-9_-]{43}$/, 'on-use: the GET hands out a new token')
        assert.notEqual(next, current())
        tokens.push(next!)
        assert.deepEqual(without(readBody, 'registration_access_token'), without(registered, 'registration_access_token'))
        assert.deepEqual(Object.keys(readBody).sort(), Object.keys(registered).sort(), 'same shape as the 201')
      } else {
        assert.equal(issuedToken(read), undefined)
        assert.deepEqual(readBody, without(registered, 'registration_access_token'), 'same shape and values as the 201')
      }

      // PUT: a fresh signed request with a fresh SSA whose redirect URIs changed.
      const ssa = await sandbox.issueSsa({ software_redirect_uris: [CALLBACK, CALLBACK_V2] })
      const update = await s.signedRequest({ ssa, overrides: { client_id: clientId, redirect_uris: [CALLBACK_V2] } })
      const put = await s.manage('PUT', clientId, { token: current(), body: update })
      assert.equal(put.status, 200, put.text)
      const updated = put.json as Record<string, unknown>
      assert.equal(updated.client_id, clientId, 'RFC7592-14')
      assert.equal(updated.client_id_issued_at, registered.client_id_issued_at)
      assert.deepEqual(updated.redirect_uris, [CALLBACK_V2])
      assert.deepEqual(updated.software_redirect_uris, [CALLBACK, CALLBACK_V2], 'the SSA claims of the update are flattened into the answer (UK-DCR-5)')
      if (usesRegistrationTokens(style)) {
        const next = issuedToken(put)
        assert.match(next ?? '', /^[A-Za-z0-9_-]{43}$/, 'on-update and on-use: the PUT hands out a new token')
        tokens.push(next!)
      } else {
        assert.equal(issuedToken(put), undefined)
      }

      // GET shows the change.
      const reread = await s.manage('GET', clientId, { token: current() })
      assert.equal(reread.status, 200, reread.text)
      const rereadBody = reread.json as Record<string, unknown>
      assert.deepEqual(without(rereadBody, 'registration_access_token'), without(updated, 'registration_access_token'))
      assert.deepEqual(rereadBody.redirect_uris, [CALLBACK_V2])
      if (style.rotatesOnRead) tokens.push(issuedToken(reread)!)

      // DELETE.
      const deleted = await s.manage('DELETE', clientId, { token: current() })
      assert.equal(deleted.status, 204, deleted.text)
      assert.equal(deleted.text, '')

      // Afterwards: the token is refused with an RFC 6750 challenge, earlier tokens too, and the token endpoint issues no new one.
      assertBearerRefusal(await s.manage('GET', clientId, { token: current() }), usesRegistrationTokens(style) ? INVALID_REGISTRATION_TOKEN : NOT_THIS_CLIENT)
      if (usesRegistrationTokens(style)) {
        // Earlier registration access tokens would still be in their grace period; DELETE ended them all.
        assertBearerRefusal(await s.manage('GET', clientId, { token: tokens[0]! }), INVALID_REGISTRATION_TOKEN)
      }
      const refused = await requestToken(s, clientId)
      assert.deepStrictEqual(
        { status: refused.status, body: refused.json, challenge: refused.headers['www-authenticate'] },
        { status: 401, body: { error: 'invalid_client', error_description: describeError('token.invalid_client') }, challenge: 'private_key_jwt, tls_client_auth' },
      )

      // What the store holds: the one client, deleted; the JTIs of registration, assertion and update; one audit event per call.
      assert.equal((await s.server.store.getClient(clientId))?.status, 'deleted')
      const calls = usesRegistrationTokens(style)
        ? ['create:success', 'read:success', 'update:success', 'read:success', 'delete:success', 'read:rejected', 'read:rejected', 'token:rejected']
        : ['create:success', 'token:success', 'read:success', 'update:success', 'read:success', 'delete:success', 'read:rejected', 'token:rejected']
      const audit = (await s.server.store.listAudit(50)).reverse()
      assert.deepEqual(audit.map((event) => `${event.operation}:${event.outcome}`), calls)
      // The last refusal happens before a client is found: a deleted client is as unknown as one never registered.
      assert.ok(audit.slice(0, -1).every((event) => event.clientId === clientId), 'every management event names the client')
      assert.equal(audit.at(-1)?.errorCode, 'invalid_client')
      const jtis = usesRegistrationTokens(style) ? 4 : 5
      assert.deepEqual(await s.counts(), { clients: 1, jtis, auditEvents: calls.length })
      assert.doesNotMatch(JSON.stringify(audit), new RegExp(tokens.join('|')), 'no token is audited (SEC-35)')
    })
  }
})

describe('refusals with real credentials over mutual TLS (RFC7592-4/5, UK-DCR-6, SEC-33)', () => {
  for (const style of STYLES.slice(0, 2)) {
    it(`${style.name}: another client's token and an unknown client id get 401 on GET, PUT and DELETE; the registration stays`, async (t) => {
      const s = await startDcrServer(t, sandbox, { management: style.management })
      const register = async (): Promise<Record<string, unknown>> => {
        const response = await s.register(await s.signedRequest())
        assert.equal(response.status, 201, response.text)
        return response.json as Record<string, unknown>
      }
      const mine = await register()
      const myId = mine.client_id as string
      /** A credential of a new client each time: a refused token is revoked, so each refusal needs its own. */
      const strangerToken = async (): Promise<string> => {
        const theirs = await register()
        if (usesRegistrationTokens(style)) return theirs.registration_access_token as string
        const granted = await requestToken(s, theirs.client_id as string)
        assert.equal(granted.status, 200, granted.text)
        return (granted.json as { access_token: string }).access_token
      }
      const myToken = async (): Promise<string> => {
        if (usesRegistrationTokens(style)) return mine.registration_access_token as string
        return ((await requestToken(s, myId)).json as { access_token: string }).access_token
      }
      const body = async (): Promise<string> => s.signedRequest({ overrides: { client_id: myId, redirect_uris: [CALLBACK2] } })

      assertBearerRefusal(await s.manage('GET', myId, { token: await strangerToken() }), NOT_THIS_CLIENT)
      assertBearerRefusal(await s.manage('PUT', myId, { token: await strangerToken(), body: await body() }), NOT_THIS_CLIENT)
      assertBearerRefusal(await s.manage('DELETE', myId, { token: await strangerToken() }), NOT_THIS_CLIENT)
      const unknownId = 'NoSuchClient0000000000'
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        // Registration access tokens presented for an unknown client are revoked: each call gets a fresh client's.
        const token = usesRegistrationTokens(style) ? await strangerToken() : await myToken()
        const response = await s.manage(method, unknownId, { token, ...(method === 'PUT' ? { body: await body() } : {}) })
        assertBearerRefusal(response, NOT_THIS_CLIENT)
        assert.notEqual(response.status, 404, 'never 404: nothing tells whether a client id exists')
      }
      const client = await s.server.store.getClient(myId)
      assert.equal(client?.status, 'active')
      assert.deepEqual(client?.metadata.redirect_uris, [CALLBACK], 'no refused PUT changed the registration')
      const read = await s.manage('GET', myId, { token: await myToken() })
      assert.equal(read.status, 200, read.text)
    })
  }
})
