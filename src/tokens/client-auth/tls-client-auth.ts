/**
 * tls_client_auth client authentication (RFC 8705 §2.1; RFC8705-1, RFC8705-3, RFC8705-11, UK-DCR-26,
 * BR-DCR-13): the certificate of the mutual TLS connection chains to a trusted CA (the transport layer
 * checked it against every directory's CAs; here it is checked again against the CAs of the directory the
 * client registered through, so that another directory's CA cannot issue the same subject), and carries
 * the one identity the client registered: its subject DN or a subjectAltName of the registered type. The DN
 * is compared by trust/distinguished-name.ts's distinguishedNamesMatch, the comparison registration used,
 * so a DN in the Brazil OID/`#hex` form (BR-DCR-14) that registered also authenticates.
 */
import type { ClientRecord } from '../../store/store.ts'
import { verifyChain } from '../../trust/certificate-chain.ts'
import { certificateHasSan, TLS_IDENTITY_CLAIMS, type TlsIdentityClaim } from '../../trust/certificate-identity.ts'
import { certificateSubject, DistinguishedNameError, type Attribute, distinguishedNamesMatch, formatDistinguishedName, parseDistinguishedName } from '../../trust/distinguished-name.ts'
import type { ClientCertificate, Directories } from '../../trust/types.ts'
import { invalidClient } from '../token-errors.ts'
import { quoted } from '../../lib/quoted.ts'

export type TlsClientAuthInput = {
  client: ClientRecord
  certificate: ClientCertificate
  /** Epoch seconds. */
  now: number
}

export type TlsClientAuthDependencies = {
  directories: Directories
}

function registeredIdentity(client: ClientRecord): { claim: TlsIdentityClaim; value: string } {
  for (const claim of TLS_IDENTITY_CLAIMS) {
    const value = client.metadata[claim]
    if (typeof value === 'string' && value !== '') return { claim, value }
  }
  throw invalidClient(`client ${quoted(client.clientId)} is registered for tls_client_auth without a certificate identity; update the registration with tls_client_auth_subject_dn`)
}

/** RFC8705-11: a subject match only means something under the CAs of the client's own directory. */
async function checkDirectoryChain(client: ClientRecord, certificate: ClientCertificate, now: number, directories: Directories): Promise<void> {
  if (client.directoryIssuer === undefined) return
  const directory = directories.byIssuer(client.directoryIssuer)
  if (directory === undefined || directory.transportCas.length === 0) return
  const chain = await verifyChain(certificate.certificate, certificate.intermediates, directory.transportCas, new Date(now * 1000))
  if (!chain.ok) {
    throw invalidClient(`the client certificate is not a transport certificate of the directory ${quoted(directory.issuer)} the client registered through (${chain.reason})`)
  }
}

/** Authenticates `client` by the certificate of the connection; throws `invalid_client` saying what differs. */
export async function authenticateWithTlsClientAuth(input: TlsClientAuthInput, deps: TlsClientAuthDependencies): Promise<void> {
  const { client, certificate, now } = input
  const { claim, value } = registeredIdentity(client)
  await checkDirectoryChain(client, certificate, now, deps.directories)
  if (claim === 'tls_client_auth_subject_dn') {
    let registered: Attribute[]
    try {
      registered = parseDistinguishedName(value)
    } catch (error) {
      if (!(error instanceof DistinguishedNameError)) throw error
      throw invalidClient(`the registered tls_client_auth_subject_dn is ${error.message}; update the registration with an RFC 4514 subject`, { cause: error })
    }
    const subject = certificateSubject(certificate.certificate)
    if (!distinguishedNamesMatch(registered, subject)) {
      throw invalidClient(`the client certificate subject ${quoted(formatDistinguishedName(subject), 200)} does not match the registered tls_client_auth_subject_dn ${quoted(value, 200)}; present the certificate the client registered`)
    }
    return
  }
  if (!certificateHasSan(certificate.certificate, claim, value)) {
    throw invalidClient(`the client certificate does not carry the registered ${claim} ${quoted(value)} in its subjectAltName; present the certificate the client registered`)
  }
}
