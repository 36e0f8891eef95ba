import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, type X509Certificate } from 'node:crypto'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import type { ClientCertificate } from '../../src/trust/types.ts'
import { ValidationError } from '../../src/validation/errors.ts'
import { transportCertificate } from '../../src/validation/validators/transport-certificate.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { directoriesOf, keySetOf, makeDirectory, makeSigner } from '../helpers/jws-fixtures.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const DAY_MS = 24 * 60 * 60 * 1000
const obCa = await createCertificateAuthority('OB Transport CA')
const brCa = await createCertificateAuthority('BR Transport CA')
const keys = keySetOf(await makeSigner('PS256', 'k'))
const openBanking = makeDirectory('OpenBanking Ltd', keys, { transportCas: [obCa.certificate] })
const brazil = makeDirectory('Open Finance Brasil', keys, { transportCas: [brCa.certificate] })
const directories = directoriesOf(openBanking, brazil)
const ssa = { iss: 'OpenBanking Ltd', software_id: '7Hq2LmN9pXvR4tYb8Kc1Zs', org_id: '0015800001ZEc3hAAD' }
const legacySubject = `CN=${ssa.software_id},OU=${ssa.org_id},O=OpenBanking,C=GB`

const presented = (certificate: X509Certificate): ClientCertificate => ({
  certificate,
  intermediates: [],
  thumbprint: createHash('sha256').update(certificate.raw).digest('base64url'),
  source: 'proxy',
})

const legacy = presented((await obCa.issueClient({ subject: legacySubject })).certificate)

/** Refusals about the certificate itself carry no claim. */
async function expectRefusal(ctx: ReturnType<typeof makeContext>, mentions: string[]): Promise<void> {
  await assert.rejects(async () => transportCertificate.check(ctx), (error: unknown) => {
    assert.ok(error instanceof ValidationError)
    assert.equal(error.error, 'unapproved_software_statement')
    assert.equal(error.validator, 'transport-certificate')
    for (const text of mentions) assert.ok(error.message.includes(text), `"${error.message}" does not mention ${text}`)
    return true
  })
}

describe('transport-certificate (UK-DCR-38, BR-DCR-11..12, SEC-31)', () => {
  it('passes a legacy OB certificate from the directory CA naming the SSA software and org', async () => {
    await expectPass(transportCertificate, makeContext({ ssa, directory: openBanking, directories, certificate: legacy }))
  })

  it('passes an OBWAC certificate whose organizationIdentifier carries org_id', async () => {
    const obwac = (await obCa.issueClient({ subject: `CN=Acme Fin,organizationIdentifier=PSDGB-OB-Unknown${ssa.org_id},O=Acme Fin Ltd,C=GB` })).certificate
    await expectPass(transportCertificate, makeContext({ ssa, directory: openBanking, directories, certificate: presented(obwac) }))
  })

  it('rejects a request without transport certificate', async () => {
    await expectRefusal(makeContext({ ssa, directory: openBanking, directories }), ['a transport certificate is required'])
  })

  it('rejects a certificate from the CA of another directory', async () => {
    const fromBrazilCa = presented((await brCa.issueClient({ subject: legacySubject })).certificate)
    await expectRefusal(makeContext({ ssa, directory: openBanking, directories, certificate: fromBrazilCa }), ['directory "OpenBanking Ltd"', 'not issued by a trusted certificate authority'])
  })

  it('accepts the CA of any directory when none was chosen', async () => {
    const fromBrazilCa = presented((await brCa.issueClient({ subject: legacySubject })).certificate)
    await expectPass(transportCertificate, makeContext({ ssa, directories, certificate: fromBrazilCa }))
  })

  it('rejects an expired certificate, judged at the request time', async () => {
    await expectRefusal(makeContext({ ssa, directory: openBanking, directories, certificate: legacy, now: Math.floor((Date.now() + 1000 * DAY_MS) / 1000) }), ['expired on'])
  })

  it('rejects a server-only certificate', async () => {
    const server = presented((await obCa.issueServer({ commonName: ssa.software_id })).certificate)
    await expectRefusal(makeContext({ ssa, directory: openBanking, directories, certificate: server }), ['does not allow TLS client authentication'])
  })

  it('rejects a subject naming other software, naming what differs', async () => {
    const other = presented((await obCa.issueClient({ subject: `CN=OtherSoftware,OU=${ssa.org_id},O=OpenBanking,C=GB` })).certificate)
    const error = await expectFailure(transportCertificate, makeContext({ ssa, directory: openBanking, directories, certificate: other }), {
      error: 'unapproved_software_statement',
      claim: 'software_id',
      mentions: ['CN=OtherSoftware', `software_id "${ssa.software_id}"`, `org_id "${ssa.org_id}"`, 'ob-legacy: CN=<software_id> and OU=<org_id>'],
    })
    assert.match(error.message, /^the transport certificate subject /)
  })

  it('rejects a subject of another organisation', async () => {
    const other = presented((await obCa.issueClient({ subject: `CN=${ssa.software_id},OU=0015800001OTHERAA,O=OpenBanking,C=GB` })).certificate)
    await expectFailure(transportCertificate, makeContext({ ssa, directory: openBanking, directories, certificate: other }), { error: 'unapproved_software_statement', claim: 'software_id', mentions: ['OU=0015800001OTHERAA'] })
  })

  it('applies only the configured subject rules', async () => {
    const config = testConfig({ validators: { 'transport-certificate': { subjectRules: ['brazil'] } } })
    await expectFailure(transportCertificate, makeContext({ config, ssa, directory: openBanking, directories, certificate: legacy }), { error: 'unapproved_software_statement', claim: 'software_id', mentions: ['brazil: UID=<software_id>'] })
    const br = presented((await brCa.issueClient({ subject: `UID=${ssa.software_id},organizationIdentifier=OFBBR-${ssa.org_id},CN=tpp.example.com.br,C=BR` })).certificate)
    await expectPass(transportCertificate, makeContext({ config, ssa, directory: brazil, directories, certificate: br }))
  })

  it('cdr rule: chain only, any subject', async () => {
    const config = testConfig({ validators: { 'transport-certificate': { subjectRules: ['cdr'] } } })
    const anySubject = presented((await obCa.issueClient({ subject: 'CN=adr.example.com.au,O=ADR,C=AU' })).certificate)
    await expectPass(transportCertificate, makeContext({ config, ssa, directory: openBanking, directories, certificate: anySubject }))
  })

  it('uses the profile claim names for software and organisation ids', async () => {
    const config = testConfig({ ssa: { softwareIdClaim: 'software_product_id', orgIdClaim: 'brand_id' } })
    await expectPass(transportCertificate, makeContext({ config, ssa: { software_product_id: ssa.software_id, brand_id: ssa.org_id }, directory: openBanking, directories, certificate: legacy }))
    await expectFailure(transportCertificate, makeContext({ config, ssa, directory: openBanking, directories, certificate: legacy }), { error: 'unapproved_software_statement', claim: 'software_product_id' })
  })

  it('rejects an SSA software id that is not a string', async () => {
    await expectFailure(transportCertificate, makeContext({ ssa: { ...ssa, software_id: 42 }, directory: openBanking, directories, certificate: legacy }), { error: 'invalid_software_statement', claim: 'software_id' })
  })
})

describe('transport-certificate refuses a subject that repeats an attribute a subject rule reads (issue 13 item 1)', () => {
  const brSsa = { ...ssa, iss: 'Open Finance Brasil' }
  const brConfig = testConfig({ validators: { 'transport-certificate': { subjectRules: ['brazil'] } } })
  const obwacConfig = testConfig({ validators: { 'transport-certificate': { subjectRules: ['obwac'] } } })
  const refusal = (repeated: string) => ({ error: 'unapproved_software_statement' as const, claim: 'software_id', mentions: [`more than one ${repeated}`, 'must occur exactly once'] })

  it('refuses two CN values, one naming the software (ob-legacy)', async () => {
    const twoCns = presented((await obCa.issueClient({ subject: `CN=${ssa.software_id},CN=OtherSoftware,OU=${ssa.org_id},O=OpenBanking,C=GB` })).certificate)
    await expectFailure(transportCertificate, makeContext({ ssa, directory: openBanking, directories, certificate: twoCns }), refusal('CN'))
    const secondFirst = presented((await obCa.issueClient({ subject: `CN=OtherSoftware,CN=${ssa.software_id},OU=${ssa.org_id},O=OpenBanking,C=GB` })).certificate)
    await expectFailure(transportCertificate, makeContext({ ssa, directory: openBanking, directories, certificate: secondFirst }), refusal('CN'))
  })

  it('refuses two OU values, one naming the organisation (ob-legacy)', async () => {
    const twoOus = presented((await obCa.issueClient({ subject: `CN=${ssa.software_id},OU=0015800001OTHERAA,OU=${ssa.org_id},O=OpenBanking,C=GB` })).certificate)
    await expectFailure(transportCertificate, makeContext({ ssa, directory: openBanking, directories, certificate: twoOus }), refusal('OU'))
  })

  it('refuses two UID values, one naming the software (brazil)', async () => {
    const twoUids = presented((await brCa.issueClient({ subject: `UID=${ssa.software_id},UID=other-software,organizationIdentifier=OFBBR-${ssa.org_id},CN=tpp.example.com.br,C=BR` })).certificate)
    await expectFailure(transportCertificate, makeContext({ config: brConfig, ssa: brSsa, directory: brazil, directories, certificate: twoUids }), refusal('UID'))
  })

  it('refuses two organizationIdentifier values, one naming the organisation (brazil and obwac)', async () => {
    const twoBr = presented((await brCa.issueClient({ subject: `UID=${ssa.software_id},organizationIdentifier=OFBBR-${ssa.org_id},organizationIdentifier=OFBBR-other,CN=tpp.example.com.br,C=BR` })).certificate)
    await expectFailure(transportCertificate, makeContext({ config: brConfig, ssa: brSsa, directory: brazil, directories, certificate: twoBr }), refusal('organizationIdentifier'))
    const twoObwac = presented((await obCa.issueClient({ subject: `CN=Acme Fin,organizationIdentifier=PSDGB-OB-Unknown${ssa.org_id},organizationIdentifier=PSDGB-FCA-123456,O=Acme Fin Ltd,C=GB` })).certificate)
    await expectFailure(transportCertificate, makeContext({ config: obwacConfig, ssa, directory: openBanking, directories, certificate: twoObwac }), refusal('organizationIdentifier'))
  })

  it('refuses a second value in a multi-valued RDN as well (CN=a+CN=b)', async () => {
    const multiValued = presented((await obCa.issueClient({ subject: `CN=${ssa.software_id}+CN=OtherSoftware,OU=${ssa.org_id},O=OpenBanking,C=GB` })).certificate)
    await expectFailure(transportCertificate, makeContext({ ssa, directory: openBanking, directories, certificate: multiValued }), refusal('CN'))
  })
})
