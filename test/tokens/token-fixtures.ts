/**
 * Shared material for the token endpoint unit tests: a real SQLite store in a temporary folder, real
 * signing keys (jose) and certificates (sandbox CA), registered client records, a frozen clock, and a
 * check that a promise is refused with a given RFC 6749 error whose description says what is wrong.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { merge } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import { thumbprintOf } from '../../src/http/client-cert.ts'
import type { IssuedCertificate } from '../../src/sandbox/ca.ts'
import { openSqliteStore } from '../../src/store/sqlite.ts'
import type { ClientRecord, Store } from '../../src/store/store.ts'
import { OAuthError, type TokenErrorCode } from '../../src/tokens/token-errors.ts'
import type { TokenEndpointCertificate } from '../../src/trust/types.ts'
import { testConfig } from '../helpers/context.ts'

/** A fixed "now", epoch seconds. */
export const NOW = 1_800_000_000
export const ISSUER = 'https://bank.example.com'
export const TOKEN_ENDPOINT = `${ISSUER}/token`

/**
 * The UK test configuration (helpers/context.ts) with keys by value accepted: these unit tests register a
 * client's keys inline (`jwks`), which the UK profile refuses (client-keys.ts; inline-jwks.test.ts).
 */
export const tokenTestConfig = (values: Record<string, unknown> = {}): Config => testConfig(merge({ validators: { 'token-endpoint-auth': { allowJwksByValue: true } } }, values))

/** A SQLite store in a new temporary folder, closed and removed after the test. */
export async function openTestStore(t: TestContext): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'open-dcr-tokens-'))
  const store = openSqliteStore({ path: join(dir, 'store.db'), synchronous: 'NORMAL' })
  t.after(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })
  return store
}

export type TestSigningKey = { alg: string; kid: string; privateKey: CryptoKey; publicJwk: JWK }

export async function signingKey(alg: 'PS256' | 'ES256' = 'PS256'): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg)
  const jwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(jwk)
  return { alg, kid, privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } }
}

/** A registered, active private_key_jwt client whose keys are registered inline (`jwks`); `metadata` merged over. */
export function clientRecord(clientId: string, metadata: Record<string, unknown> = {}, record: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId,
    softwareId: 'software-1',
    orgId: 'org-1',
    directoryIssuer: undefined,
    metadata: {
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'PS256',
      grant_types: ['client_credentials'],
      scope: 'openid accounts',
      ...metadata,
    },
    softwareStatement: undefined,
    certificateThumbprint: undefined,
    status: 'active',
    createdAt: NOW - 3600,
    updatedAt: NOW - 3600,
    ...record,
  }
}

/** Stores `client` as registered. */
export async function register(store: Store, client: ClientRecord): Promise<ClientRecord> {
  await store.createClient(client, [], { at: NOW * 1000, operation: 'create', outcome: 'success', clientId: client.clientId }, { exclusiveSoftwareId: false })
  return client
}

/** Claims of a valid client assertion at NOW; `overrides` with undefined remove a claim. */
export function assertionClaims(clientId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const claims: Record<string, unknown> = { iss: clientId, sub: clientId, aud: TOKEN_ENDPOINT, iat: NOW, exp: NOW + 60, jti: `jti-${Math.random().toString(36).slice(2)}`, ...overrides }
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
  return claims
}

export function signAssertion(key: TestSigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey)
}

/**
 * The certificate of a mutual TLS connection, as tokenEndpointCertificateOf gives it: chained to a trusted
 * CA unless `unchained` says why not (a self-signed certificate: `DEPTH_ZERO_SELF_SIGNED_CERT`).
 */
export function presented(issued: IssuedCertificate, unchained?: string): TokenEndpointCertificate {
  return { certificate: issued.certificate, intermediates: [], thumbprint: thumbprintOf(issued.certificate.raw), source: 'tls', unchained }
}

/** Asserts that `promise` is refused with `error` and a description matching `describes`. */
export async function expectOAuthError(promise: Promise<unknown>, error: TokenErrorCode, describes: RegExp): Promise<OAuthError> {
  let refusal: OAuthError | undefined
  await assert.rejects(promise, (thrown: unknown) => {
    assert.ok(thrown instanceof OAuthError, `an OAuthError, got ${String(thrown)}`)
    assert.equal(thrown.error, error, thrown.message)
    assert.match(thrown.message, describes)
    refusal = thrown
    return true
  })
  return refusal!
}
