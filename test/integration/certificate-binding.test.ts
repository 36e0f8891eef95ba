/**
 * A client is bound to the transport certificate it registered with (issue 13 item 4; SEC-32, RFC8705-6,
 * UK-DCR-38): at POST /token a private_key_jwt or tls_client_auth client presenting another software's
 * certificate of the same trusted CA, together with the client's own signing key, is refused 401
 * invalid_client, and the client configuration endpoint refuses that certificate too, whatever token comes
 * with it. A renewed certificate whose subject names the same software and organisation (the profile's
 * subject rule) is accepted at both. A client registered without a certificate (rfc7591 without mutual TLS)
 * is bound to none. Real mutual TLS on loopback, real certificates and signatures, a real SQLite file.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { thumbprintOf } from '../../src/http/client-cert.ts'
import type { IssuedCertificate } from '../../src/sandbox/ca.ts'
import type { MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { obTransportSubject } from '../../src/sandbox/tpp.ts'
import { issueAccessToken } from '../../src/tokens/issue.ts'
import { loadServerKeys } from '../../src/tokens/server-keys.ts'
import { ISSUER, sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'
import { freshAssertionClaims, postToken, privateKeyJwtForm } from '../helpers/token-request.ts'

let sandbox: Sandbox
/** Certificate B: another software of the same organisation, issued by the same trusted CA. */
let otherSoftwareCertificate: IssuedCertificate
/** A renewal of certificate A: the same subject (software and organisation), a new key. */
let renewedCertificate: IssuedCertificate
before(async () => {
  sandbox = await sharedSandbox()
  otherSoftwareCertificate = await sandbox.ca.issueClient({ subject: obTransportSubject('OtherSoftware0000000001', sandbox.tpp.orgId) })
  renewedCertificate = await sandbox.ca.issueClient({ subject: sandbox.tpp.transportSubject })
})
after(() => sandbox.close())

const x5t = (issued: IssuedCertificate): string => thumbprintOf(issued.certificate.raw)

async function registerClient(s: TestServer, overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await s.register(await s.signedRequest({ overrides }))
  assert.equal(response.status, 201, response.text)
  return (response.json as { client_id: string }).client_id
}

/** POST /token over `certificate`; a private_key_jwt assertion signed by the TPP's registered key unless `form` is given. */
async function requestToken(s: TestServer, certificate: IssuedCertificate, clientId: string, form?: Record<string, string>): Promise<MtlsResponse> {
  return postToken(s, sandbox, form ?? privateKeyJwtForm(await sandbox.tpp.signRequest(freshAssertionClaims(clientId))), certificate)
}

/** Checks a refused token request: 401 invalid_client, and the reason in its audit event only. */
async function expectRefusedAtToken(s: TestServer, response: MtlsResponse, clientId: string, certificate: IssuedCertificate): Promise<void> {
  assert.equal(response.status, 401, response.text)
  assert.equal((response.json as { error: string }).error, 'invalid_client')
  const [audit] = await s.server.store.listAudit(1)
  assert.deepStrictEqual(
    { operation: audit?.operation, outcome: audit?.outcome, errorCode: audit?.errorCode, clientId: audit?.clientId, certificateThumbprint: audit?.certificateThumbprint, detail: audit?.detail },
    {
      operation: 'token',
      outcome: 'rejected',
      errorCode: 'invalid_client',
      clientId,
      certificateThumbprint: x5t(certificate),
      detail: `the client certificate (x5t#S256 ${x5t(certificate)}) is neither the one client "${clientId}" registered with nor a renewal whose subject names its software and organisation; present the registered transport certificate`,
    },
  )
}

describe('a client is bound to its registered transport certificate (SEC-32)', () => {
  it('refuses at /token a private_key_jwt client signing with its own key over another software\'s certificate of the same CA, and does not use up the assertion jti', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const clientId = await registerClient(s)
    const before = await s.counts()
    await expectRefusedAtToken(s, await requestToken(s, otherSoftwareCertificate, clientId), clientId, otherSoftwareCertificate)
    assert.equal((await s.counts()).jtis, before.jtis, 'no assertion jti recorded')
  })

  it('refuses at /token a tls_client_auth client registered by subjectAltName over another software\'s certificate carrying that name', async (t) => {
    const dns = 'tpp.acme-fin.example.co.uk'
    const registeredOver = await sandbox.ca.issueClient({ subject: sandbox.tpp.transportSubject, dnsNames: [dns] })
    const otherSoftware = await sandbox.ca.issueClient({ subject: obTransportSubject('OtherSoftware0000000002', sandbox.tpp.orgId), dnsNames: [dns] })
    const s = await startDcrServer(t, sandbox)
    const registered = await s.register(await s.signedRequest({ overrides: { token_endpoint_auth_method: 'tls_client_auth', token_endpoint_auth_signing_alg: undefined, tls_client_auth_san_dns: dns } }), { certificate: registeredOver })
    assert.equal(registered.status, 201, registered.text)
    const clientId = (registered.json as { client_id: string }).client_id
    const form = { grant_type: 'client_credentials', client_id: clientId }
    await expectRefusedAtToken(s, await requestToken(s, otherSoftware, clientId, form), clientId, otherSoftware)
    assert.equal((await requestToken(s, registeredOver, clientId, form)).status, 200, 'the registered certificate still authenticates')
  })

  it('accepts at /token a renewed certificate whose subject names the same software and organisation', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const clientId = await registerClient(s)
    const response = await requestToken(s, renewedCertificate, clientId)
    assert.equal(response.status, 200, response.text)
  })

  it('refuses management over another software\'s certificate even with a token bound to it, and accepts the renewed certificate', async (t) => {
    const s = await startDcrServer(t, sandbox, { management: { tokenKind: 'client-credentials' } })
    const clientId = await registerClient(s)
    // A token as /token issued it before the binding: to this client, bound to certificate B.
    const keys = await loadServerKeys(s.config.tokens.signingKeysFile, s.config.tokens.signingAlgorithm)
    const mint = async (certificate: IssuedCertificate) => (await issueAccessToken(keys, { issuer: ISSUER, clientId, scope: 'openid', thumbprint: x5t(certificate), lifetimeSeconds: 300, now: Math.floor(Date.now() / 1000) })).token
    const before = await s.counts()
    const refused = await s.manage('GET', clientId, { token: await mint(otherSoftwareCertificate), certificate: otherSoftwareCertificate })
    const description = 'the client certificate is neither the one this client registered with nor a renewal whose subject names its software and organisation: call with the registered transport certificate'
    assert.deepStrictEqual(
      { status: refused.status, body: refused.json, challenge: refused.headers['www-authenticate'] },
      { status: 401, body: { error: 'invalid_token', error_description: description }, challenge: `Bearer error="invalid_token", error_description="${description}"` },
    )
    const deleted = await s.manage('DELETE', clientId, { token: await mint(otherSoftwareCertificate), certificate: otherSoftwareCertificate })
    assert.equal(deleted.status, 401, deleted.text)
    assert.equal((await s.server.store.getClient(clientId))?.status, 'active', 'the registration is untouched')
    assert.equal((await s.counts()).clients, before.clients)

    const renewed = await s.manage('GET', clientId, { token: await mint(renewedCertificate), certificate: renewedCertificate })
    assert.equal(renewed.status, 200, renewed.text)
  })

  it('binds no certificate to a client registered without one (rfc7591 without mutual TLS)', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591', registration: { requireClientCertificate: false }, validators: { 'token-endpoint-auth': { methods: ['private_key_jwt'] } } })
    const metadata = { redirect_uris: ['https://app.example-tpp.com/cb'], grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', jwks_uri: sandbox.manifest.tpp.jwksUrl }
    const registered = await s.register(JSON.stringify(metadata), { contentType: 'application/json', certificate: null })
    assert.equal(registered.status, 201, registered.text)
    const clientId = (registered.json as { client_id: string }).client_id
    assert.equal((await s.server.store.getClient(clientId))?.certificateThumbprint, undefined)
    const response = await requestToken(s, otherSoftwareCertificate, clientId)
    assert.equal(response.status, 200, response.text)
  })
})
