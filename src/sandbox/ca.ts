/**
 * A small certificate authority for the sandbox and the tests: a self-signed root that issues server
 * certificates (for the DCR server and the sandbox JWKS host) and transport certificates for TPPs, with
 * the subject layouts the directories use (UK-DCR-38). Keys are ECDSA P-256: fast to make, accepted by
 * Node's TLS. Node's crypto only parses certificates, so @peculiar/x509 writes them. A CA written to disk
 * (certificate and PKCS#8 key) can be restored in another process to issue more certificates under it.
 */
import { webcrypto, X509Certificate } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { parseDistinguishedName } from '../trust/distinguished-name.ts'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const
const DAY_MS = 24 * 60 * 60 * 1000

/** A certificate with its private key, both PEM. */
export type IssuedCertificate = {
  certificatePem: string
  privateKeyPem: string
  /** Parsed with node:crypto, for checks. */
  certificate: X509Certificate
}

export type CertificateAuthority = IssuedCertificate & {
  /** Issues a TLS server certificate for the given DNS names and IP addresses. */
  issueServer(options: { commonName: string; dnsNames?: string[]; ipAddresses?: string[]; validDays?: number }): Promise<IssuedCertificate>
  /** Issues a client (transport) certificate with an RFC 4514 subject, e.g. `CN=soft,OU=org,O=OpenBanking,C=GB`, and optional DNS subjectAltNames. */
  issueClient(options: { subject: string; dnsNames?: string[]; validDays?: number; notBefore?: Date; notAfter?: Date }): Promise<IssuedCertificate>
}

let serial = Date.now()
const nextSerial = (): string => (serial++).toString(16).padStart(16, '0')

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  const body = der.toString('base64').match(/.{1,64}/g)!.join('\n')
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair
}

async function toIssued(cert: x509.X509Certificate, key: CryptoKey): Promise<IssuedCertificate> {
  const certificatePem = cert.toString('pem') + '\n'
  return { certificatePem, privateKeyPem: await privateKeyPem(key), certificate: new X509Certificate(certificatePem) }
}

/** RFC 4514 strings list the most specific attribute first; a certificate stores them the other way round. */
const TYPE_OIDS: Readonly<Record<string, string>> = { UID: '0.9.2342.19200300.100.1.1', ORGANIZATIONIDENTIFIER: '2.5.4.97', SERIALNUMBER: '2.5.4.5', BUSINESSCATEGORY: '2.5.4.15', JURISDICTIONCOUNTRYNAME: '1.3.6.1.4.1.311.60.2.1.3' }
const asn1Order = (rfc4514: string): x509.JsonName =>
  parseDistinguishedName(rfc4514)
    .reverse()
    // A value written `#<hex>` keeps its DER (and so its string type, BR-DCR-14): @peculiar/x509 takes it as written.
    .map(({ type, value, der, writtenAsHex }) => ({ [TYPE_OIDS[type] ?? type]: [writtenAsHex ? `#${der}` : value] }))

/** Creates a root CA named `CN=<name>` valid for `validDays` (default ten years). */
export async function createCertificateAuthority(name: string, validDays = 3650): Promise<CertificateAuthority> {
  const keys = await generateKeys()
  const now = Date.now()
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${name}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + validDays * DAY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return authorityOf(root, keys.privateKey, await toIssued(root, keys.privateKey))
}

/**
 * A CA from its certificate and PKCS#8 private key (both PEM), as the sandbox writes them (ca.pem,
 * ca-key.pem), so that another process (`open-dcr keys generate`) can issue certificates that chain to the
 * running sandbox's CA. The key must be the certificate's own (ECDSA P-256): a mismatch throws a TypeError.
 */
export async function restoreCertificateAuthority(certificatePem: string, privateKeyPem: string): Promise<CertificateAuthority> {
  const root = new x509.X509Certificate(certificatePem)
  const der = Buffer.from(privateKeyPem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, ''), 'base64')
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign'])
  const issued: IssuedCertificate = { certificatePem, privateKeyPem, certificate: new X509Certificate(certificatePem) }
  // A key that is not the certificate's would issue certificates that chain to nothing: refuse it now.
  const probe = Buffer.from('open-dcr CA key check')
  const signature = await webcrypto.subtle.sign(SIGNING_ALGORITHM, privateKey, probe)
  const publicKey = await root.publicKey.export(KEY_ALGORITHM, ['verify'])
  if (!(await webcrypto.subtle.verify(SIGNING_ALGORITHM, publicKey, signature, probe))) {
    throw new TypeError('the CA private key does not belong to the CA certificate')
  }
  return authorityOf(root, privateKey, issued)
}

/** The issuing half of a CA: certificates signed by `privateKey` under `root`. */
function authorityOf(root: x509.X509Certificate, privateKey: CryptoKey, issued: IssuedCertificate): CertificateAuthority {
  async function issue(subject: x509.JsonName | string, extensions: x509.Extension[], notBefore: Date, notAfter: Date): Promise<IssuedCertificate> {
    const leafKeys = await generateKeys()
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: nextSerial(),
      subject,
      issuer: root.subject,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKey: leafKeys.publicKey,
      signingKey: privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.AuthorityKeyIdentifierExtension.create(root.publicKey),
        ...extensions,
      ],
    })
    return toIssued(cert, leafKeys.privateKey)
  }

  return {
    ...issued,
    issueServer({ commonName, dnsNames = [], ipAddresses = [], validDays: days = 825 }) {
      const names = [...dnsNames.map((value) => ({ type: 'dns' as const, value })), ...ipAddresses.map((value) => ({ type: 'ip' as const, value }))]
      return issue(
        `CN=${commonName}`,
        [
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(names),
        ],
        new Date(Date.now() - DAY_MS),
        new Date(Date.now() + days * DAY_MS),
      )
    },
    issueClient({ subject, dnsNames = [], validDays: days = 825, notBefore, notAfter }) {
      const sans = dnsNames.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value })))]
      return issue(
        asn1Order(subject),
        [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]), ...sans],
        notBefore ?? new Date(Date.now() - DAY_MS),
        notAfter ?? new Date(Date.now() + days * DAY_MS),
      )
    },
  }
}
