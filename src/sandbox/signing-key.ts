/**
 * A JWS signing key of the sandbox (directory SSA key, TPP request key): generated with jose or restored
 * from its private JWK file, with `kid` = the JWK's own `kid` (a directory may have assigned it), else the RFC
 * 7638 thumbprint of the public key, and the public JWK
 * marked `use: sig` as the JWKS it is published in must say (SEC-9).
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose'

/** Algorithms the sandbox signs with: the FAPI set (FAPI-1, UK-DCR-14). */
export type SandboxAlgorithm = 'PS256' | 'ES256'

export type SigningKey = {
  readonly alg: SandboxAlgorithm
  readonly kid: string
  readonly privateKey: CryptoKey
  /** Private JWK with `kid` and `alg`, as written to `signing-key.jwk.json`. Secret. */
  readonly privateJwk: JWK
  /** Public JWK with `kid`, `alg` and `use: sig`, as published in a JWKS. */
  readonly publicJwk: JWK
}

/** Generates a new key pair for `alg` (RSA 2048 for PS256, P-256 for ES256). */
export async function generateSigningKey(alg: SandboxAlgorithm): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return importSigningKey(await exportJWK(privateKey), alg)
}

/** Restores a signing key from its private JWK; `alg` defaults to the JWK's own `alg`, `kid` to its own `kid`, else the thumbprint. */
export async function importSigningKey(privateJwk: JWK, alg: SandboxAlgorithm | undefined = privateJwk.alg as SandboxAlgorithm | undefined): Promise<SigningKey> {
  if (alg !== 'PS256' && alg !== 'ES256') throw new TypeError(`a sandbox signing key is PS256 or ES256, got ${String(alg)}`)
  if (privateJwk.d === undefined) throw new TypeError('a signing key JWK must hold the private key (member "d")')
  const publicOnly = createPublicKey({ key: privateJwk as JsonWebKey, format: 'jwk' }).export({ format: 'jwk' }) as JWK
  const kid = typeof privateJwk.kid === 'string' && privateJwk.kid !== '' ? privateJwk.kid : await calculateJwkThumbprint(publicOnly)
  return {
    alg,
    kid,
    privateKey: (await importJWK({ ...privateJwk, alg }, alg)) as CryptoKey,
    privateJwk: { ...privateJwk, kid, alg },
    publicJwk: { ...publicOnly, kid, alg, use: 'sig' },
  }
}
