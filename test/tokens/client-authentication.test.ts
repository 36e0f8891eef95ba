/**
 * Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523, RFC 8705 §2, FAPI-2): which client
 * a request names, that unknown and deleted clients get one answer (SEC-33), that one request uses one
 * method, and that the registered method must be one the profile accepts and this server implements.
 */
import assert from 'node:assert/strict'
import { before, describe, it, type TestContext } from 'node:test'
import type { Config } from '../../src/config/schema.ts'
import { createCertificateAuthority, type IssuedCertificate } from '../../src/sandbox/ca.ts'
import type { ClientRecord, Store } from '../../src/store/store.ts'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/tokens/client-auth/private-key-jwt.ts'
import { authenticateClient, clientOfRequest, type ClientAuthenticationRequest } from '../../src/tokens/client-authentication.ts'
import { createRemoteKeySets } from '../../src/trust/remote-key-sets.ts'
import type { Directories } from '../../src/trust/types.ts'
import { assertionClaims, clientRecord, expectOAuthError, NOW, openTestStore, presented, register, signAssertion, signingKey, type TestSigningKey, tokenTestConfig } from './token-fixtures.ts'

const SUBJECT = 'CN=tls-software,OU=tls-org,O=OpenBanking,C=GB'
const noDirectories: Directories = { byIssuer: () => undefined, all: () => [] }

let transport: IssuedCertificate
before(async () => {
  const ca = await createCertificateAuthority('client-authentication test CA')
  transport = await ca.issueClient({ subject: SUBJECT })
})

type Setup = { store: Store; config: Config; key: TestSigningKey; jwtClient: ClientRecord; tlsClient: ClientRecord }

async function setup(t: TestContext, config: Config = tokenTestConfig()): Promise<Setup> {
  const store = await openTestStore(t)
  const key = await signingKey()
  const jwtClient = await register(store, clientRecord('jwt-client', { jwks: { keys: [key.publicJwk] } }))
  const tlsClient = await register(store, clientRecord('tls-client', { token_endpoint_auth_method: 'tls_client_auth', token_endpoint_auth_signing_alg: undefined, tls_client_auth_subject_dn: SUBJECT }, { softwareId: 'software-2' }))
  return { store, config, key, jwtClient, tlsClient }
}

const request = (parameters: Record<string, string>, authorizationScheme?: string): ClientAuthenticationRequest => ({
  parameters: new Map(Object.entries(parameters)),
  certificate: presented(transport),
  authorizationScheme,
  now: NOW,
})

const depsOf = (s: Setup) => ({ config: s.config, store: s.store, remoteKeySets: createRemoteKeySets(s.config.outbound), directories: noDirectories })

/** Both steps, as the token endpoint runs them. */
async function authenticate(s: Setup, parameters: Record<string, string>, authorizationScheme?: string) {
  const deps = depsOf(s)
  const input = request(parameters, authorizationScheme)
  const client = await clientOfRequest(input, deps)
  return { client, method: await authenticateClient(client, input, deps) }
}

const assertionParameters = async (s: Setup, clientId = 'jwt-client', overrides: Record<string, unknown> = {}) => ({
  client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
  client_assertion: await signAssertion(s.key, assertionClaims(clientId, overrides)),
})

describe('client authentication at the token endpoint', () => {
  it('finds a private_key_jwt client by the assertion sub, and a tls_client_auth client by client_id', async (t) => {
    const s = await setup(t)
    const jwt = await authenticate(s, await assertionParameters(s))
    assert.deepEqual({ clientId: jwt.client.clientId, method: jwt.method }, { clientId: 'jwt-client', method: 'private_key_jwt' })
    const tls = await authenticate(s, { client_id: 'tls-client' })
    assert.deepEqual({ clientId: tls.client.clientId, method: tls.method }, { clientId: 'tls-client', method: 'tls_client_auth' })
  })

  it('refuses credentials in the Authorization header, keeping the scheme for the WWW-Authenticate challenge', async (t) => {
    const s = await setup(t)
    const refusal = await expectOAuthError(authenticate(s, { client_id: 'tls-client' }, 'Basic'), 'invalid_client', /no client credentials in the Authorization header; authenticate with the registered method \(private_key_jwt, tls_client_auth\)/)
    assert.equal(refusal.authScheme, 'Basic')
  })

  it('refuses a client_secret parameter', async (t) => {
    const s = await setup(t)
    await expectOAuthError(authenticate(s, { client_id: 'tls-client', client_secret: 'secret' }), 'invalid_client', /client secrets are not accepted here/)
  })

  it('refuses a request that names no client', async (t) => {
    const s = await setup(t)
    await expectOAuthError(authenticate(s, {}), 'invalid_client', /the request names no client/)
    await expectOAuthError(authenticate(s, await assertionParameters(s, 'jwt-client', { sub: undefined, iss: undefined })), 'invalid_client', /the request names no client/)
  })

  it('refuses a client_assertion that is not a JWT', async (t) => {
    const s = await setup(t)
    await expectOAuthError(authenticate(s, { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: 'garbage' }), 'invalid_client', /client_assertion is not a JWT/)
  })

  it('answers an unknown and a deleted client alike (SEC-33)', async (t) => {
    const s = await setup(t)
    const unknown = await expectOAuthError(authenticate(s, { client_id: 'nobody' }), 'invalid_client', /client_id "nobody" is not a registered client/)
    await s.store.deleteClient('tls-client', NOW, { at: NOW * 1000, operation: 'delete', outcome: 'success', clientId: 'tls-client' })
    const deleted = await expectOAuthError(authenticate(s, { client_id: 'tls-client' }), 'invalid_client', /client_id "tls-client" is not a registered client/)
    assert.equal(deleted.message.replace('tls-client', 'X'), unknown.message.replace('nobody', 'X'))
  })

  it('refuses a registered method the profile no longer accepts, or that this server does not implement', async (t) => {
    const narrowed = await setup(t, tokenTestConfig({ validators: { 'token-endpoint-auth': { methods: ['private_key_jwt'] } } }))
    await expectOAuthError(authenticate(narrowed, { client_id: 'tls-client' }), 'invalid_client', /registered token_endpoint_auth_method "tls_client_auth" is not accepted by this server; update the registration with one of private_key_jwt/)

    // A stored registration with a method no configuration can accept (written by hand, or by another product).
    await register(narrowed.store, clientRecord('secret-client', { token_endpoint_auth_method: 'client_secret_basic' }, { softwareId: 'software-3' }))
    await expectOAuthError(authenticate(narrowed, { client_id: 'secret-client' }), 'invalid_client', /"client_secret_basic" is not accepted by this server; update the registration with one of private_key_jwt$/)

    await register(narrowed.store, clientRecord('no-method-client', { token_endpoint_auth_method: undefined }, { softwareId: 'software-4' }))
    await expectOAuthError(authenticate(narrowed, { client_id: 'no-method-client' }), 'invalid_client', /token_endpoint_auth_method \(none\) is not accepted/)
  })

  it('refuses a tls_client_auth client that also sends a client assertion (one method per request)', async (t) => {
    const s = await setup(t)
    await expectOAuthError(authenticate(s, { client_id: 'tls-client', ...(await assertionParameters(s, 'tls-client')) }), 'invalid_client', /registered for tls_client_auth: authenticate with its certificate alone and send no client_assertion/)
  })

  it('refuses a tls_client_auth client named only by an assertion, without client_id (RFC8705-5)', async (t) => {
    const s = await setup(t)
    await expectOAuthError(authenticate(s, await assertionParameters(s, 'tls-client')), 'invalid_client', /registered for tls_client_auth/)
  })

  it('refuses a private_key_jwt client that sends only client_id', async (t) => {
    const s = await setup(t)
    await expectOAuthError(authenticate(s, { client_id: 'jwt-client' }), 'invalid_client', /client "jwt-client" is registered for private_key_jwt: send client_assertion/)
  })
})
