import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { certificateSubject, parseDistinguishedName } from '../../src/trust/distinguished-name.ts'
import { repeatedSubjectAttributes, subjectMatches } from '../../src/trust/subject-rules.ts'

const ids = { softwareId: '7Hq2LmN9pXvR4tYb8Kc1Zs', orgId: '0015800001ZEc3hAAD' }
const dn = parseDistinguishedName

test('ob-legacy: CN = software_id and OU = org_id (UK-DCR-38)', () => {
  assert.equal(subjectMatches('ob-legacy', dn(`CN=${ids.softwareId},OU=${ids.orgId},O=OpenBanking,C=GB`), ids), true)
})

test('ob-legacy rejects a subject of other software, another org, or a case-folded id', () => {
  assert.equal(subjectMatches('ob-legacy', dn(`CN=otherSoftware,OU=${ids.orgId},O=OpenBanking,C=GB`), ids), false)
  assert.equal(subjectMatches('ob-legacy', dn(`CN=${ids.softwareId},OU=otherOrg,O=OpenBanking,C=GB`), ids), false)
  assert.equal(subjectMatches('ob-legacy', dn(`CN=${ids.softwareId.toLowerCase()},OU=${ids.orgId},O=OpenBanking,C=GB`), ids), false)
  assert.equal(subjectMatches('ob-legacy', dn(`CN=${ids.softwareId},O=OpenBanking,C=GB`), ids), false)
})

test('obwac: organizationIdentifier PSDGB-OB-Unknown<org_id>, PSD2 prefix + org_id, or CN = org_id (UK-DCR-38)', () => {
  assert.equal(subjectMatches('obwac', dn(`CN=${ids.orgId},2.5.4.97=PSDGB-FCA-123456,O=Acme Fin Ltd,C=GB`), ids), true)
  assert.equal(subjectMatches('obwac', dn(`CN=Acme,organizationIdentifier=PSDGB-OB-Unknown${ids.orgId},O=Acme Fin Ltd,C=GB`), ids), true)
  assert.equal(subjectMatches('obwac', dn(`CN=Acme,organizationIdentifier=PSDIE-CBI-${ids.orgId},O=Acme,C=IE`), ids), true)
})

test('obwac rejects an organizationIdentifier that merely ends with org_id, or names another org', () => {
  assert.equal(subjectMatches('obwac', dn(`CN=Acme,organizationIdentifier=PSDGB-OB-Unknownevil${ids.orgId},O=Evil,C=GB`), ids), false)
  assert.equal(subjectMatches('obwac', dn(`CN=Acme,organizationIdentifier=evil${ids.orgId},O=Evil,C=GB`), ids), false)
  assert.equal(subjectMatches('obwac', dn('CN=Acme,organizationIdentifier=PSDGB-FCA-123456,O=Acme Fin Ltd,C=GB'), ids), false)
})

test('cdr: no subject rule, the chain alone decides', () => {
  assert.equal(subjectMatches('cdr', dn('CN=anything'), { softwareId: undefined, orgId: undefined }), true)
})

test('brazil: UID = software_id and organizationIdentifier OFBBR-<org_id> or OU = org_id (BR-DCR-11, BR-DCR-12)', () => {
  const br = { softwareId: 'a1b2c3d4-0000-4000-8000-000000000001', orgId: 'f0e1d2c3-0000-4000-8000-000000000002' }
  assert.equal(subjectMatches('brazil', dn(`UID=${br.softwareId},2.5.4.97=OFBBR-${br.orgId},CN=tpp.example.com.br,O=Acme,C=BR`), br), true)
  assert.equal(subjectMatches('brazil', dn(`UID=${br.softwareId},OU=${br.orgId},CN=tpp.example.com.br,O=Acme,C=BR`), br), true)
})

test('brazil rejects a missing UID, another org id, or a prefix without org id', () => {
  const br = { softwareId: 'soft-br', orgId: 'org-br' }
  assert.equal(subjectMatches('brazil', dn('2.5.4.97=OFBBR-org-br,CN=tpp,C=BR'), br), false)
  assert.equal(subjectMatches('brazil', dn('UID=soft-br,2.5.4.97=OFBBR-org-other,CN=tpp,C=BR'), br), false)
  assert.equal(subjectMatches('brazil', dn('UID=soft-br,2.5.4.97=OFBBR-,CN=tpp,C=BR'), { softwareId: 'soft-br', orgId: '' }), false)
})

test('no rule matches when the SSA lacks the identities', () => {
  const none = { softwareId: undefined, orgId: undefined }
  for (const rule of ['ob-legacy', 'obwac', 'brazil'] as const) assert.equal(subjectMatches(rule, dn('CN=,OU=,UID='), none), false)
})

test('reads the subject of a real certificate (UK legacy and Brazil layouts)', async () => {
  const ca = await createCertificateAuthority('Subject Rules CA')
  const uk = await ca.issueClient({ subject: `CN=${ids.softwareId},OU=${ids.orgId},O=OpenBanking,C=GB` })
  assert.equal(subjectMatches('ob-legacy', certificateSubject(uk.certificate), ids), true)
  assert.equal(subjectMatches('brazil', certificateSubject(uk.certificate), ids), false)
  const br = await ca.issueClient({ subject: `UID=${ids.softwareId},organizationIdentifier=OFBBR-${ids.orgId},CN=tpp.example.com.br,O=Acme,C=BR` })
  assert.equal(subjectMatches('brazil', certificateSubject(br.certificate), ids), true)
  const obwac = await ca.issueClient({ subject: `CN=Acme,organizationIdentifier=PSDGB-OB-Unknown${ids.orgId},O=Acme Fin Ltd,C=GB` })
  assert.equal(subjectMatches('obwac', certificateSubject(obwac.certificate), ids), true)
})

test('a "+" inside a value of the certificate subject cannot pose as another attribute (subject read from DER)', async () => {
  const ca = await createCertificateAuthority('Injection CA')
  // O's value carries what the printed subject shows as "+organizationIdentifier=...": one attribute, not two.
  const { certificate } = await ca.issueClient({ subject: 'CN=attacker,O=Evil Ltd\\+organizationIdentifier=PSDGB-FCA-victimorg\\+OU=victimorg,C=GB' })
  const attributes = certificateSubject(certificate)
  assert.deepEqual(
    attributes.map((attribute) => attribute.type),
    ['CN', 'O', 'C'],
  )
  assert.equal(attributes[1]?.value, 'Evil Ltd+organizationIdentifier=PSDGB-FCA-victimorg+OU=victimorg')
  assert.equal(subjectMatches('obwac', attributes, { softwareId: 'attacker', orgId: 'victimorg' }), false)
  assert.equal(subjectMatches('ob-legacy', attributes, { softwareId: 'attacker', orgId: 'victimorg' }), false)
})

test('every rule refuses a subject that repeats an attribute it reads, whichever value would match (issue 13 item 1)', () => {
  const br = { softwareId: 'soft-br', orgId: 'org-br' }
  assert.equal(subjectMatches('ob-legacy', dn(`CN=${ids.softwareId},CN=other,OU=${ids.orgId}`), ids), false)
  assert.equal(subjectMatches('ob-legacy', dn(`CN=${ids.softwareId},OU=${ids.orgId},OU=other`), ids), false)
  assert.equal(subjectMatches('obwac', dn(`CN=${ids.orgId},CN=other`), ids), false)
  assert.equal(subjectMatches('obwac', dn(`CN=Acme,2.5.4.97=PSDGB-OB-Unknown${ids.orgId},2.5.4.97=PSDGB-FCA-1`), ids), false)
  assert.equal(subjectMatches('brazil', dn('UID=soft-br,UID=soft-other,2.5.4.97=OFBBR-org-br'), br), false)
  assert.equal(subjectMatches('brazil', dn('UID=soft-br,2.5.4.97=OFBBR-org-br,2.5.4.97=OFBBR-org-other'), br), false)
  assert.equal(subjectMatches('brazil', dn('UID=soft-br,OU=org-br,OU=org-other'), br), false)
  assert.deepEqual(repeatedSubjectAttributes('brazil', dn('UID=a,UID=b,OU=c,OU=d,CN=x,CN=y')), ['UID', 'OU'])
  // Attributes the rule does not read may repeat; the cdr rule reads none.
  assert.equal(subjectMatches('ob-legacy', dn(`CN=${ids.softwareId},OU=${ids.orgId},O=OpenBanking,DC=a,DC=b`), ids), true)
  assert.equal(subjectMatches('cdr', dn('CN=a,CN=b'), { softwareId: undefined, orgId: undefined }), true)
})
