/**
 * The client credentials grant (RFC 6749 §4.4, RFC8705-6): grant_type first (so an unservable request
 * does not use up an assertion's jti), the grant registered for the client, the scope rules (RFC 6749 §3.3,
 * CDR-DCR-2), a certificate-bound token signed by the server key, and one audit event per request that
 * never holds the token or the assertion (SEC-35). Frozen clock, real keys, store and certificates.
 */
import { createAuditWriter } from '../../src/audit/audit-writer.ts'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, it, type TestContext } from 'node:test'
import { jwtVerify } from 'jose'
import type { Config } from '../../src/config/schema.ts'
import { HttpError } from '../../src/http/errors.ts'
import { createCertificateAuthority, type IssuedCertificate } from '../../src/sandbox/ca.ts'
import type { Store } from '../../src/store/store.ts'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/tokens/client-auth/private-key-jwt.ts'
import { createTokenEndpoint, type TokenEndpoint } from '../../src/tokens/client-credentials.ts'
import { loadServerKeys, type ServerKeys } from '../../src/tokens/server-keys.ts'
import { createRemoteKeySets } from '../../src/trust/remote-key-sets.ts'
import { assertionClaims, clientRecord, expectOAuthError, ISSUER, NOW, openTestStore, presented, register, signAssertion, signingKey, type TestSigningKey, tokenTestConfig } from './token-fixtures.ts'

let transport: IssuedCertificate
before(async () => {
  const ca = await createCertificateAuthority('client-credentials test CA')
  transport = await ca.issueClient({ subject: 'CN=software-1,OU=org-1,O=OpenBanking,C=GB' })
})

type Setup = { store: Store; config: Config; key: TestSigningKey; serverKeys: ServerKeys; endpoint: TokenEndpoint }

async function setup(t: TestContext, options: { config?: Config; metadata?: Record<string, unknown> } = {}): Promise<Setup> {
  const config = options.config ?? tokenTestConfig()
  const store = await openTestStore(t)
  const dir = await mkdtemp(join(tmpdir(), 'open-dcr-server-keys-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const serverKeys = await loadServerKeys(join(dir, 'keys.json'), 'ES256')
  const key = await signingKey()
  await register(store, clientRecord('client-1', { jwks: { keys: [key.publicJwk] }, ...options.metadata }))
  const endpoint = createTokenEndpoint({ config, store, audit: createAuditWriter(store), serverKeys, remoteKeySets: createRemoteKeySets(config.outbound), directories: { byIssuer: () => undefined, all: () => [] }, clock: () => NOW * 1000 })
  return { store, config, key, serverKeys, endpoint }
}

async function form(s: Setup, extra: Record<string, string> = {}, assertion?: string): Promise<Map<string, string>> {
  return new Map(Object.entries({
    grant_type: 'client_credentials',
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: assertion ?? (await signAssertion(s.key, assertionClaims('client-1'))),
    ...extra,
  }))
}

const requestToken = (s: Setup, parameters: Map<string, string>) => s.endpoint.token({ parameters, certificate: presented(transport), authorizationScheme: undefined, remoteAddress: '192.0.2.1' })

describe('client credentials grant', () => {
  it('issues an access token signed by the server key, bound to the certificate, and audits it without the token', async (t) => {
    const s = await setup(t)
    const response = await requestToken(s, await form(s))
    assert.deepEqual({ ...response, access_token: '…' }, { access_token: '…', token_type: 'Bearer', expires_in: 300, scope: 'openid accounts' })
    const { payload, protectedHeader } = await jwtVerify(response.access_token, s.serverKeys.keySet, { issuer: ISSUER, audience: ISSUER, typ: 'at+jwt', currentDate: new Date(NOW * 1000) })
    assert.equal(protectedHeader.kid, s.serverKeys.current.kid)
    assert.deepEqual({ sub: payload.sub, client_id: payload.client_id, iat: payload.iat, exp: payload.exp, cnf: payload.cnf }, { sub: 'client-1', client_id: 'client-1', iat: NOW, exp: NOW + 300, cnf: { 'x5t#S256': presented(transport).thumbprint } })

    const [audit] = await s.store.listAudit(1)
    assert.deepEqual(
      { operation: audit?.operation, outcome: audit?.outcome, clientId: audit?.clientId, softwareId: audit?.softwareId, remoteAddress: audit?.remoteAddress, at: audit?.at },
      { operation: 'token', outcome: 'success', clientId: 'client-1', softwareId: 'software-1', remoteAddress: '192.0.2.1', at: NOW * 1000 },
    )
    assert.equal(audit?.certificateThumbprint, presented(transport).thumbprint)
    assert.ok(!JSON.stringify(audit).includes(response.access_token.split('.')[2]!), 'no token in the audit event')
  })

  it('issues an unbound token when tokens.certificateBound is off', async (t) => {
    const s = await setup(t, { config: tokenTestConfig({ tokens: { certificateBound: false } }) })
    const { payload } = await jwtVerify((await requestToken(s, await form(s))).access_token, s.serverKeys.keySet, { currentDate: new Date(NOW * 1000) })
    assert.equal(payload.cnf, undefined)
  })

  describe('scope (RFC 6749 §3.3)', () => {
    it('grants the requested registered scopes once each, in the order asked', async (t) => {
      const s = await setup(t)
      assert.equal((await requestToken(s, await form(s, { scope: 'accounts openid accounts' }))).scope, 'accounts openid')
    })

    it('reads a registered scope given as an array', async (t) => {
      const s = await setup(t, { metadata: { scope: ['openid', 'payments'] } })
      assert.equal((await requestToken(s, await form(s))).scope, 'openid payments')
    })

    it('grants an empty scope to a client that registered none and asks for none', async (t) => {
      const s = await setup(t, { metadata: { scope: undefined } })
      assert.equal((await requestToken(s, await form(s))).scope, '')
    })

    it('refuses a scope that is not registered, naming it and the registered ones', async (t) => {
      const s = await setup(t)
      await expectOAuthError(requestToken(s, await form(s, { scope: 'openid payments' })), 'invalid_scope', /scope "payments" is not registered for this client; request only registered scopes: "openid accounts"/)
    })

    it('grants the management scope (CDR cdr:registration) only when registered', async (t) => {
      const config = tokenTestConfig({ management: { requiredScope: 'cdr:registration' } })
      const without = await setup(t, { config })
      await expectOAuthError(requestToken(without, await form(without, { scope: 'cdr:registration' })), 'invalid_scope', /\(cdr:registration, needed to manage the registration, must be registered first\)/)
      const withScope = await setup(t, { config, metadata: { scope: 'openid cdr:registration' } })
      assert.equal((await requestToken(withScope, await form(withScope, { scope: 'cdr:registration' }))).scope, 'cdr:registration')
    })
  })

  it('refuses an unsupported grant_type before client authentication, so the assertion jti stays unused', async (t) => {
    const s = await setup(t)
    const assertion = await signAssertion(s.key, assertionClaims('client-1'))
    const refusal = await expectOAuthError(requestToken(s, await form(s, { grant_type: 'authorization_code' }, assertion)), 'unsupported_grant_type', /grant_type "authorization_code" is not supported; this token endpoint serves grant_type=client_credentials/)
    assert.equal(refusal.status, 400)
    assert.equal((await s.store.counts()).jtis, 0)
    assert.equal((await requestToken(s, await form(s, {}, assertion))).token_type, 'Bearer')
  })

  it('refuses a request without grant_type with invalid_request', async (t) => {
    const s = await setup(t)
    const parameters = await form(s)
    parameters.delete('grant_type')
    await expectOAuthError(requestToken(s, parameters), 'invalid_request', /grant_type is required/)
  })

  it('refuses a client whose grant_types lack client_credentials with unauthorized_client', async (t) => {
    const s = await setup(t, { metadata: { grant_types: ['authorization_code', 'refresh_token'] } })
    await expectOAuthError(requestToken(s, await form(s)), 'unauthorized_client', /not registered for grant_type client_credentials; add it to grant_types/)
    const none = await setup(t, { metadata: { grant_types: undefined } })
    await expectOAuthError(requestToken(none, await form(none)), 'unauthorized_client', /grant_types/)
  })

  it('audits each refusal with its error code and the client when known', async (t) => {
    const s = await setup(t)
    await expectOAuthError(requestToken(s, await form(s, { scope: 'payments' })), 'invalid_scope', /payments/)
    const [refused] = await s.store.listAudit(1)
    assert.deepEqual({ operation: refused?.operation, outcome: refused?.outcome, errorCode: refused?.errorCode, clientId: refused?.clientId }, { operation: 'token', outcome: 'rejected', errorCode: 'invalid_scope', clientId: 'client-1' })
    assert.match(refused?.detail ?? '', /scope "payments" is not registered/)
  })

  it('audits a refusal from before the grant (HTTP layer) and a server fault without details', async (t) => {
    const s = await setup(t)
    await s.endpoint.recordRefusal(new HttpError(401, 'invalid_client', 'a client certificate is required'), { remoteAddress: '192.0.2.9' })
    const [http] = await s.store.listAudit(1)
    assert.deepEqual({ outcome: http?.outcome, errorCode: http?.errorCode, remoteAddress: http?.remoteAddress, detail: http?.detail }, { outcome: 'rejected', errorCode: 'invalid_client', remoteAddress: '192.0.2.9', detail: 'a client certificate is required' })
    await s.endpoint.recordRefusal(new Error('database exploded at /var/lib/secret'), { remoteAddress: '192.0.2.9' })
    const [fault] = await s.store.listAudit(1)
    assert.deepEqual({ outcome: fault?.outcome, errorCode: fault?.errorCode, detail: fault?.detail }, { outcome: 'error', errorCode: undefined, detail: 'internal error' })
  })
})
