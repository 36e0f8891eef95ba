/**
 * RFC 7592 registration access tokens (RFC7592-1/4/8/17, SEC-32, SEC-34): shape and entropy, hash-only
 * storage, lookup by hash with a real SQLite store, the rotation policy of `management.rotation` and the
 * grace period of the previous token.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.ts'
import type { ClientRecord } from '../../src/store/store.ts'
import { InvalidTokenError } from '../../src/tokens/bearer-token-errors.ts'
import {
  clientOfRegistrationToken,
  issuesRegistrationToken,
  newRegistrationToken,
  REGISTRATION_TOKEN_BYTES,
  registrationTokenHash,
  rotateRegistrationToken,
} from '../../src/tokens/registration-token.ts'

const NOW = 1_800_000_000
let dir: string
let store: SqliteStore

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'open-dcr-rat-'))
  store = openSqliteStore({ path: join(dir, 'store.db'), synchronous: 'NORMAL' })
})
after(async () => {
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

let clients = 0
async function registeredClient(hash: string): Promise<ClientRecord> {
  const record: ClientRecord = {
    clientId: `client-${++clients}`,
    softwareId: 'software-1',
    orgId: 'org-1',
    directoryIssuer: undefined,
    metadata: {},
    softwareStatement: undefined,
    certificateThumbprint: undefined,
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
  }
  await store.createClient(record, [], { at: NOW * 1000, operation: 'create', outcome: 'success' }, { exclusiveSoftwareId: false, registrationTokenHash: hash })
  return record
}

const refusedAsUnknown = (error: unknown): boolean => {
  assert.ok(error instanceof InvalidTokenError)
  assert.equal(error.reason, 'unknown')
  assert.equal(error.error, 'invalid_token')
  assert.match(error.message, /registration access token is not valid/)
  return true
}

describe('registration access tokens', () => {
  it('are 32 random bytes in base64url, different every time (SEC-34)', () => {
    const tokens = Array.from({ length: 50 }, () => newRegistrationToken().token)
    for (const token of tokens) {
      assert.match(token, /^[A-Za-z0-9_-]{43}$/)
      assert.equal(Buffer.from(token, 'base64url').length, REGISTRATION_TOKEN_BYTES)
    }
    assert.equal(new Set(tokens).size, tokens.length)
  })

  it('are kept as base64url SHA-256 hashes only (RFC7592-17)', () => {
    const { token, hash } = newRegistrationToken()
    assert.equal(hash, createHash('sha256').update(token).digest('base64url'))
    assert.equal(registrationTokenHash(token), hash)
    assert.notEqual(hash, token)
  })

  it('find their client by the hash of the presented token', async () => {
    const { token, hash } = newRegistrationToken()
    const client = await registeredClient(hash)
    assert.deepEqual(await clientOfRegistrationToken(store, token, NOW), { clientId: client.clientId, hash })
  })

  it('refuse an unknown token, an ill-formed one and the stored hash presented as a token', async () => {
    const { hash } = newRegistrationToken()
    await registeredClient(hash)
    await assert.rejects(clientOfRegistrationToken(store, newRegistrationToken().token, NOW), refusedAsUnknown)
    await assert.rejects(clientOfRegistrationToken(store, 'short', NOW), refusedAsUnknown)
    await assert.rejects(clientOfRegistrationToken(store, 'eyJhbGciOiJQUzI1NiJ9.e30.c2ln', NOW), refusedAsUnknown)
    await assert.rejects(clientOfRegistrationToken(store, hash, NOW), refusedAsUnknown, 'a leaked hash is not a token')
  })

  it('keep the previous token for the grace period after a rotation, then refuse it (RFC7592-8)', async () => {
    const first = newRegistrationToken()
    const client = await registeredClient(first.hash)
    const next = rotateRegistrationToken(NOW, 60, 'read')
    assert.deepEqual(next.rotation, { hash: next.hash, previousValidUntil: NOW + 60 })
    await store.rotateRegistrationToken(client.clientId, next.rotation, NOW, { at: NOW * 1000, operation: 'read', outcome: 'success' })

    assert.equal((await clientOfRegistrationToken(store, next.token, NOW)).clientId, client.clientId)
    assert.equal((await clientOfRegistrationToken(store, first.token, NOW + 59)).clientId, client.clientId)
    await assert.rejects(clientOfRegistrationToken(store, first.token, NOW + 60), refusedAsUnknown)
  })

  it('end every earlier token at once after a signed recovery', async () => {
    const first = newRegistrationToken()
    const client = await registeredClient(first.hash)
    const recovered = rotateRegistrationToken(NOW, 60, 'recovery')
    assert.equal(recovered.rotation.previousValidUntil, NOW)
    await store.rotateRegistrationToken(client.clientId, recovered.rotation, NOW, { at: NOW * 1000, operation: 'update', outcome: 'success' })
    await assert.rejects(clientOfRegistrationToken(store, first.token, NOW), refusedAsUnknown)
    assert.equal((await clientOfRegistrationToken(store, recovered.token, NOW)).clientId, client.clientId)
  })

  it('are issued on registration and recovery always, on PUT with on-update or on-use, on GET with on-use only', () => {
    const table = {
      never: { create: true, recovery: true, update: false, read: false },
      'on-update': { create: true, recovery: true, update: true, read: false },
      'on-use': { create: true, recovery: true, update: true, read: true },
    }
    for (const [rotation, operations] of Object.entries(table)) {
      for (const [operation, issued] of Object.entries(operations)) {
        assert.equal(issuesRegistrationToken(rotation, operation as 'create' | 'read' | 'update' | 'recovery'), issued, `${rotation} / ${operation}`)
      }
    }
  })
})
