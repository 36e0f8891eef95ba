/** RFC 4514 DN strings and the one DN comparison (src/trust/distinguished-name.ts): `#hex` values read from their DER. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { certificateSubject, DistinguishedNameError, distinguishedNamesMatch, formatDistinguishedName, parseDistinguishedName } from '../../src/trust/distinguished-name.ts'

const ca = await createCertificateAuthority('DN test CA')
const subjectOf = async (dn: string) => certificateSubject((await ca.issueClient({ subject: dn })).certificate)
const hexOf = (tag: number, text: string) => `#${Buffer.concat([Buffer.from([tag, Buffer.byteLength(text)]), Buffer.from(text)]).toString('hex')}`
const UTF8 = 0x0c
const PRINTABLE = 0x13

const subject = await subjectOf('CN=soft-1,OU=org-1,O=OpenBanking,C=GB')

describe('distinguished names (RFC 4514, RFC 4517 distinguishedNameMatch)', () => {
  it('matches a #hex value to the same attribute encoded as a string, whatever string type the hex uses', () => {
    assert.equal(distinguishedNamesMatch(parseDistinguishedName(`CN=${hexOf(UTF8, 'soft-1')},OU=org-1,O=OpenBanking,C=GB`), subject), true)
    assert.equal(distinguishedNamesMatch(parseDistinguishedName(`CN=soft-1,OU=${hexOf(PRINTABLE, 'ORG-1')},2.5.4.10=${hexOf(UTF8, 'OpenBanking')},C=GB`), subject), true)
  })

  it('does not match #hex of another value', () => {
    assert.equal(distinguishedNamesMatch(parseDistinguishedName(`CN=${hexOf(UTF8, 'soft-2')},OU=org-1,O=OpenBanking,C=GB`), subject), false)
  })

  it('compares a value that is not a character string by its DER only, never with the text "#..."', () => {
    // OpenSSL reads no certificate whose subject holds such a value; a registered DN may still write one.
    const binary = parseDistinguishedName('CN=soft-1,1.3.6.1.4.1.99999.1=#020101')
    assert.equal(binary[1]?.binary, true)
    assert.equal(distinguishedNamesMatch(parseDistinguishedName('CN=soft-1,1.3.6.1.4.1.99999.1=#020101'), binary), true)
    assert.equal(distinguishedNamesMatch(parseDistinguishedName('CN=soft-1,1.3.6.1.4.1.99999.1=\\#020101'), binary), false)
    assert.equal(distinguishedNamesMatch(parseDistinguishedName('CN=soft-1,1.3.6.1.4.1.99999.1=#020102'), binary), false)
    assert.equal(formatDistinguishedName(binary), 'CN=soft-1,1.3.6.1.4.1.99999.1=#020101')
  })

  it('refuses #hex that is not exactly one DER value', () => {
    for (const [dn, message] of [
      ['CN=#0C0', /whole bytes/],
      ['CN=#0C05616263', /not the hex of a DER-encoded string/],
      ['CN=#0C0161FF', /not the hex of one DER-encoded string/],
      ['CN=#', /bad hex value/],
      ['CN=#0C0161x,C=GB', /bad hex value/],
    ] as const) {
      assert.throws(() => parseDistinguishedName(dn), (error: unknown) => error instanceof DistinguishedNameError && message.test(error.message), dn)
    }
  })

  it('writes a string value that starts with "#" escaped, so that it reads back as the same string', () => {
    const written = formatDistinguishedName([{ type: 'CN', value: '#notHex' }])
    assert.equal(written, 'CN=\\#notHex')
    assert.deepEqual(parseDistinguishedName(written).map(({ type, value }) => [type, value]), [['CN', '#notHex']])
  })

  it('writes non-descriptor types by OID, as #hex of their DER when asked (the Brazil form)', async () => {
    const eidas = await subjectOf('CN=Acme,organizationIdentifier=PSDGB-OB-Unknown1,C=GB')
    assert.equal(formatDistinguishedName(eidas), 'CN=Acme,2.5.4.97=PSDGB-OB-Unknown1,C=GB')
    assert.match(formatDistinguishedName(eidas, { nonDescriptorsAsHex: true }), /^CN=Acme,2\.5\.4\.97=#[0-9A-F]+,C=GB$/)
    assert.equal(distinguishedNamesMatch(parseDistinguishedName(formatDistinguishedName(eidas, { nonDescriptorsAsHex: true })), eidas), true)
  })
})
