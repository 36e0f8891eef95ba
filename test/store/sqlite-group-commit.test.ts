/**
 * The SQLite store with group commit (store.groupCommit): the whole Store contract again, on the calling
 * thread and on the threaded store (writes on a writer thread, src/store/sqlite-writer.ts), then what group
 * commit must keep: concurrent writes share one transaction yet each is atomic on its own (a used JTI
 * refuses only its own write, SEC-11, with its own StoreConflictError even across the thread), a write
 * resolves only once committed (another connection sees it), and closing the store commits the writes
 * already asked for.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, before, describe, it } from 'node:test'
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.ts'
import { openThreadedSqliteStore, READ_METHODS, WRITE_METHODS } from '../../src/store/sqlite-writer.ts'
import { StoreConflictError, type AuditEvent, type ClientRecord, type UsedJti } from '../../src/store/store.ts'
import { storeContract } from './contract.ts'

storeContract('sqlite with group commit', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'open-dcr-group-'))
  const store = openSqliteStore({ path: join(folder, 'open-dcr.db'), synchronous: 'FULL', groupCommit: true })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await rm(folder, { recursive: true, force: true })
    },
  }
})

storeContract('sqlite with its writes on a writer thread', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'open-dcr-threaded-'))
  const store = openThreadedSqliteStore({ path: join(folder, 'open-dcr.db'), synchronous: 'FULL' })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await rm(folder, { recursive: true, force: true })
    },
  }
})

const NOW = 1_760_000_000
const record = (clientId: string): ClientRecord => ({
  clientId,
  softwareId: 'software-group',
  orgId: 'org-group',
  directoryIssuer: 'OpenBanking Ltd',
  metadata: { redirect_uris: ['https://tpp.example.com/cb'] },
  softwareStatement: 'eyJhbGciOiJQUzI1NiJ9.e30.c2ln',
  certificateThumbprint: 'x5t-group',
  status: 'active',
  createdAt: NOW,
  updatedAt: NOW,
})
const created = (clientId: string): AuditEvent => ({ at: NOW * 1000, operation: 'create', outcome: 'success', clientId })
const requestJti = (id: string): UsedJti => ({ issuer: 'software-group', jti: id, expiresAt: NOW + 300 })
const shared = { exclusiveSoftwareId: false }

describe('the writer thread', () => {
  it('knows every method of the SQLite store as a read or a write', async () => {
    const store = openSqliteStore({ path: ':memory:', synchronous: 'FULL' })
    try {
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((name) => name !== 'constructor')
      const unclassified = methods.filter((name) => !WRITE_METHODS.includes(name) && !READ_METHODS.includes(name))
      assert.deepEqual(unclassified, [], 'list each new store method in WRITE_METHODS or READ_METHODS of src/store/sqlite-writer.ts')
    } finally {
      await store.close()
    }
  })
})

const OPENERS: Array<[string, (path: string) => SqliteStore]> = [
  ['on the calling thread', (path) => openSqliteStore({ path, synchronous: 'FULL', groupCommit: true })],
  ['with a writer thread', (path) => openThreadedSqliteStore({ path, synchronous: 'FULL' })],
]

for (const [where, open] of OPENERS) describe(`sqlite store with group commit ${where}`, () => {
  let folder = ''
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'open-dcr-group-'))
  })
  after(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  it('refuses a write to an unknown client with a plain Error, not a conflict', async () => {
    const store = open(join(folder, 'unknown.db'))
    try {
      await assert.rejects(store.deleteClient('client-unknown', NOW, created('client-unknown')), (error: unknown) => {
        assert.ok(error instanceof Error && !(error instanceof StoreConflictError))
        assert.match(error.message, /client_id "client-unknown" is not an active registration/)
        return true
      })
    } finally {
      await store.close()
    }
  })

  it('commits concurrent writes together and refuses only the write whose JTI is used', async () => {
    const path = join(folder, 'batch.db')
    const store = open(path)
    try {
      const outcomes = await Promise.allSettled([
        store.createClient(record('client-a'), [requestJti('jti-a')], created('client-a'), shared),
        store.createClient(record('client-b'), [requestJti('jti-shared')], created('client-b'), shared),
        store.createClient(record('client-c'), [requestJti('jti-shared')], created('client-c'), shared),
        store.createClient(record('client-d'), [requestJti('jti-d')], created('client-d'), shared),
      ])
      assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
      const refused = outcomes[2] as PromiseRejectedResult
      assert.ok(refused.reason instanceof StoreConflictError)
      assert.equal(refused.reason.conflict, 'jti')
      assert.equal(await store.getClient('client-c'), undefined, 'the refused write left no client row')
      assert.deepEqual(await store.counts(), { clients: 3, jtis: 3, auditEvents: 3 })
    } finally {
      await store.close()
    }
  })

  it('resolves a write only once it is committed: another connection reads it at once', async () => {
    const path = join(folder, 'visible.db')
    const store = open(path)
    const other = new DatabaseSync(path)
    try {
      await store.createClient(record('client-visible'), [requestJti('jti-visible')], created('client-visible'), shared)
      assert.deepEqual({ ...other.prepare('SELECT client_id FROM clients').get() }, { client_id: 'client-visible' })
    } finally {
      other.close()
      await store.close()
    }
  })

  it('commits the writes already asked for when the store is closed', async () => {
    const path = join(folder, 'close.db')
    const store = open(path)
    const pending = store.recordAudit(created('client-closing'))
    await store.close()
    await pending
    const reopened = openSqliteStore({ path, synchronous: 'FULL' })
    try {
      assert.equal((await reopened.counts()).auditEvents, 1)
    } finally {
      await reopened.close()
    }
  })
})
