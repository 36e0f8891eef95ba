/**
 * The SQLite store on a real file in a temporary folder: the Store contract (SEC-11, SEC-35, SEC-37), then
 * what only SQLite has: the pragmas in force (WAL, synchronous FULL), versioned migrations, durability across
 * close and reopen, refusal of a newer schema, and two connections sharing one file.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, before, describe, it } from 'node:test'
import { sqliteMigrations } from '../../src/store/migrations/sqlite.ts'
import { openStore } from '../../src/store/open.ts'
import { openSqliteStore } from '../../src/store/sqlite.ts'
import { StoreConflictError, type AuditEvent, type ClientRecord } from '../../src/store/store.ts'
import { storeContract } from './contract.ts'

storeContract('sqlite', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'open-dcr-store-'))
  const store = openSqliteStore({ path: join(folder, 'open-dcr.db'), synchronous: 'FULL' })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await rm(folder, { recursive: true, force: true })
    },
  }
})

const NOW = 1_760_000_000
const record: ClientRecord = {
  clientId: 'c0a8f1e2-durable',
  softwareId: 'software-durable',
  orgId: 'org-durable',
  directoryIssuer: 'OpenBanking Ltd',
  metadata: { redirect_uris: ['https://tpp.example.com/cb'], b: 1, a: [true, null] },
  softwareStatement: 'eyJhbGciOiJQUzI1NiJ9.e30.c2ln',
  certificateThumbprint: 'x5t-durable',
  status: 'active',
  createdAt: NOW,
  updatedAt: NOW,
}
const created: AuditEvent = { at: NOW * 1000, operation: 'create', outcome: 'success', clientId: record.clientId }

describe('sqlite store', () => {
  let folder = ''
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'open-dcr-sqlite-'))
  })
  after(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  it('creates the parent folder and sets WAL, synchronous FULL, foreign keys and busy timeout', async () => {
    const path = join(folder, 'nested', 'deeper', 'pragmas.db')
    const store = openSqliteStore({ path, synchronous: 'FULL' })
    try {
      assert.deepEqual(store.pragmas(), { journalMode: 'wal', synchronous: 2, foreignKeys: 1, busyTimeout: 5000 })
      assert.equal(store.path, path)
    } finally {
      await store.close()
    }
  })

  it('sets synchronous NORMAL when asked', async () => {
    const store = openSqliteStore({ path: join(folder, 'normal.db'), synchronous: 'NORMAL' })
    try {
      assert.equal(store.pragmas().synchronous, 1)
      assert.equal(store.pragmas().journalMode, 'wal')
    } finally {
      await store.close()
    }
  })

  it('rejects a synchronous value other than FULL or NORMAL', () => {
    const options = { path: join(folder, 'off.db'), synchronous: 'OFF' } as unknown as Parameters<typeof openSqliteStore>[0]
    assert.throws(() => openSqliteStore(options), { name: 'TypeError', message: /synchronous must be FULL or NORMAL, got "OFF"/ })
  })

  it('records every migration once and applies none again on reopen', async () => {
    const path = join(folder, 'migrations.db')
    const first = openSqliteStore({ path, synchronous: 'FULL' })
    const applied = first.appliedMigrations()
    await first.close()

    assert.deepEqual(applied.map(({ version, name }) => ({ version, name })), sqliteMigrations.map(({ version, name }) => ({ version, name })))
    for (const migration of applied) assert.ok(Number.isInteger(migration.appliedAt) && migration.appliedAt > 0)

    const second = openSqliteStore({ path, synchronous: 'FULL' })
    try {
      assert.deepEqual(second.appliedMigrations(), applied, 'same rows, same applied_at')
    } finally {
      await second.close()
    }
  })

  it('keeps clients, JTIs and audit events across close and reopen', async () => {
    const path = join(folder, 'durable.db')
    const first = openSqliteStore({ path, synchronous: 'FULL' })
    await first.createClient(record, [{ issuer: record.softwareId, jti: 'request-durable', expiresAt: NOW + 300 }], created, { exclusiveSoftwareId: true })
    await first.close()

    const second = openSqliteStore({ path, synchronous: 'FULL' })
    try {
      assert.deepEqual(await second.getClient(record.clientId), record)
      assert.equal(await second.isJtiUsed(record.softwareId, 'request-durable', NOW), true)
      assert.deepEqual(await second.listAudit(10), [created])
      const again = { ...record, clientId: 'c0a8f1e2-second' }
      await assert.rejects(
        second.createClient(again, [], { ...created, clientId: again.clientId }, { exclusiveSoftwareId: true }),
        (error: unknown) => error instanceof StoreConflictError && error.conflict === 'software_id',
      )
    } finally {
      await second.close()
    }
  })

  it('refuses a database whose schema is newer than the code knows', async () => {
    const path = join(folder, 'newer.db')
    await openSqliteStore({ path, synchronous: 'FULL' }).close()
    const raw = new DatabaseSync(path)
    const newer = sqliteMigrations.length + 1
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(newer, 'from_the_future', Date.now())
    raw.close()

    assert.throws(() => openSqliteStore({ path, synchronous: 'FULL' }), {
      message: new RegExp(`schema version ${newer}, newer than this open-dcr knows \\(${sqliteMigrations.length}\\)`),
    })
  })

  it('shares JTIs between two connections on one file', async () => {
    const path = join(folder, 'two-connections.db')
    const one = openSqliteStore({ path, synchronous: 'FULL' })
    const two = openSqliteStore({ path, synchronous: 'FULL' })
    try {
      const used = { issuer: 'OpenBanking Ltd', jti: 'ssa-shared-file', expiresAt: NOW + 300 }
      await one.createClient(record, [used], created, { exclusiveSoftwareId: false })
      assert.equal(await two.isJtiUsed(used.issuer, used.jti, NOW), true)
      await assert.rejects(
        two.createClient({ ...record, clientId: 'c0a8f1e2-other' }, [used], created, { exclusiveSoftwareId: false }),
        (error: unknown) => error instanceof StoreConflictError && error.conflict === 'jti',
      )
      assert.deepEqual(await one.counts(), { clients: 1, jtis: 1, auditEvents: 1 })
    } finally {
      await one.close()
      await two.close()
    }
  })

  it('closes more than once without error', async () => {
    const store = openSqliteStore({ path: join(folder, 'close.db'), synchronous: 'FULL' })
    await store.close()
    await store.close()
  })

  it('is opened from the configuration by openStore', async () => {
    const path = join(folder, 'from-config', 'open-dcr.db')
    const store = await openStore({ kind: 'sqlite', path, synchronous: 'FULL', groupCommit: true, jtiPurgeIntervalSeconds: 300, url: undefined, pool: 10, statementTimeoutMs: 5000, auditRetentionDays: 0 })
    try {
      assert.deepEqual(await store.counts(), { clients: 0, jtis: 0, auditEvents: 0 })
    } finally {
      await store.close()
    }
  })

  it('openStore rejects an unknown store kind', async () => {
    await assert.rejects(openStore({ kind: 'mysql', path: 'x', synchronous: 'FULL', groupCommit: false, jtiPurgeIntervalSeconds: 300, url: undefined, pool: 10, statementTimeoutMs: 5000, auditRetentionDays: 0 }), {
      name: 'TypeError',
      message: /store\.kind "mysql" is not supported/,
    })
  })
})
