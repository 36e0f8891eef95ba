/**
 * Validator behaviour under the Brazil profile (br-dcr.md), with the §7 sample values: active roles only
 * (BR-DCR-9/21), no jwks by value and jwks_uri = software_jwks_uri (BR-DCR-18/19), tls_client_auth by subject
 * DN only in the OID/hex form matched against the ICP-Brasil-like certificate (BR-DCR-13/14/16), the certificate
 * subject rule (BR-DCR-11/12), SSA at most 5 minutes old (BR-DCR-6), SSAs without jti (no replay key) and a
 * plain JSON body without iss.
 */
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { createCertificateAuthority, type IssuedCertificate } from '../../src/sandbox/ca.ts'
import { BRAZIL_SANDBOX_ORGANISATION, brazilTransportSubject } from '../../src/sandbox/ssa-shapes.ts'
import { brazilSubjectDnOf } from '../../src/trust/brazil-distinguished-name.ts'
import type { ClientCertificate } from '../../src/trust/types.ts'
import type { Claims } from '../../src/lib/claims.ts'
import { freshness } from '../../src/validation/validators/freshness.ts'
import { jtiReplay } from '../../src/validation/validators/jti-replay.ts'
import { requestIssuer } from '../../src/validation/validators/request-issuer.ts'
import { rolesAndScopes } from '../../src/validation/validators/roles-and-scopes.ts'
import { tokenEndpointAuth } from '../../src/validation/validators/token-endpoint-auth.ts'
import { transportCertificate } from '../../src/validation/validators/transport-certificate.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { directoriesOf, keySetOf, makeDirectory, makeSigner } from '../helpers/jws-fixtures.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const config = testConfig({ profile: 'brazil' })
const { softwareId, orgId } = BRAZIL_SANDBOX_ORGANISATION
const JWKS_URI = `https://keystore.sandbox.directory.openbankingbrasil.org.br/${orgId}/${softwareId}/application.jwks`
const ROLES = [
  { role: 'DADOS', authorisation_domain: 'Open Banking', status: 'Active' },
  { role: 'PAGTO', authorisation_domain: 'Open Banking', status: 'Inactive' },
]
const ssa: Claims = { iss: 'Open Finance Open Finance Brasil sandbox SSA issuer', iat: 1767225100, software_id: softwareId, org_id: orgId, software_jwks_uri: JWKS_URI, software_statement_roles: ROLES }

const ca = await createCertificateAuthority('BR sandbox CA')
const presented = (issued: IssuedCertificate): ClientCertificate => ({ certificate: issued.certificate, intermediates: [], thumbprint: createHash('sha256').update(issued.certificate.raw).digest('base64url'), source: 'tls' })
const brCertificate = await ca.issueClient({ subject: brazilTransportSubject({ softwareId, orgId }) })
const certificate = presented(brCertificate)
const SUBJECT_DN = brazilSubjectDnOf(brCertificate.certificate)

describe('Brazil profile: roles-and-scopes with software_statement_roles (BR-DCR-9, BR-DCR-21)', () => {
  const asking = (scope: string, roles: unknown = ROLES) => makeContext({ config, request: { scope }, ssa: { ...ssa, software_statement_roles: roles } })

  it('passes the sample scope openid accounts consents resources for the active DADOS role', async () => {
    await expectPass(rolesAndScopes, asking('openid accounts consents resources'))
  })

  it('rejects payments while the PAGTO role is Inactive (BR negative fixture), naming the inactive role', async () => {
    await expectFailure(rolesAndScopes, asking('openid payments'), { error: 'invalid_client_metadata', claim: 'scope', mentions: ['payments', 'software_statement_roles', 'not Active: PAGTO'] })
  })

  it('passes payments once PAGTO is Active', async () => {
    await expectPass(rolesAndScopes, asking('openid payments', ROLES.map((role) => ({ ...role, status: 'Active' }))))
  })

  it('rejects role objects without role or status', async () => {
    await expectFailure(rolesAndScopes, asking('accounts', [{ role: 'DADOS' }]), { error: 'invalid_software_statement', claim: 'software_statement_roles' })
    await expectFailure(rolesAndScopes, asking('accounts', [42]), { error: 'invalid_software_statement', claim: 'software_statement_roles' })
  })
})

describe('Brazil profile: client keys (BR-DCR-18, BR-DCR-19)', () => {
  const run = (request: Claims, claims: Claims | undefined = ssa) => makeContext({ config, request: { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', ...request }, ssa: claims })

  it('passes jwks_uri equal to the SSA software_jwks_uri, and no jwks_uri at all', async () => {
    await expectPass(tokenEndpointAuth, run({ jwks_uri: JWKS_URI }))
    await expectPass(tokenEndpointAuth, run({}))
  })

  it('rejects keys by value (jwks)', async () => {
    await expectFailure(tokenEndpointAuth, run({ jwks: { keys: [] } }), { error: 'invalid_client_metadata', claim: 'jwks', mentions: ['software_jwks_uri'] })
  })

  it('rejects a jwks_uri other than the SSA software_jwks_uri', async () => {
    await expectFailure(tokenEndpointAuth, run({ jwks_uri: 'https://keys.elsewhere.example/jwks' }), { error: 'invalid_client_metadata', claim: 'jwks_uri', mentions: ['software_jwks_uri', 'keys.elsewhere.example'] })
  })

  it('rejects a jwks_uri when the SSA names no software_jwks_uri', async () => {
    await expectFailure(tokenEndpointAuth, run({ jwks_uri: JWKS_URI }, { ...ssa, software_jwks_uri: undefined }), { error: 'invalid_client_metadata', claim: 'jwks_uri', mentions: ['software_jwks_uri'] })
  })

  it('rejects the RS256 and ES256 signing algorithms (PS256 only)', async () => {
    await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_signing_alg: 'ES256' }), { error: 'invalid_client_metadata', claim: 'token_endpoint_auth_signing_alg', mentions: ['PS256'] })
  })
})

describe('Brazil profile: tls_client_auth by subject DN (BR-DCR-13, BR-DCR-14, BR-DCR-16)', () => {
  const run = (request: Claims, presentedCertificate: ClientCertificate | null = certificate) =>
    makeContext({ config, request: { token_endpoint_auth_method: 'tls_client_auth', ...request }, ssa, ...(presentedCertificate === null ? {} : { certificate: presentedCertificate }) })

  it('passes the subject DN in OID/hex form of the presented certificate', async () => {
    await expectPass(tokenEndpointAuth, run({ tls_client_auth_subject_dn: SUBJECT_DN }))
  })

  it('rejects organizationIdentifier written by name instead of OID form, showing the expected form', async () => {
    const byName = SUBJECT_DN.replace(/2\.5\.4\.97=#[0-9A-F]+/, `organizationIdentifier=OFBBR-${orgId}`)
    await expectFailure(tokenEndpointAuth, run({ tls_client_auth_subject_dn: byName }), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn', mentions: ['organizationIdentifier is not an RFC 4514 descriptor', '2.5.4.97=#0C2A'] })
  })

  it('rejects a subject DN of another certificate (UID other than the presented one)', async () => {
    const other = SUBJECT_DN.replace(`UID=${softwareId}`, 'UID=00000000-0000-0000-0000-000000000000')
    await expectFailure(tokenEndpointAuth, run({ tls_client_auth_subject_dn: other }), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn', mentions: ['does not match'] })
  })

  it('rejects a SAN identity: the subject DN is the only identity', async () => {
    await expectFailure(tokenEndpointAuth, run({ tls_client_auth_subject_dn: SUBJECT_DN, tls_client_auth_san_dns: 'app.tucano.example.com.br' }), { error: 'invalid_client_metadata', claim: 'tls_client_auth_san_dns' })
  })

  it('rejects tls_client_auth without a subject DN, and a DN without a presented certificate', async () => {
    await expectFailure(tokenEndpointAuth, run({}), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn' })
    await expectFailure(tokenEndpointAuth, run({ tls_client_auth_subject_dn: SUBJECT_DN }, null), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn', mentions: ['no client certificate'] })
  })
})

describe('Brazil profile: transport certificate subject (BR-DCR-11, BR-DCR-12)', async () => {
  const keys = keySetOf(await makeSigner('PS256', 'br'))
  const directory = makeDirectory(String(ssa.iss), keys, { transportCas: [ca.certificate], algorithms: ['PS256'] })
  const directories = directoriesOf(directory)

  it('passes the ICP-Brasil-like certificate with UID and organizationIdentifier OFBBR-<org_id>', async () => {
    await expectPass(transportCertificate, makeContext({ config, ssa, directory, directories, certificate }))
  })

  it('rejects organizationIdentifier OFBBR-<other org> (BR negative fixture)', async () => {
    const other = presented(await ca.issueClient({ subject: brazilTransportSubject({ softwareId, orgId: '00000000-0000-0000-0000-000000000000' }) }))
    await expectFailure(transportCertificate, makeContext({ config, ssa, directory, directories, certificate: other }), { error: 'unapproved_software_statement', claim: 'software_id', mentions: ['OFBBR-<org_id>'] })
  })
})

describe('Brazil profile: plain JSON request and directory SSA', () => {
  it('rejects an SSA more than 5 minutes plus the skew old (BR-DCR-6 negative fixture) and passes one 4 minutes old', async () => {
    await expectFailure(freshness, makeContext({ config, now: Number(ssa.iat) + 361, ssa }), { error: 'invalid_software_statement', claim: 'iat', mentions: ['300 seconds'] })
    await expectPass(freshness, makeContext({ config, now: Number(ssa.iat) + 240, ssa }))
  })

  it('passes an SSA without jti, and still rejects a replayed one that has a jti', async () => {
    await expectPass(jtiReplay, makeContext({ config, ssa }))
    const used = new Set([`${String(ssa.iss)}|ssa-1`])
    await expectFailure(jtiReplay, makeContext({ config, ssa: { ...ssa, jti: 'ssa-1' }, usedJtis: used }), { error: 'invalid_software_statement', claim: 'jti' })
  })

  it('passes a plain JSON body without iss, but still checks its software_id against the SSA', async () => {
    await expectPass(requestIssuer, makeContext({ config, request: { redirect_uris: ['https://app.tucano.example.com.br/of/cb'] }, ssa }))
    await expectFailure(requestIssuer, makeContext({ config, request: { software_id: 'someone-else' }, ssa }), { error: 'invalid_client_metadata', claim: 'software_id' })
  })

  it('keeps requiring an SSA jti where the profile does (UK)', async () => {
    await expectFailure(jtiReplay, makeContext({ ssa: { iss: 'OpenBanking Ltd' } }), { error: 'invalid_software_statement', claim: 'jti' })
  })
})
