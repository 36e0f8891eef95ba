/** subjectAltNames read from the DER (src/trust/certificate-identity.ts), never from node:crypto's printed form (RFC8705-2/-3). */
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { describe, it } from 'node:test'
import { certificateHasSan, subjectAltNamesOf } from '../../src/trust/certificate-identity.ts'
import { certificateWithSans } from '../helpers/certificate-with-sans.ts'


const crafted = await certificateWithSans([
  { type: 'dns', value: 'tpp.example, URI:https://victim.example/clients/1' },
  { type: 'dns', value: '*.wild.example' },
  { type: 'url', value: 'https://tpp.example/a,b' },
  { type: 'email', value: 'Ops@TPP.example' },
  { type: 'ip', value: '2001:db8::7' },
  { type: 'ip', value: '203.0.113.7' },
])

describe('subjectAltName from the DER', () => {
  it('reads each entry whole: a DNS name that prints like ", URI:..." is no URI', () => {
    assert.deepEqual(subjectAltNamesOf(crafted).dns, ['tpp.example, URI:https://victim.example/clients/1', '*.wild.example'])
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_uri', 'https://victim.example/clients/1'), false)
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_dns', 'tpp.example'), false)
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_uri', 'https://tpp.example/a,b'), true)
  })

  it('compares DNS names case-insensitively and takes no wildcard for a registered name', () => {
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_dns', '*.WILD.example'), true)
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_dns', 'a.wild.example'), false)
  })

  it('compares e-mail domains case-insensitively and local parts exactly', () => {
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_email', 'Ops@tpp.EXAMPLE'), true)
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_email', 'ops@tpp.example'), false)
  })

  it('compares IP addresses as addresses, IPv4 and IPv6', () => {
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_ip', '2001:DB8:0:0:0:0:0:7'), true)
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_ip', '203.0.113.7'), true)
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_ip', '203.0.113.8'), false)
    assert.equal(certificateHasSan(crafted, 'tls_client_auth_san_ip', 'not-an-ip'), false)
  })

  it('reads the extension once per certificate: another object of the same DER gives the same frozen names', () => {
    const names = subjectAltNamesOf(crafted)
    assert.ok(Object.isFrozen(names) && Object.isFrozen(names.dns))
    assert.equal(subjectAltNamesOf(new X509Certificate(crafted.raw)), names)
  })
})
