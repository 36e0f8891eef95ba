/**
 * Self-signed client certificates for the self_signed_tls_client_auth tests (RFC 8705 §2.2): ECDSA P-256,
 * written with @peculiar/x509 like src/sandbox/ca.ts, with its JWK carrying the certificate in x5c as
 * RFC 8705 §2.2.2 registers it.
 */
import { webcrypto, X509Certificate } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { exportJWK, type JWK } from 'jose'
import type { IssuedCertificate } from '../../src/sandbox/ca.ts'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

const DAY_MS = 24 * 60 * 60 * 1000

export type SelfSignedOptions = {
  subject?: string
  notBefore?: Date
  notAfter?: Date
  /** Extended key usages (OIDs); none by default, which allows every purpose. */
  extendedKeyUsages?: string[]
}

/** A self-signed certificate with its private key (both PEM). */
export async function createSelfSignedCertificate(options: SelfSignedOptions = {}): Promise<IssuedCertificate> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: options.subject ?? 'CN=self-signed-tpp-client,O=Example TPP',
    notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY_MS),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys,
    extensions: options.extendedKeyUsages ? [new x509.ExtendedKeyUsageExtension(options.extendedKeyUsages)] : [],
  })
  const certificatePem = cert.toString('pem') + '\n'
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64').match(/.{1,64}/g)!.join('\n')
  return { certificatePem, privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`, certificate: new X509Certificate(certificatePem) }
}

function randomSerial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1')
}

/** The public JWK of `issued` with its certificate as the only x5c entry (RFC 8705 §2.2.2). */
export async function certificateJwk(issued: IssuedCertificate, kid = 'tls-self-signed'): Promise<JWK> {
  return { ...(await exportJWK(issued.certificate.publicKey)), kid, use: 'sig', x5c: [issued.certificate.raw.toString('base64')] }
}
