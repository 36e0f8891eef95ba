/**
 * The sandbox speaks each regime: CDR Register SSAs (from the mock Register, verified with its JWKS fetched
 * over https), Open Finance Brasil SSAs, the TPP's CDR request claims and Brazil JSON bodies, and transport
 * certificates whose subjects satisfy each regime's rule; each passes the checks of its profile. The UK
 * default shape is unchanged.
 */
import assert from 'node:assert/strict'
import { createHash, type X509Certificate } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { startMockRegister, type MockRegister } from '../../src/sandbox/mock-register.ts'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { BRAZIL_SANDBOX_ORGANISATION, BRAZIL_SANDBOX_SSA_ISSUER, brazilTransportSubject, CDR_SANDBOX_RECIPIENT, cdrTransportSubject } from '../../src/sandbox/ssa-shapes.ts'
import { createBoundedFetch } from '../../src/trust/outbound-http.ts'
import { certificateSubject } from '../../src/trust/distinguished-name.ts'
import { subjectMatches } from '../../src/trust/subject-rules.ts'
import type { ClientCertificate } from '../../src/trust/types.ts'
import type { Validator } from '../../src/validation/context.ts'
import { applicationType } from '../../src/validation/validators/application-type.ts'
import { grantAndResponseTypes } from '../../src/validation/validators/grant-and-response-types.ts'
import { hostnameConsistency } from '../../src/validation/validators/hostname-consistency.ts'
import { redirectUriFormat } from '../../src/validation/validators/redirect-uri-format.ts'
import { redirectUriSubset } from '../../src/validation/validators/redirect-uri-subset.ts'
import { requiredAttributes } from '../../src/validation/validators/required-attributes.ts'
import { rolesAndScopes } from '../../src/validation/validators/roles-and-scopes.ts'
import { tokenEndpointAuth } from '../../src/validation/validators/token-endpoint-auth.ts'
import { algorithms } from '../../src/validation/validators/algorithms.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { temporaryFile } from '../helpers/loopback-servers.ts'

const cdrConfig = testConfig({ profile: 'cdr', validators: { 'software-status': { registerBaseUrl: 'https://register.example' } } })
const brazilConfig = testConfig({ profile: 'brazil' })
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
const presented = (issued: { certificate: X509Certificate }): ClientCertificate => ({ certificate: issued.certificate, intermediates: [], thumbprint: createHash('sha256').update(issued.certificate.raw).digest('base64url'), source: 'tls' })

async function passAll(validators: Validator[], ctx: ReturnType<typeof makeContext>): Promise<void> {
  for (const validator of validators) await validator.check(ctx)
}

describe('CDR shapes', () => {
  let sandbox: Sandbox
  let register: MockRegister
  before(async () => {
    sandbox = await createSandbox({ directoryIssuer: 'cdr-register', softwareId: CDR_SANDBOX_RECIPIENT.softwareId, orgId: CDR_SANDBOX_RECIPIENT.orgId, tppTransportSubject: cdrTransportSubject(CDR_SANDBOX_RECIPIENT.softwareId, CDR_SANDBOX_RECIPIENT.orgId) })
    register = await startMockRegister({ ca: sandbox.ca })
  })
  after(async () => {
    await register.close()
    await sandbox.close()
  })

  it('the mock Register issues PS256 SSAs that verify with its JWKS fetched over https, with the CDR claims', async (t) => {
    const ssa = await register.issueSsa({ jwks_uri: sandbox.tpp.jwksUrl })
    const fetch = createBoundedFetch({ ...cdrConfig.outbound, caFiles: [temporaryFile(t, 'ca.pem', sandbox.ca.certificatePem)], allowPrivateAddresses: true })
    const jwks = (await (await fetch(register.jwksUrl)).json()) as JSONWebKeySet
    const { payload } = await jwtVerify(ssa, createLocalJWKSet(jwks), { algorithms: ['PS256'], issuer: 'cdr-register' })
    assert.equal(decodeProtectedHeader(ssa).alg, 'PS256')
    assert.equal(payload.exp! - payload.iat!, 600)
    assert.equal(payload.software_roles, 'data-recipient-software-product')
    assert.equal(payload.legal_entity_id, CDR_SANDBOX_RECIPIENT.legalEntityId)
    assert.match(String(payload.scope), /^openid profile .* cdr:registration$/)
    assert.ok(typeof payload.jti === 'string' && payload.recipient_base_uri !== undefined && payload.revocation_uri !== undefined)
  })

  it('a CDR SSA and the TPP\'s CDR request pass the CDR profile\'s metadata checks', async () => {
    const ssa = await sandbox.issueCdrSsa()
    const claims = claimsOf(ssa)
    assert.equal(claims.iss, 'cdr-register')
    assert.equal(claims.jwks_uri, sandbox.tpp.jwksUrl)
    const request = sandbox.tpp.cdrRegistrationClaims({ ssa, aud: 'https://bank.example.com' })
    assert.deepEqual(request.redirect_uris, claims.redirect_uris)
    const ctx = makeContext({ config: cdrConfig, request, ssa: claims, now: Number(claims.iat) })
    await passAll([requiredAttributes, redirectUriFormat, redirectUriSubset, hostnameConsistency, tokenEndpointAuth, algorithms, grantAndResponseTypes, rolesAndScopes, applicationType], ctx)
  })

  it('the CDR transport certificate chains to the sandbox CA and meets the CDR (chain-only) rule', () => {
    const certificate = sandbox.tpp.transport.certificate
    assert.ok(certificate.checkIssued(sandbox.ca.certificate))
    assert.equal(sandbox.tpp.transportSubject, cdrTransportSubject(CDR_SANDBOX_RECIPIENT.softwareId, CDR_SANDBOX_RECIPIENT.orgId))
    assert.ok(subjectMatches('cdr', certificateSubject(certificate), { softwareId: CDR_SANDBOX_RECIPIENT.softwareId, orgId: CDR_SANDBOX_RECIPIENT.orgId }))
  })
})

describe('Brazil shapes', () => {
  let sandbox: Sandbox
  const { softwareId, orgId } = BRAZIL_SANDBOX_ORGANISATION
  before(async () => {
    sandbox = await createSandbox({ directoryIssuer: BRAZIL_SANDBOX_SSA_ISSUER, softwareId, orgId, tppTransportSubject: brazilTransportSubject({ softwareId, orgId }) })
  })
  after(() => sandbox.close())

  it('issues a PS256 directory SSA with software_* claims, active and inactive roles, org_number, no jti and no exp', async () => {
    const ssa = await sandbox.issueBrazilSsa()
    const { payload } = await jwtVerify(ssa, createLocalJWKSet(sandbox.directory.publicJwks), { algorithms: ['PS256'], issuer: BRAZIL_SANDBOX_SSA_ISSUER })
    assert.equal(payload.software_jwks_uri, sandbox.tpp.jwksUrl)
    assert.deepEqual((payload.software_statement_roles as Array<{ role: string; status: string }>).map(({ role, status }) => `${role}:${status}`), ['DADOS:Active', 'PAGTO:Inactive'])
    assert.equal(payload.org_number, BRAZIL_SANDBOX_ORGANISATION.orgNumber)
    assert.equal(payload.jti, undefined)
    assert.equal(payload.exp, undefined)
  })

  it('the Brazil SSA and the TPP\'s JSON body (tls_client_auth) pass the Brazil profile\'s metadata checks', async () => {
    const ssa = await sandbox.issueBrazilSsa()
    const claims = claimsOf(ssa)
    const body = sandbox.tpp.brazilRegistrationBody({ ssa, tlsClientAuth: true })
    assert.equal(body.iss, undefined, 'a plain JSON body has no JWT claims')
    assert.equal(body.jwks_uri, claims.software_jwks_uri)
    assert.match(String(body.tls_client_auth_subject_dn), /^UID=9a8b7c6d-[^,]+,2\.5\.4\.97=#0C2A4F464242522D/)
    const ctx = makeContext({ config: brazilConfig, request: body, ssa: claims, certificate: presented(sandbox.tpp.transport) })
    await passAll([requiredAttributes, redirectUriFormat, redirectUriSubset, hostnameConsistency, tokenEndpointAuth, algorithms, grantAndResponseTypes, rolesAndScopes, applicationType], ctx)
  })

  it('the private_key_jwt body also passes', async () => {
    const ssa = await sandbox.issueBrazilSsa()
    const ctx = makeContext({ config: brazilConfig, request: sandbox.tpp.brazilRegistrationBody({ ssa }), ssa: claimsOf(ssa) })
    await passAll([requiredAttributes, tokenEndpointAuth], ctx)
  })

  it('the ICP-Brasil-like transport certificate meets the Brazil subject rule: UID=software_id, organizationIdentifier=OFBBR-org_id', () => {
    const subject = certificateSubject(sandbox.tpp.transport.certificate)
    assert.ok(subjectMatches('brazil', subject, { softwareId, orgId }))
    assert.equal(subjectMatches('brazil', subject, { softwareId, orgId: 'another-org' }), false)
    assert.equal(subjectMatches('ob-legacy', subject, { softwareId, orgId }), false)
  })
})

describe('UK default shape', () => {
  it('stays the OB Directory SSA with the legacy OB transport subject', async () => {
    const sandbox = await createSandbox()
    try {
      const claims = claimsOf(await sandbox.issueSsa())
      assert.equal(claims.software_jwks_endpoint, sandbox.tpp.jwksUrl)
      assert.ok(Array.isArray(claims.software_roles))
      assert.equal(claims.software_statement_roles, undefined)
      assert.equal(sandbox.tpp.transportSubject, `CN=${sandbox.tpp.softwareId},OU=${sandbox.tpp.orgId},O=OpenBanking,C=GB`)
    } finally {
      await sandbox.close()
    }
  })
})
