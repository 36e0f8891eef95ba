/**
 * self_signed_tls_client_auth end to end (RFC 8705 §2.2, RFC8705-1, RFC8705-4, RFC8705-6) over real mutual
 * TLS on loopback: a client registered in the plain RFC 7591 profile (JSON metadata, over the TPP's chained
 * transport certificate) with a jwks whose JWK carries its self-signed certificate in x5c, then a client
 * credentials token at /token presenting that self-signed certificate, which chains to no CA the server
 * trusts. The token is bound to it (cnf x5t#S256). Refused: another self-signed certificate, a self-signed
 * certificate for a client registered with another method, a CA-issued certificate of an unknown CA, and
 * a self-signed certificate at /register and at the client configuration endpoint, which keep requiring a
 * chain to a trusted CA.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it, type TestContext } from 'node:test'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { thumbprintOf } from '../../src/http/client-cert.ts'
import { describeError } from '../../src/lib/error-table.ts'
import { createCertificateAuthority, type IssuedCertificate } from '../../src/sandbox/ca.ts'
import { mtlsRequest, type MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/tokens/client-auth/private-key-jwt.ts'
import { ISSUER, sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'
import { certificateJwk, createSelfSignedCertificate } from '../helpers/self-signed-certificate.ts'
import { postToken } from '../helpers/token-request.ts'

let sandbox: Sandbox
let selfSigned: IssuedCertificate
let otherSelfSigned: IssuedCertificate
let unknownCaCertificate: IssuedCertificate
before(async () => {
  sandbox = await sharedSandbox()
  selfSigned = await createSelfSignedCertificate({ subject: 'CN=self-signed-client,O=Example TPP' })
  otherSelfSigned = await createSelfSignedCertificate({ subject: 'CN=self-signed-client,O=Example TPP' })
  unknownCaCertificate = await (await createCertificateAuthority('a CA this bank does not trust')).issueClient({ subject: 'CN=self-signed-client,O=Example TPP' })
})
after(() => sandbox.close())

const REFUSED_CHAIN = /not issued by a CA this server trusts \(DEPTH_ZERO_SELF_SIGNED_CERT\)/

/** The rfc7591 preset accepts self_signed_tls_client_auth (docs/profiles.md). */
const startRfc7591Server = (t: TestContext) => startDcrServer(t, sandbox, { profile: 'rfc7591' })

/** Registers JSON metadata over the TPP's chained transport certificate; returns the 201 body. */
async function registerJson(s: TestServer, metadata: Record<string, unknown>): Promise<Record<string, unknown>> {
  const answer = await s.register(JSON.stringify({ redirect_uris: ['https://app.example-tpp.com/cb'], grant_types: ['client_credentials', 'authorization_code'], response_types: ['code'], ...metadata }), { contentType: 'application/json' })
  assert.equal(answer.status, 201, answer.text)
  return answer.json as Record<string, unknown>
}

/** A client registered for self_signed_tls_client_auth whose jwks holds `certificate` in x5c (RFC 8705 §2.2.2). */
async function registerSelfSignedClient(s: TestServer, certificate: IssuedCertificate = selfSigned): Promise<Record<string, unknown>> {
  return registerJson(s, { token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [await certificateJwk(certificate)] } })
}

/** POST /token over mutual TLS presenting `certificate`. */
const requestToken = (s: TestServer, form: Record<string, string>, certificate: IssuedCertificate): Promise<MtlsResponse> => postToken(s, sandbox, form, certificate)

/** The one answer of a failed client authentication (SEC-33); `describes` the reason its audit event records. */
async function expectInvalidClient(s: TestServer, response: MtlsResponse, describes: RegExp): Promise<void> {
  const body = response.json as Record<string, unknown>
  assert.equal(response.status, 401, response.text)
  assert.deepStrictEqual(body, { error: 'invalid_client', error_description: describeError('token.invalid_client') })
  const [audit] = await s.server.store.listAudit(1)
  assert.deepEqual({ operation: audit?.operation, outcome: audit?.outcome, errorCode: audit?.errorCode }, { operation: 'token', outcome: 'rejected', errorCode: 'invalid_client' })
  assert.match(audit?.detail ?? '', describes)
}

describe('self_signed_tls_client_auth at POST /token (RFC 8705 §2.2)', () => {
  it('issues a token bound to the self-signed certificate registered in the client\'s jwks x5c, never chain-validated (RFC8705-4, RFC8705-6)', async (t) => {
    const s = await startRfc7591Server(t)
    const registered = await registerSelfSignedClient(s)
    assert.equal(registered.token_endpoint_auth_method, 'self_signed_tls_client_auth')
    const clientId = registered.client_id as string

    const granted = await requestToken(s, { grant_type: 'client_credentials', client_id: clientId }, selfSigned)
    assert.equal(granted.status, 200, granted.text)
    const jwks = (await mtlsRequest({ url: `${s.server.url}/jwks`, ca: sandbox.caCertificatePem })).json as JSONWebKeySet
    const { payload } = await jwtVerify((granted.json as { access_token: string }).access_token, createLocalJWKSet(jwks), { issuer: ISSUER, typ: 'at+jwt' })
    assert.equal(payload.client_id, clientId)
    assert.deepEqual(payload.cnf, { 'x5t#S256': thumbprintOf(selfSigned.certificate.raw) })
    const [audit] = await s.server.store.listAudit(1)
    assert.deepEqual({ operation: audit?.operation, outcome: audit?.outcome, clientId: audit?.clientId, thumbprint: audit?.certificateThumbprint }, { operation: 'token', outcome: 'success', clientId, thumbprint: thumbprintOf(selfSigned.certificate.raw) })
  })

  it('refuses a self-signed certificate that is not in the client\'s registered keys', async (t) => {
    const s = await startRfc7591Server(t)
    const clientId = (await registerSelfSignedClient(s)).client_id as string
    const refused = await requestToken(s, { grant_type: 'client_credentials', client_id: clientId }, otherSelfSigned)
    await expectInvalidClient(s, refused, /the client certificate \(x5t#S256 [A-Za-z0-9_-]{43}\) is not among the client's keys at the registered jwks; publish it there as the first x5c entry/)
  })

  it('refuses a self-signed certificate whose public key alone is registered, without the certificate in x5c (RFC 8705 §2.2.2)', async (t) => {
    const s = await startRfc7591Server(t)
    const keyOnly = await certificateJwk(selfSigned)
    delete keyOnly.x5c
    const clientId = (await registerJson(s, { token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [keyOnly] } })).client_id as string
    await expectInvalidClient(s, await requestToken(s, { grant_type: 'client_credentials', client_id: clientId }, selfSigned), /is not among the client's keys/)
  })

  it('refuses a self-signed certificate for a client registered with tls_client_auth, even when its keys hold the certificate', async (t) => {
    const s = await startRfc7591Server(t)
    const clientId = (await registerJson(s, { token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: sandbox.tpp.transportSubject, jwks: { keys: [await certificateJwk(selfSigned)] } })).client_id as string
    await expectInvalidClient(s, await requestToken(s, { grant_type: 'client_credentials', client_id: clientId }, selfSigned), new RegExp(`${REFUSED_CHAIN.source}; client "${clientId}" is registered for tls_client_auth, so present its transport certificate issued by a trusted CA \\(only a self_signed_tls_client_auth client may present a self-signed certificate\\)`))
  })

  it('refuses a self-signed certificate for a private_key_jwt client before its assertion is used, which then still works over the chained certificate', async (t) => {
    const s = await startRfc7591Server(t)
    const clientId = (await registerJson(s, { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', jwks: sandbox.tpp.publicJwks })).client_id as string
    const iat = Math.floor(Date.now() / 1000)
    const assertion = await sandbox.tpp.signRequest({ iss: clientId, sub: clientId, aud: `${ISSUER}/token`, iat, exp: iat + 60, jti: randomUUID() })
    const form = { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion }
    await expectInvalidClient(s, await requestToken(s, form, selfSigned), /registered for private_key_jwt, so present its transport certificate issued by a trusted CA/)
    const granted = await requestToken(s, form, sandbox.tpp.transport)
    assert.equal(granted.status, 200, granted.text)
  })

  it('refuses a certificate of a CA this server does not trust, even when the client registered it: only self-signed certificates go unchained', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591', audit: { refusalFlushSeconds: 1 } })
    const clientId = (await registerSelfSignedClient(s, unknownCaCertificate)).client_id as string
    const refused = await requestToken(s, { grant_type: 'client_credentials', client_id: clientId }, unknownCaCertificate)
    // Refused by the transport before any client is named, so with its own description (token.client-certificate).
    assert.deepStrictEqual(
      { status: refused.status, body: refused.json },
      {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description: 'the client certificate is not issued by a CA this server trusts (UNABLE_TO_VERIFY_LEAF_SIGNATURE), and it is not a usable self-signed certificate for self_signed_tls_client_auth: the certificate (CN=self-signed-client,O=Example TPP) is not self-signed: its issuer is CN=a CA this bank does not trust',
        },
      },
    )
  })

  it('also accepts the chained transport certificate when the client registered it in x5c (the method requires no chain, it does not forbid one)', async (t) => {
    const s = await startRfc7591Server(t)
    const clientId = (await registerSelfSignedClient(s, sandbox.tpp.transport)).client_id as string
    const granted = await requestToken(s, { grant_type: 'client_credentials', client_id: clientId }, sandbox.tpp.transport)
    assert.equal(granted.status, 200, granted.text)
    await expectInvalidClient(s, await requestToken(s, { grant_type: 'client_credentials', client_id: clientId }, selfSigned), /is not among the client's keys/)
  })
})

describe('a self-signed certificate outside the token endpoint', () => {
  it('is refused at POST /register and at the client configuration endpoint (RFC 7592), which require a chain to a trusted CA', async (t) => {
    const s = await startRfc7591Server(t)
    const registered = await registerSelfSignedClient(s)
    const metadata = { redirect_uris: ['https://app.example-tpp.com/cb'], token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [await certificateJwk(selfSigned)] } }
    const before = await s.counts()
    const registration = await s.register(JSON.stringify(metadata), { contentType: 'application/json', certificate: selfSigned })
    // The status and error code of a refused registration certificate are the registration route's (400 today).
    assert.ok(registration.status === 400 || registration.status === 401, registration.text)
    assert.equal((await s.counts()).clients, before.clients, 'nothing registered')
    assert.match((registration.json as { error_description: string }).error_description, REFUSED_CHAIN)

    const read = await s.manage('GET', registered.client_id as string, { token: registered.registration_access_token as string, certificate: selfSigned })
    assert.equal(read.status, 401, read.text)
    assert.match((read.json as { error_description: string }).error_description, REFUSED_CHAIN)
    const readChained = await s.manage('GET', registered.client_id as string, { token: registered.registration_access_token as string })
    assert.equal(readChained.status, 200, readChained.text)
  })
})

describe('self_signed_tls_client_auth behind a TLS-terminating proxy (RFC8705-10)', () => {
  it('takes the self-signed certificate the trusted proxy forwarded at /token, and still refuses it at /register', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591', server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } } })
    const header = (issued: IssuedCertificate) => ({ 'x-ssl-client-cert': encodeURIComponent(issued.certificatePem) })
    const metadata = { redirect_uris: ['https://app.example-tpp.com/cb'], grant_types: ['client_credentials', 'authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [await certificateJwk(selfSigned)] } }
    const register = (issued: IssuedCertificate) => fetch(`${s.server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json', ...header(issued) }, body: JSON.stringify(metadata) })
    const registered = await register(sandbox.tpp.transport)
    assert.equal(registered.status, 201, await registered.clone().text())
    const clientId = ((await registered.json()) as { client_id: string }).client_id

    const token = (issued: IssuedCertificate) => fetch(`${s.server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...header(issued) }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId }).toString() })
    const granted = await token(selfSigned)
    const grantedBody = (await granted.json()) as Record<string, unknown>
    assert.equal(granted.status, 200, JSON.stringify(grantedBody))
    const jwks = (await (await fetch(`${s.server.url}/jwks`)).json()) as JSONWebKeySet
    const { payload } = await jwtVerify(grantedBody.access_token as string, createLocalJWKSet(jwks), { issuer: ISSUER })
    assert.deepEqual(payload.cnf, { 'x5t#S256': thumbprintOf(selfSigned.certificate.raw) })

    const unknownCa = await token(unknownCaCertificate)
    assert.equal(unknownCa.status, 401)
    assert.match(((await unknownCa.json()) as { error_description: string }).error_description, /is not a usable self-signed certificate for self_signed_tls_client_auth/)
    const selfSignedRegistration = await register(selfSigned)
    assert.notEqual(selfSignedRegistration.status, 201)
    assert.match(((await selfSignedRegistration.json()) as { error_description: string }).error_description, /not issued by a CA this server trusts/)
  })
})
