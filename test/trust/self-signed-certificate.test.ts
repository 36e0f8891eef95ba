/**
 * selfSignedCertificateProblem (RFC 8705 §2.2, RFC8705-4): the token endpoint takes an unchained
 * certificate only when it is really self-signed, within its dates and allowed for client authentication;
 * a CA-issued certificate whose chain fails is never taken for a self-signed one. Real certificates.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { selfSignedCertificateProblem } from '../../src/trust/self-signed-certificate.ts'
import { createSelfSignedCertificate } from '../helpers/self-signed-certificate.ts'

const DAY_MS = 24 * 60 * 60 * 1000

describe('selfSignedCertificateProblem', () => {
  it('accepts a self-signed certificate within its dates', async () => {
    assert.equal(selfSignedCertificateProblem((await createSelfSignedCertificate()).certificate, new Date()), undefined)
  })

  it('refuses a certificate issued by a CA, even one nobody trusts', async () => {
    const ca = await createCertificateAuthority('unknown CA')
    const leaf = await ca.issueClient({ subject: 'CN=leaf,O=TPP' })
    assert.match(selfSignedCertificateProblem(leaf.certificate, new Date()) ?? '', /\(CN=leaf,O=TPP\) is not self-signed: its issuer is CN=unknown CA/)
  })

  it('refuses an expired or not yet valid self-signed certificate', async () => {
    const expired = await createSelfSignedCertificate({ notBefore: new Date(Date.now() - 10 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) })
    assert.match(selfSignedCertificateProblem(expired.certificate, new Date()) ?? '', /self-signed client certificate .* expired on/)
    const future = await createSelfSignedCertificate({ notBefore: new Date(Date.now() + DAY_MS), notAfter: new Date(Date.now() + 10 * DAY_MS) })
    assert.match(selfSignedCertificateProblem(future.certificate, new Date()) ?? '', /is not valid before/)
  })

  it('refuses a self-signed certificate whose extended key usage excludes clientAuth', async () => {
    const serverOnly = await createSelfSignedCertificate({ extendedKeyUsages: ['1.3.6.1.5.5.7.3.1'] })
    assert.match(selfSignedCertificateProblem(serverOnly.certificate, new Date()) ?? '', /does not allow TLS client authentication/)
  })
})
