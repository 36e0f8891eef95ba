/**
 * tls_client_auth (RFC8705-1/-3/-11, UK-DCR-26, BR-DCR-13): the presented certificate carries the
 * registered subject DN (attribute by attribute, values case-insensitive) or the registered SAN, and,
 * when the client registered through a directory, chains to that directory's transport CAs. Real
 * certificates from two sandbox CAs.
 */
import { before, describe, it } from 'node:test'
import { resolve } from '../../src/config/fields.ts'
import { configSchema } from '../../src/config/schema.ts'
import { createCertificateAuthority, type CertificateAuthority, type IssuedCertificate } from '../../src/sandbox/ca.ts'
import type { ClientRecord } from '../../src/store/store.ts'
import { authenticateWithTlsClientAuth } from '../../src/tokens/client-auth/tls-client-auth.ts'
import type { Directories, TrustedDirectory } from '../../src/trust/types.ts'
import { clientRecord, expectOAuthError, NOW, presented } from './token-fixtures.ts'

const SUBJECT = 'CN=0015800001041REAAAY,OU=0015800001041REHAAG,O=OpenBanking,C=GB'

let directoryCa: CertificateAuthority
let otherCa: CertificateAuthority
let transport: IssuedCertificate
let sameSubjectOtherCa: IssuedCertificate
let withSans: IssuedCertificate
before(async () => {
  directoryCa = await createCertificateAuthority('Directory A transport CA')
  otherCa = await createCertificateAuthority('Directory B transport CA')
  transport = await directoryCa.issueClient({ subject: SUBJECT })
  sameSubjectOtherCa = await otherCa.issueClient({ subject: SUBJECT })
  withSans = await directoryCa.issueServer({ commonName: 'tpp', dnsNames: ['tpp.example.com'], ipAddresses: ['2001:db8::1'] })
})

function directoriesWith(issuer: string, ca: CertificateAuthority): Directories {
  const directory: TrustedDirectory = {
    issuer,
    config: resolve(configSchema.fields.directories.item, { issuer }, 'directories[0]'),
    keys: async () => {
      throw new Error('directory keys are not used by tls_client_auth')
    },
    transportCas: [ca.certificate],
  }
  return { byIssuer: (name) => (name === issuer ? directory : undefined), all: () => [directory] }
}

const noDirectories: Directories = { byIssuer: () => undefined, all: () => [] }

const tlsClient = (metadata: Record<string, unknown>, record: Partial<ClientRecord> = {}): ClientRecord =>
  clientRecord('tls-client', { token_endpoint_auth_method: 'tls_client_auth', token_endpoint_auth_signing_alg: undefined, ...metadata }, record)

const authenticate = (client: ClientRecord, certificate: IssuedCertificate, directories: Directories = noDirectories) =>
  Promise.resolve().then(() => authenticateWithTlsClientAuth({ client, certificate: presented(certificate), now: NOW }, { directories }))

describe('tls_client_auth (RFC 8705 §2.1)', () => {
  it('accepts the certificate whose subject was registered, values compared case-insensitively', async () => {
    await authenticate(tlsClient({ tls_client_auth_subject_dn: SUBJECT }), transport)
    await authenticate(tlsClient({ tls_client_auth_subject_dn: SUBJECT.toLowerCase() }), transport)
  })

  it('refuses a certificate whose subject differs from the registered tls_client_auth_subject_dn', async () => {
    await expectOAuthError(
      authenticate(tlsClient({ tls_client_auth_subject_dn: 'CN=AnotherSoftware,OU=0015800001041REHAAG,O=OpenBanking,C=GB' }), transport),
      'invalid_client',
      /subject "CN=0015800001041REAAAY,OU=0015800001041REHAAG,O=OpenBanking,C=GB" does not match the registered tls_client_auth_subject_dn "CN=AnotherSoftware/,
    )
  })

  it('refuses the same DN in a different attribute order', async () => {
    await expectOAuthError(authenticate(tlsClient({ tls_client_auth_subject_dn: 'OU=0015800001041REHAAG,CN=0015800001041REAAAY,O=OpenBanking,C=GB' }), transport), 'invalid_client', /does not match the registered tls_client_auth_subject_dn/)
  })

  it('accepts a registered SAN the certificate carries, and refuses one it does not', async () => {
    await authenticate(tlsClient({ tls_client_auth_san_dns: 'TPP.example.com' }), withSans)
    await authenticate(tlsClient({ tls_client_auth_san_ip: '2001:DB8:0:0:0:0:0:1' }), withSans)
    await expectOAuthError(authenticate(tlsClient({ tls_client_auth_san_dns: 'other.example.com' }), withSans), 'invalid_client', /does not carry the registered tls_client_auth_san_dns "other.example.com" in its subjectAltName/)
    await expectOAuthError(authenticate(tlsClient({ tls_client_auth_san_uri: 'https://tpp.example.com/' }), withSans), 'invalid_client', /tls_client_auth_san_uri/)
  })

  it('refuses a client registered without a certificate identity, or with an unreadable DN', async () => {
    await expectOAuthError(authenticate(tlsClient({}), transport), 'invalid_client', /registered for tls_client_auth without a certificate identity; update the registration with tls_client_auth_subject_dn/)
    await expectOAuthError(authenticate(tlsClient({ tls_client_auth_subject_dn: 'not a dn' }), transport), 'invalid_client', /registered tls_client_auth_subject_dn is not an RFC 4514 distinguished name/)
  })

  it("refuses the registered subject issued by another directory's CA (RFC8705-11)", async () => {
    const client = tlsClient({ tls_client_auth_subject_dn: SUBJECT }, { directoryIssuer: 'Directory A' })
    const directories = directoriesWith('Directory A', directoryCa)
    await authenticate(client, transport, directories)
    await expectOAuthError(authenticate(client, sameSubjectOtherCa, directories), 'invalid_client', /not a transport certificate of the directory "Directory A" the client registered through/)
  })
})
