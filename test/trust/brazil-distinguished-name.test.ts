/** Brazil DN strings (BR-DCR-13..15): the certificate subject rendered with OID/hex values, parsed back, and matched value by value. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { BRAZIL_SANDBOX_ORGANISATION, brazilTransportSubject } from '../../src/sandbox/ssa-shapes.ts'
import { brazilSubjectDnOf, parseBrazilSubjectDn } from '../../src/trust/brazil-distinguished-name.ts'
import { certificateSubject, DistinguishedNameError, distinguishedNamesMatch as brazilSubjectsMatch } from '../../src/trust/distinguished-name.ts'

/** The tls_client_auth_subject_dn of the br-dcr.md §7 sample request. */
const SAMPLE_DN =
  'UID=9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d,2.5.4.97=#0C2A4F464242522D31663065336432632D346235612D343936382D383737362D613562346333643265316630,1.3.6.1.4.1.311.60.2.1.3=#13024252,2.5.4.15=#0C1450726976617465204F7267616E697A6174696F6E,2.5.4.5=#130E3132333435363738303030313939,CN=app.tucano.example.com.br,O=Tucano Pagamentos SA,L=SAO PAULO,ST=SP,C=BR'

const ca = await createCertificateAuthority('ICP-Brasil-like test CA')
const { softwareId, orgId } = BRAZIL_SANDBOX_ORGANISATION
const certificate = (await ca.issueClient({ subject: brazilTransportSubject({ softwareId, orgId }) })).certificate

const rejects = (dn: string, message: RegExp) => assert.throws(() => parseBrazilSubjectDn(dn), (error: unknown) => error instanceof DistinguishedNameError && message.test(error.message))

describe('Brazil subject DN (BR-DCR-13..15)', () => {
  it('renders a certificate subject exactly as the specification sample: descriptors as strings, others OID=#hex DER, most specific first', () => {
    assert.equal(brazilSubjectDnOf(certificate), SAMPLE_DN)
  })

  it('keeps the certificate string types: organizationIdentifier UTF8String (0C), serialNumber PrintableString (13)', () => {
    const attributes = certificateSubject(certificate)
    assert.equal(attributes.find((attribute) => attribute.type === 'ORGANIZATIONIDENTIFIER')?.der?.slice(0, 2), '0C')
    assert.equal(attributes.find((attribute) => attribute.type === 'SERIALNUMBER')?.der?.slice(0, 2), '13')
    assert.equal(attributes[0]?.type, 'UID', 'UID first (most specific)')
  })

  it('parses the sample back into the certificate\'s attributes, which match', () => {
    const parsed = parseBrazilSubjectDn(SAMPLE_DN)
    assert.equal(parsed.find((attribute) => attribute.type === 'ORGANIZATIONIDENTIFIER')?.value, `OFBBR-${orgId}`)
    assert.ok(brazilSubjectsMatch(parsed, certificateSubject(certificate)))
  })

  it('matches string values case-insensitively with spaces folded (caseIgnoreMatch), and descriptors given as #hex', () => {
    const lower = SAMPLE_DN.replace('O=Tucano Pagamentos SA', 'O=tucano  pagamentos sa')
    assert.ok(brazilSubjectsMatch(parseBrazilSubjectDn(lower), certificateSubject(certificate)))
    const hexCountry = SAMPLE_DN.replace(/C=BR$/, 'C=#13024252')
    assert.ok(brazilSubjectsMatch(parseBrazilSubjectDn(hexCountry), certificateSubject(certificate)))
  })

  it('does not match another organisation, a missing attribute or another order', () => {
    const subject = certificateSubject(certificate)
    assert.equal(brazilSubjectsMatch(parseBrazilSubjectDn(brazilTransportSubject({ softwareId, orgId: '00000000-0000-0000-0000-000000000000' })), subject), false)
    assert.equal(brazilSubjectsMatch(parseBrazilSubjectDn(SAMPLE_DN.replace(',ST=SP', '')), subject), false)
    assert.equal(brazilSubjectsMatch(parseBrazilSubjectDn(SAMPLE_DN.replace('L=SAO PAULO,ST=SP', 'ST=SP,L=SAO PAULO')), subject), false)
  })

  it('rejects organizationIdentifier written by name instead of OID form (BR-DCR-14 negative fixture)', () => {
    rejects(`UID=${softwareId},organizationIdentifier=OFBBR-${orgId},C=BR`, /organizationIdentifier is not an RFC 4514 descriptor/)
    rejects('serialNumber=12345678000199,C=BR', /serialNumber is not an RFC 4514 descriptor/)
  })

  it('rejects an OID attribute with a string value instead of #hex', () => {
    rejects(`UID=${softwareId},2.5.4.97=OFBBR-${orgId}`, /2\.5\.4\.97 is written by OID, so its value must be #<hex/)
  })

  it('rejects hex that is not one DER string', () => {
    rejects('2.5.4.97=#0C2A4F46', /not the hex of a DER-encoded string/)
    rejects('2.5.4.97=#0C024F460000', /not the hex of one DER-encoded string/)
    rejects('2.5.4.97=#020101', /not the hex of/)
    rejects('2.5.4.97=#0C0', /whole bytes/)
  })

  it('rejects a string that is not RFC 4514 at all', () => {
    assert.throws(() => parseBrazilSubjectDn(''), DistinguishedNameError)
    assert.throws(() => parseBrazilSubjectDn('UID'), DistinguishedNameError)
  })
})
