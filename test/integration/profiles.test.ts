/**
 * The four profiles through the running server, over real TLS: a CDR registration checked against a mock
 * Register, a Brazil JSON registration with an ICP-Brasil-shaped certificate, a plain RFC 7591 registration
 * without a client certificate, and a bank that trusts a UK directory and the CDR Register at once, each
 * with its own profile, chosen by the SSA's iss.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startMockRegister, type MockRegister } from '../../src/sandbox/mock-register.ts'
import { mtlsRequest } from '../../src/sandbox/mtls-client.ts'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { BRAZIL_SANDBOX_ORGANISATION, BRAZIL_SANDBOX_SSA_ISSUER, brazilTransportSubject, CDR_REGISTER_ISSUER, CDR_SANDBOX_RECIPIENT, cdrTransportSubject } from '../../src/sandbox/ssa-shapes.ts'
import { ISSUER, sharedSandbox, startDcrServer } from '../helpers/dcr-server.ts'

describe('CDR profile over HTTPS', () => {
  let sandbox: Sandbox
  let register: MockRegister
  const { softwareId, orgId, legalEntityId } = CDR_SANDBOX_RECIPIENT
  before(async () => {
    sandbox = await createSandbox({ softwareId, orgId, tppTransportSubject: cdrTransportSubject(softwareId, orgId) })
    register = await startMockRegister({ ca: sandbox.ca })
  })
  after(async () => {
    await register.close()
    await sandbox.close()
  })

  const cdrValues = () => ({
    profile: 'cdr',
    directories: [{ issuer: CDR_REGISTER_ISSUER, jwksUrl: register.jwksUrl, algorithms: ['PS256'], transportCaFiles: [sandbox.files.caFile] }],
    validators: { 'software-status': { registerBaseUrl: register.url } },
  })
  const cdrRequest = async () => sandbox.tpp.signRequest(sandbox.tpp.cdrRegistrationClaims({ ssa: await register.issueSsa({ jwks_uri: sandbox.tpp.jwksUrl }), aud: ISSUER }))

  it('registers an ACTIVE software product, refuses a duplicate with the CDS answer, and refuses an INACTIVE product', async (t) => {
    register.setDataRecipientStatus(legalEntityId, 'ACTIVE')
    register.setSoftwareProductStatus(softwareId, 'ACTIVE')
    const s = await startDcrServer(t, sandbox, cdrValues())
    const created = await s.register(await cdrRequest())
    assert.equal(created.status, 201, created.text)
    const client = created.json as Record<string, unknown>
    assert.equal(client.software_id, softwareId)
    assert.match(client.scope as string, /cdr:registration/)

    const duplicate = await s.register(await cdrRequest())
    assert.deepStrictEqual(
      { status: duplicate.status, body: duplicate.json },
      { status: 400, body: { error: 'invalid_software_statement', error_description: 'ERR-DCR-001: Duplicate registrations for a given software_id are not valid.', validator: 'duplicate-registration' } },
      'CDR-DCR-15/23',
    )

    register.setSoftwareProductStatus(softwareId, 'INACTIVE')
    // A new server has an empty status cache, so it asks the Register again.
    const other = await startDcrServer(t, sandbox, cdrValues())
    const inactive = await other.register(await cdrRequest())
    assert.deepStrictEqual(
      { status: inactive.status, body: inactive.json },
      { status: 400, body: { error: 'unapproved_software_statement', error_description: `ERR-GEN-002: Software product status is not ACTIVE. the software product software_id "${softwareId}" is INACTIVE at the CDR Register; only ACTIVE software products can register`, validator: 'software-status' } },
    )
    register.setSoftwareProductStatus(softwareId, 'ACTIVE')
  })

  it('suspends a registration whose software product became INACTIVE at the Register, and reactivates it (CDR-DCR-25..28)', async (t) => {
    const { syncWithRegister } = await import('../../src/registration/register-sync.ts')
    const { createRegisterStatusClient } = await import('../../src/trust/register-status.ts')
    const { createBoundedFetch } = await import('../../src/trust/outbound-http.ts')
    register.setDataRecipientStatus(legalEntityId, 'ACTIVE')
    register.setSoftwareProductStatus(softwareId, 'ACTIVE')
    const s = await startDcrServer(t, sandbox, { ...cdrValues(), registration: { allowMultiplePerSoftwareId: true } })
    const created = await s.register(await cdrRequest())
    assert.equal(created.status, 201, created.text)
    const clientId = (created.json as { client_id: string }).client_id
    const options = s.config.validators['software-status']
    const sync = { store: s.server.store, register: createRegisterStatusClient({ config: options, fetch: createBoundedFetch(s.config.outbound) }), directoryIssuer: CDR_REGISTER_ISSUER, config: options }

    register.setSoftwareProductStatus(softwareId, 'INACTIVE')
    const suspended = await syncWithRegister(sync)
    assert.ok(suspended.ok && suspended.applied === 1, JSON.stringify(suspended))
    assert.equal((await s.server.store.getClient(clientId))?.status, 'suspended')
    assert.equal((await s.server.store.listAudit(1))[0]?.operation, 'suspend')

    register.setSoftwareProductStatus(softwareId, 'ACTIVE')
    const reactivated = await syncWithRegister(sync)
    assert.ok(reactivated.ok && reactivated.applied === 1)
    assert.equal((await s.server.store.getClient(clientId))?.status, 'active')
  })

  it('refuses application/jose, which the CDR profile does not take, with 415', async (t) => {
    const s = await startDcrServer(t, sandbox, cdrValues())
    const answer = await s.register(await cdrRequest(), { contentType: 'application/jose' })
    assert.deepStrictEqual({ status: answer.status, body: answer.json }, { status: 415, body: { error: 'invalid_request', error_description: 'Content-Type application/jose is not accepted here; send the registration request as application/jwt' } })
  })
})

describe('Brazil profile over HTTPS', () => {
  let sandbox: Sandbox
  const { softwareId, orgId } = BRAZIL_SANDBOX_ORGANISATION
  before(async () => {
    sandbox = await createSandbox({ directoryIssuer: BRAZIL_SANDBOX_SSA_ISSUER, softwareId, orgId, tppTransportSubject: brazilTransportSubject({ softwareId, orgId }) })
  })
  after(() => sandbox.close())

  it('registers a JSON body with tls_client_auth and answers with a registration access token (BR-DCR-26)', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'brazil', directories: [{ issuer: BRAZIL_SANDBOX_SSA_ISSUER, jwksUrl: sandbox.directory.jwksUrl, algorithms: ['PS256'], transportCaFiles: [sandbox.files.caFile] }] })
    const body = JSON.stringify(sandbox.tpp.brazilRegistrationBody({ ssa: await sandbox.issueBrazilSsa(), tlsClientAuth: true }))
    const answer = await s.register(body, { contentType: 'application/json' })
    assert.equal(answer.status, 201, answer.text)
    const client = answer.json as Record<string, unknown>
    assert.match(client.registration_access_token as string, /^[A-Za-z0-9_-]{40,}$/)
    assert.equal(client.registration_client_uri, `${ISSUER}/register/${client.client_id as string}`)
    const read = await s.manage('GET', client.client_id as string, { token: client.registration_access_token as string })
    assert.equal(read.status, 200, read.text)
    // The token alone is not enough (BR-DCR-27): over another TPP's certificate it reads nothing.
    const stranger = await sandbox.ca.issueClient({ subject: 'CN=another-software,OU=another-org,O=Someone Else,C=BR' })
    const leaked = await s.manage('GET', client.client_id as string, { token: client.registration_access_token as string, certificate: stranger })
    const invalid = 'the registration access token is not valid (unknown, replaced or of a deleted client): use the latest registration_access_token this server returned (every GET and PUT answer carries a new one)'
    assert.deepStrictEqual(
      { status: leaked.status, body: leaked.json, challenge: leaked.headers['www-authenticate'] },
      { status: 401, body: { error: 'invalid_token', error_description: invalid }, challenge: `Bearer error="invalid_token", error_description="${invalid}"` },
    )
  })
})

describe('plain RFC 7591 over HTTPS', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await sharedSandbox()
  })
  after(() => sandbox.close())

  it('registers a JSON metadata object without a client certificate and without a software statement', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591' })
    const metadata = { redirect_uris: ['https://app.example-tpp.com/cb'], token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', jwks_uri: 'https://keys.example-tpp.com/jwks.json', client_name: 'Example' }
    const answer = await s.register(JSON.stringify(metadata), { contentType: 'application/json', certificate: null })
    assert.equal(answer.status, 201, answer.text)
    const client = answer.json as Record<string, unknown>
    assert.deepEqual(client.grant_types, ['authorization_code'], 'RFC7591-8 default')
    assert.ok(client.registration_access_token)
    const http = await s.register(JSON.stringify({ ...metadata, redirect_uris: ['http://app.example-tpp.com/cb'] }), { contentType: 'application/json', certificate: null })
    assert.deepStrictEqual(
      { status: http.status, body: http.json },
      { status: 400, body: { error: 'invalid_redirect_uri', error_description: 'redirect URI "http://app.example-tpp.com/cb" in redirect_uris of the request is refused: the scheme must be https, not http:', validator: 'redirect-uri-format' } },
    )
  })

  it('asks for an initial access token when one is configured', async (t) => {
    const { hashInitialAccessToken } = await import('../../src/registration/initial-access-token.ts')
    const s = await startDcrServer(t, sandbox, { profile: 'rfc7591', registration: { initialAccessTokenHashes: [hashInitialAccessToken('let-me-in')] } })
    const metadata = JSON.stringify({ redirect_uris: ['https://app.example-tpp.com/cb'], token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', jwks_uri: 'https://keys.example-tpp.com/jwks.json' })
    const refused = await s.register(metadata, { contentType: 'application/json', certificate: null })
    const needed = 'this server needs an initial access token: send Authorization: Bearer <token> (RFC 7591 section 3)'
    assert.deepStrictEqual(
      { status: refused.status, body: refused.json, challenge: refused.headers['www-authenticate'] },
      { status: 401, body: { error: 'invalid_token', error_description: needed }, challenge: `Bearer error="invalid_token", error_description="${needed}"` },
    )
    const allowed = await mtlsRequest({ url: `${s.server.url}/register`, method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer let-me-in' }, body: metadata, ca: sandbox.caCertificatePem })
    assert.equal(allowed.status, 201, allowed.text)
  })
})

describe('several regimes at once', () => {
  let sandbox: Sandbox
  let register: MockRegister
  before(async () => {
    sandbox = await sharedSandbox()
    register = await startMockRegister({ ca: sandbox.ca })
  })
  after(async () => {
    await register.close()
    await sandbox.close()
  })

  it('runs each registration under the profile of the directory its SSA names', async (t) => {
    const values = {
      profile: 'obuk',
      directories: [
        { issuer: sandbox.directory.issuer, jwksUrl: sandbox.directory.jwksUrl, transportCaFiles: [sandbox.files.caFile] },
        { issuer: CDR_REGISTER_ISSUER, profile: 'cdr', jwksUrl: register.jwksUrl, algorithms: ['PS256'], transportCaFiles: [sandbox.files.caFile] },
      ],
      // Applies to every profile; only the CDR one runs software-status.
      validators: { 'software-status': { registerBaseUrl: register.url } },
    }
    // The server asks the Register for statuses as it starts (the periodic sync): set them first.
    register.setDataRecipientStatus(CDR_SANDBOX_RECIPIENT.legalEntityId, 'ACTIVE')
    register.setSoftwareProductStatus(sandbox.tpp.softwareId, 'ACTIVE')
    const s = await startDcrServer(t, sandbox, values)
    const uk = await s.register(await s.signedRequest())
    assert.equal(uk.status, 201, uk.text)

    // A UK-shaped request under the CDR Register's SSA is judged by the CDR rules: CDR claim names, CDR media type.
    const cdrSsa = await register.issueSsa({ jwks_uri: sandbox.tpp.jwksUrl, software_id: sandbox.tpp.softwareId })
    const underCdr = await s.register(await sandbox.tpp.signRequest(sandbox.tpp.cdrRegistrationClaims({ ssa: cdrSsa, aud: ISSUER })), { contentType: 'application/jose' })
    assert.deepStrictEqual(
      { status: underCdr.status, body: underCdr.json },
      { status: 400, body: { error: 'invalid_client_metadata', error_description: 'registrations under this directory (profile cdr) are sent as application/jwt, not application/jose', validator: 'request-format' } },
    )

    const cdr = await s.register(await sandbox.tpp.signRequest(sandbox.tpp.cdrRegistrationClaims({ ssa: await register.issueSsa({ jwks_uri: sandbox.tpp.jwksUrl, software_id: sandbox.tpp.softwareId }), aud: ISSUER })))
    assert.equal(cdr.status, 201, cdr.text)
    assert.match((cdr.json as Record<string, unknown>).scope as string, /cdr:registration/, 'the CDR metadata policy applied')
    const [ukClient, cdrClient] = await Promise.all([s.server.store.getClient((uk.json as { client_id: string }).client_id), s.server.store.getClient((cdr.json as { client_id: string }).client_id)])
    assert.deepEqual([ukClient?.directoryIssuer, cdrClient?.directoryIssuer], [sandbox.directory.issuer, CDR_REGISTER_ISSUER])
  })
})
