/**
 * What the validators may ask of trust/: the configured directories with their keys and CAs, the TPP
 * key sets located by a verified SSA, and the presented client certificate. Keys are only ever looked up
 * by `kid` inside a key set that configuration or a verified SSA pointed to (SEC-4, SEC-10).
 */
import type { X509Certificate } from 'node:crypto'
import type { JWTVerifyGetKey, RemoteJWKSet } from 'jose'
import type { DirectoryConfig } from '../config/schema.ts'

/** A jose key-set function: resolves a JWS header to a verification key, or throws. */
export type KeySet = JWTVerifyGetKey

export type TrustedDirectory = {
  readonly issuer: string
  readonly config: DirectoryConfig
  /** The directory's signing keys (inline JWKS or its jwksUrl, cached). */
  readonly keys: KeySet
  /** CAs that issue this directory's transport certificates. */
  readonly transportCas: readonly X509Certificate[]
}

export interface Directories {
  /** The configured directory whose issuer is exactly `issuer`. */
  byIssuer(issuer: string): TrustedDirectory | undefined
  all(): readonly TrustedDirectory[]
}

export interface RemoteKeySets {
  /**
   * The cached jose remote key set of a JWKS URL; throws a JwksUrlError if the URL may not be fetched at
   * all. Besides key lookup it exposes the fetched JWK Set and reload (jose `RemoteJWKSet`), which
   * self_signed_tls_client_auth needs to compare certificates with the set's members (RFC8705-4).
   */
  forUrl(url: string): RemoteJWKSet
}

/** The client certificate of the request, from the TLS handshake or from a trusted proxy's header. */
export type ClientCertificate = {
  readonly certificate: X509Certificate
  /** Intermediates the client presented (may be empty). */
  readonly intermediates: readonly X509Certificate[]
  /** base64url(SHA-256(DER)), the RFC 8705 `x5t#S256`. */
  readonly thumbprint: string
  readonly source: 'tls' | 'proxy'
}

/**
 * A client certificate as the token endpoint takes it: either chained to a trusted CA, or a self-signed one
 * that only a self_signed_tls_client_auth client may authenticate with (RFC8705-4). Every other endpoint
 * takes only a chained ClientCertificate.
 */
export type TokenEndpointCertificate = ClientCertificate & {
  /** Why the certificate does not chain to a trusted CA (e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`); undefined when it does. */
  readonly unchained: string | undefined
}
