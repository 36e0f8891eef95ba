/**
 * self_signed_tls_client_auth (RFC8705-1, RFC8705-4): the presented certificate must be registered in the
 * client's JWKS as the first x5c entry of a consistent JWK (RFC 8705 §2.2.2, RFC 7517 §4.7), not merely its
 * public key or an x5t#S256; an encryption key never authenticates; a
 * certificate published after the last fetch is found by one refetch, unless the cooldown forbids it
 * (SEC-17). Real certificates, a real https JWKS server on loopback.
 */
import assert from 'node:assert/strict'
import { before, describe, it, type TestContext } from 'node:test'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { createCertificateAuthority, type CertificateAuthority, type IssuedCertificate } from '../../src/sandbox/ca.ts'
import type { ClientRecord } from '../../src/store/store.ts'
import { authenticateWithSelfSignedTlsClientAuth, jwkMatchesCertificate } from '../../src/tokens/client-auth/self-signed-tls-client-auth.ts'
import { createRemoteKeySets } from '../../src/trust/remote-key-sets.ts'
import { startHttpsServer, temporaryFile } from '../helpers/loopback-servers.ts'
import { clientRecord, expectOAuthError, presented, tokenTestConfig } from './token-fixtures.ts'

let ca: CertificateAuthority
let registered: IssuedCertificate
let other: IssuedCertificate
before(async () => {
  ca = await createCertificateAuthority('self-signed test CA')
  registered = await ca.issueClient({ subject: 'CN=registered-software,O=TPP' })
  other = await ca.issueClient({ subject: 'CN=other-software,O=TPP' })
})

const publicKeyJwk = async (issued: IssuedCertificate): Promise<JWK> => exportJWK(issued.certificate.publicKey)
const x5cJwk = async (issued: IssuedCertificate): Promise<JWK> => ({ ...(await publicKeyJwk(issued)), use: 'tls', x5c: [issued.certificate.raw.toString('base64')] })

const selfSignedClient = (metadata: Record<string, unknown>): ClientRecord =>
  clientRecord('self-signed-client', { token_endpoint_auth_method: 'self_signed_tls_client_auth', token_endpoint_auth_signing_alg: undefined, ...metadata })

describe('self_signed_tls_client_auth (RFC 8705 §2.2)', () => {
  it('matches a JWK whose first x5c entry is the presented certificate (RFC 8705 §2.2.2), never an enc key or another certificate', async () => {
    const certificate = presented(registered)
    assert.equal(jwkMatchesCertificate(await x5cJwk(registered), certificate), true)
    assert.equal(jwkMatchesCertificate({ ...(await x5cJwk(registered)), 'x5t#S256': certificate.thumbprint }, certificate), true)
    assert.equal(jwkMatchesCertificate({ ...(await x5cJwk(registered)), use: 'enc' }, certificate), false)
    assert.equal(jwkMatchesCertificate(await x5cJwk(other), certificate), false)
    assert.equal(jwkMatchesCertificate({ ...(await x5cJwk(other)), x5c: [other.certificate.raw.toString('base64'), registered.certificate.raw.toString('base64')] }, certificate), false, 'only the first x5c entry is the JWK\'s certificate')
    assert.equal(jwkMatchesCertificate({ kty: 'oct', k: 'c2VjcmV0' }, certificate), false)
    const { publicKey: rsa } = await generateKeyPair('PS256')
    assert.equal(jwkMatchesCertificate({ ...(await exportJWK(rsa)), x5c: [registered.certificate.raw.toString('base64')] }, certificate), false, 'an RSA key never matches an EC certificate (and leaves no OpenSSL error behind)')
  })

  it('does not match a JWK that registers no certificate: the public key alone, or an x5t#S256 alone (RFC 8705 §2.2)', async () => {
    const certificate = presented(registered)
    assert.equal(jwkMatchesCertificate(await publicKeyJwk(registered), certificate), false, 'the same key in another certificate was never registered')
    assert.equal(jwkMatchesCertificate({ ...(await publicKeyJwk(registered)), 'x5t#S256': certificate.thumbprint }, certificate), false)
  })

  it('does not match an inconsistent JWK (RFC 7517 §4.7): the certificate in x5c with another key, or another x5t#S256', async () => {
    const certificate = presented(registered)
    assert.equal(jwkMatchesCertificate({ ...(await publicKeyJwk(other)), x5c: [registered.certificate.raw.toString('base64')] }, certificate), false)
    assert.equal(jwkMatchesCertificate({ ...(await x5cJwk(registered)), 'x5t#S256': presented(other).thumbprint }, certificate), false)
  })

  it('accepts a certificate registered in inline jwks and refuses another one', async () => {
    const client = selfSignedClient({ jwks: { keys: [await x5cJwk(registered)] } })
    const config = tokenTestConfig()
    const deps = { config, remoteKeySets: createRemoteKeySets(config.outbound) }
    await authenticateWithSelfSignedTlsClientAuth({ client, certificate: presented(registered) }, deps)
    await expectOAuthError(authenticateWithSelfSignedTlsClientAuth({ client, certificate: presented(other) }, deps), 'invalid_client', /the client certificate \(x5t#S256 [A-Za-z0-9_-]{43}\) is not among the client's keys at the registered jwks/)
  })

  /** A JWKS server over https whose keys the test replaces; a client registered with its URL as jwks_uri. */
  async function rotatingKeys(t: TestContext, cooldownSeconds: number) {
    let body = JSON.stringify({ keys: [await x5cJwk(other)] })
    const server = await startHttpsServer(t, ca, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
    })
    const config = tokenTestConfig({ outbound: { caFiles: [temporaryFile(t, 'ca.pem', ca.certificatePem)], allowPrivateAddresses: true, jwksCooldownSeconds: cooldownSeconds } })
    const client = selfSignedClient({ jwks_uri: `${server.url}/jwks` })
    const deps = { config, remoteKeySets: createRemoteKeySets(config.outbound) }
    return {
      server,
      authenticate: () => authenticateWithSelfSignedTlsClientAuth({ client, certificate: presented(registered) }, deps),
      publish: async (issued: IssuedCertificate) => {
        body = JSON.stringify({ keys: [await x5cJwk(issued)] })
      },
    }
  }

  it('finds a certificate published after the last fetch with one refetch', async (t) => {
    const keys = await rotatingKeys(t, 0)
    await expectOAuthError(keys.authenticate(), 'invalid_client', /is not among the client's keys at jwks_uri "https:\/\/127.0.0.1:\d+\/jwks"/)
    await keys.publish(registered)
    await keys.authenticate()
    await keys.authenticate()
    assert.equal(keys.server.requests, 3, 'fetched, refetched once when not found, fetched for the new key; the cached set served the last call')
  })

  it('does not refetch within the cooldown, so random certificates cannot cause a fetch storm', async (t) => {
    const keys = await rotatingKeys(t, 30)
    await expectOAuthError(keys.authenticate(), 'invalid_client', /is not among the client's keys/)
    await keys.publish(registered)
    await expectOAuthError(keys.authenticate(), 'invalid_client', /is not among the client's keys/)
    assert.equal(keys.server.requests, 1)
  })

  it('refuses with invalid_client when the registered JWKS cannot be fetched', async (t) => {
    const server = await startHttpsServer(t, ca, (_request, response) => {
      response.writeHead(500).end()
    })
    const config = tokenTestConfig({ outbound: { caFiles: [temporaryFile(t, 'ca.pem', ca.certificatePem)], allowPrivateAddresses: true } })
    const client = selfSignedClient({ jwks_uri: `${server.url}/jwks` })
    await expectOAuthError(authenticateWithSelfSignedTlsClientAuth({ client, certificate: presented(registered) }, { config, remoteKeySets: createRemoteKeySets(config.outbound) }), 'invalid_client', /the client's keys at jwks_uri ".+" could not be fetched/)
  })
})
