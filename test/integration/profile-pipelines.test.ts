/**
 * The whole validation pipeline per profile with real material: sandbox CA, keystore and TPP over https on
 * loopback, the mock CDR Register (SSA keys and statuses over https), real PS256 signatures, the request
 * decoded as the registration endpoint does. CDR: a signed `application/jwt` request with a Register SSA
 * passes every built-in check plus software-status, and is refused when the product turns INACTIVE. Brazil:
 * a plain JSON body with a directory SSA and tls_client_auth in the OID/hex form passes, and the registered
 * metadata follows the SSA. (The registration service wires profiles per directory separately.)
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import { registeredMetadata } from '../../src/registration/metadata.ts'
import { decodeRegistration } from '../../src/registration/request.ts'
import type { IssuedCertificate } from '../../src/sandbox/ca.ts'
import { startMockRegister, type MockRegister } from '../../src/sandbox/mock-register.ts'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { BRAZIL_SANDBOX_ORGANISATION, BRAZIL_SANDBOX_SSA_ISSUER, brazilTransportSubject, CDR_SANDBOX_RECIPIENT, cdrTransportSubject } from '../../src/sandbox/ssa-shapes.ts'
import { createBoundedFetch } from '../../src/trust/outbound-http.ts'
import { createDirectories } from '../../src/trust/directories.ts'
import { createRegisterStatusClient, type RegisterStatusReader } from '../../src/trust/register-status.ts'
import { createRemoteKeySets } from '../../src/trust/remote-key-sets.ts'
import type { ClientCertificate } from '../../src/trust/types.ts'
import type { ValidationContext } from '../../src/validation/context.ts'
import { ValidationError } from '../../src/validation/errors.ts'
import { runPipeline } from '../../src/validation/pipeline.ts'

const ISSUER = 'https://bank.example.com'
const presented = (issued: IssuedCertificate): ClientCertificate => ({ certificate: issued.certificate, intermediates: [], thumbprint: createHash('sha256').update(issued.certificate.raw).digest('base64url'), source: 'tls' })

function contextFor(config: Config, body: string, mediaType: string, certificate: ClientCertificate, registerStatus?: RegisterStatusReader): ValidationContext {
  const remoteKeySets = createRemoteKeySets(config.outbound)
  const decoded = decodeRegistration(body, mediaType, config.registration)
  return {
    operation: 'create',
    config,
    now: Math.floor(Date.now() / 1000),
    request: decoded.request,
    ssa: decoded.ssa,
    directory: undefined,
    certificate,
    directories: createDirectories(config, remoteKeySets),
    remoteKeySets,
    isJtiUsed: async () => false,
    client: undefined,
    registerStatus,
  }
}

describe('CDR profile pipeline', () => {
  let sandbox: Sandbox
  let register: MockRegister
  let config: Config
  let reader: RegisterStatusReader
  const { softwareId, orgId, legalEntityId } = CDR_SANDBOX_RECIPIENT

  before(async () => {
    sandbox = await createSandbox({ directoryIssuer: 'unused-directory', softwareId, orgId, tppTransportSubject: cdrTransportSubject(softwareId, orgId) })
    register = await startMockRegister({ ca: sandbox.ca })
    config = loadConfig({
      values: {
        profile: 'cdr',
        issuer: ISSUER,
        directories: [{ issuer: 'cdr-register', jwksUrl: register.jwksUrl, algorithms: ['PS256'], transportCaFiles: [sandbox.files.caFile] }],
        server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } },
        outbound: { caFiles: [sandbox.files.caFile], allowPrivateAddresses: true },
        validators: { 'software-status': { registerBaseUrl: register.url } },
      },
    })
    reader = createRegisterStatusClient({ config: config.validators['software-status'], fetch: createBoundedFetch(config.outbound) })
  })
  after(async () => {
    await register.close()
    await sandbox.close()
  })

  const signedRequest = async (): Promise<string> => sandbox.tpp.signRequest(sandbox.tpp.cdrRegistrationClaims({ ssa: await register.issueSsa({ jwks_uri: sandbox.tpp.jwksUrl }), aud: ISSUER }))

  it('passes a Register SSA in an application/jwt request from an ACTIVE product, and registers the SSA scope', async () => {
    register.setDataRecipientStatus(legalEntityId, 'ACTIVE')
    register.setSoftwareProductStatus(softwareId, 'ACTIVE')
    const ctx = await runPipeline(contextFor(config, await signedRequest(), 'application/jwt', presented(sandbox.tpp.transport), reader))
    assert.equal(ctx.ssa?.verified, true)
    assert.equal(ctx.request.verified, true)
    assert.equal(ctx.directory?.issuer, 'cdr-register')
    const metadata = registeredMetadata(config, ctx.request.claims, ctx.ssa?.claims)
    assert.equal(metadata.scope, 'openid profile bank:accounts.basic:read bank:transactions:read common:customer.basic:read cdr:registration')
    assert.equal(metadata.legal_entity_id, legalEntityId)
  })

  it('refuses the same request once the software product is INACTIVE at the Register', async () => {
    register.setSoftwareProductStatus(softwareId, 'INACTIVE')
    const fresh = createRegisterStatusClient({ config: config.validators['software-status'], fetch: createBoundedFetch(config.outbound) })
    const ctx = contextFor(config, await signedRequest(), 'application/jwt', presented(sandbox.tpp.transport), fresh)
    await assert.rejects(runPipeline(ctx), (error: unknown) => error instanceof ValidationError && error.validator === 'software-status' && error.error === 'unapproved_software_statement' && /INACTIVE/.test(error.message))
  })

  it('refuses token_endpoint_auth_method tls_client_auth (CDR negative fixture)', async () => {
    register.setSoftwareProductStatus(softwareId, 'ACTIVE')
    const claims = sandbox.tpp.cdrRegistrationClaims({ ssa: await register.issueSsa({ jwks_uri: sandbox.tpp.jwksUrl }), aud: ISSUER, overrides: { token_endpoint_auth_method: 'tls_client_auth' } })
    const ctx = contextFor(config, await sandbox.tpp.signRequest(claims), 'application/jwt', presented(sandbox.tpp.transport), reader)
    await assert.rejects(runPipeline(ctx), (error: unknown) => error instanceof ValidationError && error.validator === 'token-endpoint-auth' && error.claim === 'token_endpoint_auth_method')
  })
})

describe('Brazil profile pipeline', () => {
  let sandbox: Sandbox
  let config: Config
  const { softwareId, orgId } = BRAZIL_SANDBOX_ORGANISATION

  before(async () => {
    sandbox = await createSandbox({ directoryIssuer: BRAZIL_SANDBOX_SSA_ISSUER, softwareId, orgId, tppTransportSubject: brazilTransportSubject({ softwareId, orgId }) })
    config = loadConfig({
      values: {
        profile: 'brazil',
        issuer: ISSUER,
        directories: [{ issuer: BRAZIL_SANDBOX_SSA_ISSUER, jwksUrl: sandbox.directory.jwksUrl, algorithms: ['PS256'], transportCaFiles: [sandbox.files.caFile] }],
        server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } },
        outbound: { caFiles: [sandbox.files.caFile], allowPrivateAddresses: true },
      },
    })
  })
  after(() => sandbox.close())

  it('passes a plain JSON body with a directory SSA and tls_client_auth in the OID/hex form; the SSA wins in the metadata', async () => {
    const ssa = await sandbox.issueBrazilSsa()
    const body = JSON.stringify(sandbox.tpp.brazilRegistrationBody({ ssa, tlsClientAuth: true, overrides: { client_name: 'Not the directory name' } }))
    const ctx = await runPipeline(contextFor(config, body, 'application/json', presented(sandbox.tpp.transport)))
    assert.equal(ctx.ssa?.verified, true)
    const metadata = registeredMetadata(config, ctx.request.claims, ctx.ssa?.claims)
    assert.equal(metadata.client_name, 'Tucano Financas')
    // The request leaves scope out (the sandbox TPP asks for none in Brazil): the full set of the active DADOS role (BR-DCR-21).
    assert.equal(metadata.scope, 'openid accounts credit-cards-accounts consents customers invoice-financings financings loans unarranged-accounts-overdraft resources')
  })

  it('refuses a subject DN that names organizationIdentifier by name (BR-DCR-14)', async () => {
    const ssa = await sandbox.issueBrazilSsa()
    const good = sandbox.tpp.brazilRegistrationBody({ ssa, tlsClientAuth: true })
    const byName = String(good.tls_client_auth_subject_dn).replace(/2\.5\.4\.97=#[0-9A-F]+/, `organizationIdentifier=OFBBR-${orgId}`)
    const ctx = contextFor(config, JSON.stringify({ ...good, tls_client_auth_subject_dn: byName }), 'application/json', presented(sandbox.tpp.transport))
    await assert.rejects(runPipeline(ctx), (error: unknown) => error instanceof ValidationError && error.validator === 'token-endpoint-auth' && error.claim === 'tls_client_auth_subject_dn')
  })

  it('refuses payments while PAGTO is Inactive', async () => {
    const ssa = await sandbox.issueBrazilSsa()
    const ctx = contextFor(config, JSON.stringify(sandbox.tpp.brazilRegistrationBody({ ssa, overrides: { scope: 'openid payments' } })), 'application/json', presented(sandbox.tpp.transport))
    await assert.rejects(runPipeline(ctx), (error: unknown) => error instanceof ValidationError && error.validator === 'roles-and-scopes' && /PAGTO/.test(error.message))
  })
})
