/**
 * The server's own signing keys, for access tokens. They live in a private JWKS file so that tokens stay
 * valid across restarts and several instances can share them. The first key signs; every key is published
 * at /jwks, so rotation is: put a new key first, keep the old one until its tokens have expired, remove it.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose'
import { ConfigError } from '../config/fields.ts'
import type { KeySet } from '../trust/types.ts'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
const SIGNING_ALGORITHMS = new Set(['PS256', 'ES256'])

export type ServerKeys = {
  /** The key that signs new tokens. */
  readonly current: { readonly kid: string; readonly alg: string; readonly privateKey: CryptoKey }
  /** Every key's public part, as published at /jwks. */
  readonly publicJwks: JSONWebKeySet
  /** Resolves a token header to one of the server's public keys. */
  readonly keySet: KeySet
}

/** Generates a signing key as a private JWK with `kid` (its thumbprint), `alg` and `use`. */
export async function generateServerKey(alg: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = await exportJWK(privateKey)
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg, use: 'sig' }
}

const publicPart = (jwk: JWK): JWK => Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.includes(member))) as JWK

/** Reads the keys file, creating it with one new `alg` key when it does not exist. */
export async function loadServerKeys(file: string, alg: string): Promise<ServerKeys> {
  const key = 'tokens.signingKeysFile'
  let jwks: { keys?: unknown }
  try {
    jwks = JSON.parse(await readFile(file, 'utf8')) as { keys?: unknown }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(key, `cannot read ${file}: ${(error as Error).message}`)
    jwks = { keys: [await generateServerKey(alg)] }
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, JSON.stringify(jwks, null, 2) + '\n', { mode: 0o600 })
    await chmod(file, 0o600)
  }
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new ConfigError(key, `${file} must be a JWKS with at least one private key`)
  const keys = jwks.keys as JWK[]
  keys.forEach((jwk, index) => {
    if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new ConfigError(key, `${file}: key ${index + 1} has no kid`)
    if (typeof jwk.alg !== 'string' || !SIGNING_ALGORITHMS.has(jwk.alg)) throw new ConfigError(key, `${file}: key ${jwk.kid} must have alg PS256 or ES256`)
    if (typeof jwk.d !== 'string') throw new ConfigError(key, `${file}: key ${jwk.kid} is not a private key`)
  })
  const first = keys[0]!
  const privateKey = (await importJWK(first, first.alg)) as CryptoKey
  const publicJwks: JSONWebKeySet = { keys: keys.map(publicPart) }
  return { current: { kid: first.kid!, alg: first.alg!, privateKey }, publicJwks, keySet: createLocalJWKSet(publicJwks) }
}
