/** Certificate subjects read from the DER, remembered per certificate (src/trust/certificate-subject.ts). */
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { describe, it } from 'node:test'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { certificateSubject } from '../../src/trust/certificate-subject.ts'

const ca = await createCertificateAuthority('Subject cache test CA')
const first = (await ca.issueClient({ subject: 'CN=first,OU=0015800001ZEc3hAAD,O=OpenBanking,C=GB' })).certificate
const second = (await ca.issueClient({ subject: 'CN=second,OU=0015800001ZEc3hAAD,O=OpenBanking,C=GB' })).certificate

describe('certificateSubject', () => {
  it('reads the subject once per certificate: the same DER gives the same frozen attributes, even from another X509Certificate object', () => {
    const attributes = certificateSubject(first)
    assert.deepEqual(attributes.map(({ type, value }) => [type, value]), [['CN', 'first'], ['OU', '0015800001ZEc3hAAD'], ['O', 'OpenBanking'], ['C', 'GB']])
    assert.ok(Object.isFrozen(attributes) && Object.isFrozen(attributes[0]), 'shared, so frozen')
    assert.equal(certificateSubject(new X509Certificate(first.raw)), attributes, 'remembered by the DER, not by the object')
  })

  it('keeps certificates apart: another certificate has its own subject', () => {
    assert.equal(certificateSubject(second)[0]?.value, 'second')
    assert.equal(certificateSubject(first)[0]?.value, 'first')
  })
})
