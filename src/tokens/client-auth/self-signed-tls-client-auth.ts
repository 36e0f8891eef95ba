/**
 * self_signed_tls_client_auth client authentication (RFC 8705 §2.2; RFC8705-1, RFC8705-4): the
 * certificate of the mutual TLS connection is never chain-validated; it must be one of the certificates
 * the client registered in its JWKS (`jwks` or `jwks_uri`). RFC 8705 §2.2 authenticates the client when
 * the presented certificate "matches one of the certificates configured or registered", and §2.2.2 says a
 * certificate is registered as the `x5c` of a JWK. So a JWK matches only when its first `x5c` entry is the
 * presented certificate, byte for byte; a key that merely equals the certificate's public key, or an
 * `x5t#S256` without the certificate, registers no certificate and does not match. The JWK must also be
 * consistent (RFC 7517 §4.7, cited by RFC 8705 §2.2.2): its key members are the first certificate's key,
 * and an `x5t#S256` it carries is that certificate's. The TLS handshake already proved the client holds the
 * certificate's private key. On no match the JWKS is fetched again once (cooldown permitting), so a client
 * that just added its new certificate is not refused.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import type { Config } from '../../config/schema.ts'
import type { ClientRecord } from '../../store/store.ts'
import type { ClientCertificate, RemoteKeySets } from '../../trust/types.ts'
import { invalidClient } from '../token-errors.ts'
import { membersOf, registeredKeysOf } from './client-keys.ts'

export type SelfSignedTlsClientAuthInput = {
  client: ClientRecord
  certificate: ClientCertificate
}

export type SelfSignedTlsClientAuthDependencies = {
  config: Config
  remoteKeySets: RemoteKeySets
}

const spkiOf = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' })

/** Whether `jwk` registers the presented certificate (first `x5c` entry, consistent key). Encryption keys never authenticate. */
export function jwkMatchesCertificate(jwk: JWK, presented: ClientCertificate): boolean {
  if (jwk.use === 'enc') return false
  const first = Array.isArray(jwk.x5c) ? jwk.x5c[0] : undefined
  if (typeof first !== 'string' || !Buffer.from(first, 'base64').equals(presented.certificate.raw)) return false
  if (jwk['x5t#S256'] !== undefined && jwk['x5t#S256'] !== presented.thumbprint) return false
  let registered: KeyObject
  try {
    registered = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
  } catch {
    // not a public key node:crypto can read (a symmetric or malformed JWK): inconsistent with its x5c
    return false
  }
  // Compared as SPKI bytes: KeyObject.equals on keys of different types fails inside OpenSSL and leaves an
  // error queued that a later TLS read on the connection picks up, which then drops the connection.
  return registered.asymmetricKeyType === presented.certificate.publicKey.asymmetricKeyType && spkiOf(registered).equals(spkiOf(presented.certificate.publicKey))
}

/** Authenticates `client` by its registered certificate; throws `invalid_client` when none matches. */
export async function authenticateWithSelfSignedTlsClientAuth(input: SelfSignedTlsClientAuthInput, deps: SelfSignedTlsClientAuthDependencies): Promise<void> {
  const { client, certificate } = input
  const keys = registeredKeysOf(client, deps.config, deps.remoteKeySets)
  if ((await membersOf(keys)).some((jwk) => jwkMatchesCertificate(jwk, certificate))) return
  if ((await membersOf(keys, true)).some((jwk) => jwkMatchesCertificate(jwk, certificate))) return
  throw invalidClient(`the client certificate (x5t#S256 ${certificate.thumbprint}) is not among the client's keys at ${keys.where}; publish it there as the first x5c entry of a JWK (with that certificate's public key) or present a registered certificate`)
}
