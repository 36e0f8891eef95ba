/** A self-signed certificate carrying exactly the given subjectAltNames (URI, e-mail...), which the sandbox CA does not issue. */
import { webcrypto, X509Certificate } from 'node:crypto'
import * as x509 from '@peculiar/x509'

export async function certificateWithSans(names: x509.JsonGeneralNames): Promise<X509Certificate> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=san-test',
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    extensions: [new x509.SubjectAlternativeNameExtension(names)],
  })
  return new X509Certificate(certificate.toString('pem'))
}
