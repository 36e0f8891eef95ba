/**
 * Real keys and signed tokens for the signature tests: signers built with jose generateKeyPair, key sets
 * with createLocalJWKSet, TPP key sets with jose's createRemoteJWKSet whose fetch is answered from memory
 * (no network), and trusted directories around them.
 */
import { base64url, CompactSign, createLocalJWKSet, createRemoteJWKSet, customFetch, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JSONWebKeySet, type JWK, type RemoteJWKSet } from 'jose'
import type { X509Certificate } from 'node:crypto'
import { JwksUrlError } from '../../src/trust/remote-key-sets.ts'
import type { Directories, KeySet, RemoteKeySets, TrustedDirectory } from '../../src/trust/types.ts'
import { testConfig } from './context.ts'

export type Signer = {
  readonly alg: string
  readonly kid: string
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
  /** The public key as SPKI PEM text (what an HS256 confusion attack would use as the secret). */
  readonly publicPem: string
  /** Signs `payload` as a compact JWS; `header` is merged over `{ alg, kid, typ: 'JWT' }` (a key set to undefined is dropped). */
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>
}

const encoder = new TextEncoder()

export async function makeSigner(alg: 'PS256' | 'ES256' | 'RS256' | 'EdDSA', kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' }
  const publicPem = await exportSPKI(publicKey)
  return {
    alg,
    kid,
    privateKey,
    publicJwk,
    publicPem,
    sign(payload, header = {}) {
      const protectedHeader = Object.fromEntries(Object.entries({ alg, kid, typ: 'JWT', ...header }).filter(([, value]) => value !== undefined))
      return new CompactSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader(protectedHeader as { alg: string }).sign(privateKey)
    },
  }
}

/** A compact JWS with any header and payload and the given signature bytes (for `alg: none` and broken tokens). */
export function unsignedJws(header: Record<string, unknown>, payload: unknown, signature = ''): string {
  return `${base64url.encode(JSON.stringify(header))}.${base64url.encode(typeof payload === 'string' ? payload : JSON.stringify(payload))}.${signature}`
}

/** An HS256 token keyed with the text of a public key (SEC-2 algorithm confusion). */
export function hmacWithPublicKey(secretText: string, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header }).sign(encoder.encode(secretText))
}

export const keySetOf = (...signers: Signer[]): KeySet => createLocalJWKSet({ keys: signers.map((signer) => signer.publicJwk) } as JSONWebKeySet)

/** A trusted directory with inline keys, as trust/directories.ts would build it from configuration. */
export function makeDirectory(issuer: string, keys: KeySet, options: { algorithms?: string[]; transportCas?: X509Certificate[] } = {}): TrustedDirectory {
  const base = testConfig().directories[0]!
  return { issuer, config: { ...base, issuer, algorithms: options.algorithms ?? ['PS256', 'ES256'] }, keys, transportCas: options.transportCas ?? [] }
}

export function directoriesOf(...directories: TrustedDirectory[]): Directories {
  return { byIssuer: (issuer) => directories.find((directory) => directory.issuer === issuer), all: () => directories }
}

/**
 * jose's remote key set of `url`, fetched from memory: the public keys of `signers`, or, for `'unreachable'`,
 * a fetch that fails as an unreachable host does.
 */
function servedKeySet(url: string, served: readonly Signer[] | 'unreachable'): RemoteJWKSet {
  const jwks = served === 'unreachable' ? undefined : { keys: served.map((signer) => signer.publicJwk) }
  return createRemoteJWKSet(new URL(url), {
    [customFetch]: async () => {
      if (jwks === undefined) throw new TypeError('fetch failed')
      return new Response(JSON.stringify(jwks), { status: 200, headers: { 'content-type': 'application/jwk-set+json' } })
    },
  })
}

/** TPP key sets by URL, each serving its signers' public keys; an unknown URL throws like a refused fetch would. */
export function remoteKeySetsOf(byUrl: Record<string, readonly Signer[] | 'unreachable'>): RemoteKeySets {
  const keySets = new Map(Object.entries(byUrl).map(([url, served]) => [url, servedKeySet(url, served)]))
  return {
    forUrl(url) {
      const keySet = keySets.get(url)
      if (keySet === undefined) throw new JwksUrlError('host-not-allowed', `host of ${url} is not in this test's key sets`)
      return keySet
    },
  }
}

/**
 * A compact JWS over header and payload JSON texts as given (duplicate members included), validly signed by
 * `signer` (PS256 or ES256), for tests of what JSON.parse alone cannot see.
 */
export async function signJsonTexts(signer: Pick<Signer, 'alg' | 'privateKey'>, headerText: string, payloadText: string): Promise<string> {
  const signingInput = `${base64url.encode(headerText)}.${base64url.encode(payloadText)}`
  const algorithm = signer.alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSA-PSS', saltLength: 32 }
  const signature = await crypto.subtle.sign(algorithm, signer.privateKey, encoder.encode(signingInput))
  return `${signingInput}.${base64url.encode(new Uint8Array(signature))}`
}
