/**
 * Brazil, end to end over real mutual TLS (issue 12 item 10; BR-DCR-13..16, RFC8705-3): a client registered
 * with tls_client_auth and its certificate's subject DN in the ICP-Brasil form (descriptors as strings, other
 * attributes as `<oid>=#<hex DER>`) gets a token at /token over that certificate, because registration and
 * the token endpoint compare DNs one way (trust/distinguished-name.ts).
 */
import { describeError } from '../../src/lib/error-table.ts'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { mtlsRequest } from '../../src/sandbox/mtls-client.ts'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { BRAZIL_SANDBOX_ORGANISATION, BRAZIL_SANDBOX_SSA_ISSUER, brazilTransportSubject } from '../../src/sandbox/ssa-shapes.ts'
import { startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

describe('Brazil tls_client_auth over HTTPS (issue 12 item 10)', () => {
  let sandbox: Sandbox
  const { softwareId, orgId } = BRAZIL_SANDBOX_ORGANISATION
  before(async () => {
    sandbox = await createSandbox({ directoryIssuer: BRAZIL_SANDBOX_SSA_ISSUER, softwareId, orgId, tppTransportSubject: brazilTransportSubject({ softwareId, orgId }) })
  })
  after(() => sandbox.close())

  const token = (s: TestServer, clientId: string, certificate = sandbox.tpp.transport) =>
    mtlsRequest({
      url: `${s.server.url}/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId }).toString(),
      cert: certificate.certificatePem,
      key: certificate.privateKeyPem,
      ca: sandbox.caCertificatePem,
    })

  it('issues a token at /token to a client registered with its certificate subject DN in the ICP-Brasil OID/hex form', async (t) => {
    const s = await startDcrServer(t, sandbox, { profile: 'brazil', directories: [{ issuer: BRAZIL_SANDBOX_SSA_ISSUER, jwksUrl: sandbox.directory.jwksUrl, algorithms: ['PS256'], transportCaFiles: [sandbox.files.caFile] }] })
    const body = sandbox.tpp.brazilRegistrationBody({ ssa: await sandbox.issueBrazilSsa(), tlsClientAuth: true, overrides: { grant_types: ['client_credentials', 'authorization_code'] } })
    assert.match(String(body.tls_client_auth_subject_dn), /2\.5\.4\.97=#0C[0-9A-F]+/, 'the registered DN writes organizationIdentifier as OID=#hex')
    const registered = await s.register(JSON.stringify(body), { contentType: 'application/json' })
    assert.equal(registered.status, 201, registered.text)
    const clientId = (registered.json as { client_id: string }).client_id

    const answer = await token(s, clientId)
    assert.equal(answer.status, 200, answer.text)
    assert.equal((answer.json as { token_type: string }).token_type.toLowerCase(), 'bearer')

    // Same CA, same software, another organisation: not the client's certificate (nor its renewal), so still 401.
    const other = await sandbox.ca.issueClient({ subject: brazilTransportSubject({ softwareId, orgId: '00000000-0000-4000-8000-000000000000' }) })
    const refused = await token(s, clientId, other)
    assert.deepStrictEqual(
      { status: refused.status, body: refused.json, challenge: refused.headers['www-authenticate'] },
      { status: 401, body: { error: 'invalid_client', error_description: describeError('token.invalid_client') }, challenge: 'private_key_jwt, tls_client_auth, self_signed_tls_client_auth' },
    )
    const [audit] = await s.server.store.listAudit(1)
    assert.match(audit?.detail ?? '', /is neither the one client .* registered with nor a renewal/, 'the reason is audited, not answered (SEC-33)')
  })
})
