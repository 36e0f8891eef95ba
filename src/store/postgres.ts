/**
 * The shared store: one PostgreSQL database behind several open-dcr instances (DESIGN "Scale"), through a pool of
 * `pg` connections. It keeps the guarantees of the SQLite store (sqlite.ts, test/store/contract.ts): each write
 * is one transaction, so a registration, its JTIs, its registration access token and its audit event land
 * together or not at all, and the answer waits for the COMMIT.
 * SEC-11: (issuer, jti) is a primary key; a live row refuses the insert (ON CONFLICT ... WHERE expired), which
 * PostgreSQL decides under the row's lock, so two instances racing on one jti get exactly one winner.
 * SEC-37: one live registration per software id is the primary key of exclusive_software, claimed under its row
 * lock (never a read-then-write on a snapshot). Writes to one client take that client's row lock first, so
 * concurrent rotations and updates of one client apply one after the other, as on SQLite.
 * Faults: a database that is down or unreachable, refuses connections, or a statement past `statementTimeoutMs`
 * rejects with StoreUnavailableError (503 with Retry-After, `server.store_unavailable`); the transaction is
 * rolled back, a broken connection is dropped from the pool, and the next request connects anew, so the
 * instance recovers without a restart when the database returns.
 * RFC7592-8/17, SEC-32: registration access tokens are rows of hashes, as in sqlite.ts.
 */
import { Pool, type PoolClient, type QueryResultRow } from 'pg'
import { postgresMigrations } from './migrations/postgres.ts'
import type { Migration } from './migrations/sqlite.ts'
import type { AppliedMigration } from './sqlite.ts'
import { auditFromRow, clientFromRow, integer, text, type Row } from './rows.ts'
import { StoreUnavailableError } from './store-unavailable.ts'
import {
  StoreConflictError,
  type AuditEvent,
  type ClientRecord,
  type CreateOptions,
  type RegistrationTokenRotation,
  type Store,
  type StoreCounts,
  type UpdateOptions,
  type UsedJti,
} from './store.ts'

export type PostgresStoreOptions = {
  /** `postgres://user:password@host:port/database`; never logged (it may hold the password). */
  url: string
  /** Most connections this instance holds. */
  pool: number
  /** Longest a statement, or the wait for a pooled connection, may take, in milliseconds. */
  statementTimeoutMs: number
  /** Errors of idle pooled connections (the database restarted, the network dropped); the pool replaces them. */
  onIdleError?: (error: Error) => void
}

export interface PostgresStore extends Store {
  /** The rows of schema_migrations, oldest first. */
  appliedMigrations(): Promise<AppliedMigration[]>
}

/** Held while migrating, so that instances starting together apply each migration once (any 64-bit constant). */
const MIGRATION_LOCK = 75_917_592

/** Node's errors of a connection that cannot be made or was lost. */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
/** What pg says of a lost connection, a connection not made in time or a query past its client-side timeout. */
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection ended/i

/**
 * True for a fault of the database or the way to it, as opposed to a fault of the request or of this code:
 * SQLSTATE class 08 (connection exception), 53 (insufficient resources), 57P (shutdown, crash, cannot connect
 * now), 57014 (statement_timeout), 40001/40P01 (serialization failure, deadlock: retrying succeeds), and Node's
 * network errors.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (/^(08|53|57P)/.test(code) || code === '57014' || code === '40001' || code === '40P01' || CONNECTION_ERRNOS.has(code)) return true
  }
  if (error instanceof AggregateError && error.errors.some(isUnavailable)) return true
  return CONNECTION_MESSAGES.test(error.message)
}

/** A database fault becomes StoreUnavailableError; anything else (a conflict, a bug) goes on as it is. */
const asStoreError = (error: unknown): unknown => (isUnavailable(error) ? new StoreUnavailableError({ cause: error }) : error)

/** Connects the pool, applies pending migrations (refusing a newer schema) and returns the store. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = createPool(options)
  try {
    await applyMigrations(pool, postgresMigrations)
    return new PostgresDatabaseStore(pool)
  } catch (error) {
    await pool.end()
    throw asStoreError(error)
  }
}

function createPool(options: PostgresStoreOptions): Pool {
  if (!Number.isSafeInteger(options.pool) || options.pool < 1) throw new TypeError(`store pool must be a positive integer, got ${options.pool}`)
  const pool = new Pool({
    connectionString: options.url,
    max: options.pool,
    connectionTimeoutMillis: options.statementTimeoutMs,
    // The server cancels a statement past the bound (57014); the client-side bound catches a silent network.
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    // A transaction left open by a lost instance must not hold its row locks for long.
    idle_in_transaction_session_timeout: Math.max(options.statementTimeoutMs * 2, 10_000),
    application_name: 'open-dcr',
  })
  // Without a listener an idle connection's error (the database restarted) would end the process.
  pool.on('error', (error) => options.onIdleError?.(error))
  return pool
}

async function applyMigrations(pool: Pool, migrations: readonly Migration[]): Promise<void> {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new TypeError(`migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`)
  })
  const client = await pool.connect()
  try {
    for (const migration of migrations) {
      await client.query('BEGIN')
      try {
        // A migration may rewrite a large table: no statement bound inside its transaction.
        await client.query('SET LOCAL statement_timeout = 0')
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
        // Read under the lock: another instance may have migrated while this one waited.
        const current = await schemaVersion(client)
        if (current > migrations.length) {
          throw new Error(`the PostgreSQL database has schema version ${current}, newer than this open-dcr knows (${migrations.length}); run a newer open-dcr or point store.url at another database`)
        }
        if (migration.version > current) {
          await client.query(migration.sql)
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, Date.now()])
        }
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    }
  } finally {
    client.release()
  }
}

async function schemaVersion(client: PoolClient): Promise<number> {
  const table = await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
  if (table.rows[0]?.present !== true) return 0
  const row = (await client.query('SELECT MAX(version) AS version FROM schema_migrations')).rows[0]
  return row === undefined || row.version === null ? 0 : integer(row, 'version')
}

/** What a transaction's work runs its statements on. */
type Queries = { query<R extends QueryResultRow = Row>(sql: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }> }


class PostgresDatabaseStore implements PostgresStore {
  readonly #pool: Pool
  #closed = false

  constructor(pool: Pool) {
    this.#pool = pool
  }

  async isJtiUsed(issuer: string, jti: string, now: number): Promise<boolean> {
    return (await this.#read('SELECT 1 FROM used_jtis WHERE issuer = $1 AND jti = $2 AND expires_at > $3', [issuer, jti, now])).length > 0
  }

  /** JTIs count as expired against `client.createdAt`. */
  async createClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent, options: CreateOptions): Promise<void> {
    if (client.status !== 'active') throw new TypeError(`createClient needs an active client record, got status "${client.status}"`)
    await this.#transaction(async (q) => {
      await q.query(
        `INSERT INTO clients (client_id, software_id, org_id, directory_issuer, metadata, software_statement, certificate_thumbprint, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [client.clientId, client.softwareId, client.orgId ?? null, client.directoryIssuer ?? null, JSON.stringify(client.metadata), client.softwareStatement ?? null,
          client.certificateThumbprint ?? null, client.status, client.createdAt, client.updatedAt],
      )
      if (options.exclusiveSoftwareId && !(await claimSoftware(q, client.softwareId, client.clientId))) {
        throw new StoreConflictError('software_id', `software_id "${client.softwareId}" already has an active registration; delete it before registering again`)
      }
      await checkCaps(q, client, options)
      if (options.registrationTokenHash !== undefined) await insertCurrentToken(q, options.registrationTokenHash, client.clientId)
      await recordJtis(q, jtis, client.createdAt)
      await insertAudit(q, audit)
    })
  }

  /** JTIs count as expired against `client.updatedAt`. software_id, status and created_at stay as stored. */
  async updateClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent, options: UpdateOptions = {}): Promise<void> {
    await this.#transaction(async (q) => {
      // First, so that the client's row lock orders this write after any other of the same client.
      const updated = await q.query(
        `UPDATE clients SET org_id = $1, directory_issuer = $2, metadata = $3, software_statement = $4, certificate_thumbprint = $5, updated_at = $6
         WHERE client_id = $7 AND status = 'active'`,
        [client.orgId ?? null, client.directoryIssuer ?? null, JSON.stringify(client.metadata), client.softwareStatement ?? null, client.certificateThumbprint ?? null,
          client.updatedAt, client.clientId],
      )
      if (updated.rowCount === 0) throw new Error(`client_id "${client.clientId}" is not an active registration`)
      await recordJtis(q, jtis, client.updatedAt)
      if (options.registrationToken !== undefined) await rotateToken(q, client.clientId, options.registrationToken, client.updatedAt)
      await insertAudit(q, audit)
    })
  }

  async deleteClient(clientId: string, at: number, audit: AuditEvent): Promise<void> {
    await this.#transaction(async (q) => {
      const deleted = await q.query("UPDATE clients SET status = 'deleted', updated_at = $1 WHERE client_id = $2 AND status = 'active'", [at, clientId])
      if (deleted.rowCount === 0) throw new Error(`client_id "${clientId}" is not an active registration`)
      await q.query('DELETE FROM exclusive_software WHERE client_id = $1', [clientId])
      await q.query('DELETE FROM registration_tokens WHERE client_id = $1', [clientId])
      await insertAudit(q, audit)
    })
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const [row] = await this.#read('SELECT * FROM clients WHERE client_id = $1', [clientId])
    return row === undefined ? undefined : clientFromRow(row)
  }

  async listClientsOfDirectory(directoryIssuer: string): Promise<ClientRecord[]> {
    const rows = await this.#read("SELECT * FROM clients WHERE directory_issuer = $1 AND status IN ('active', 'suspended') ORDER BY created_at, client_id", [directoryIssuer])
    return rows.map(clientFromRow)
  }

  async setClientStatus(clientId: string, from: 'active' | 'suspended', to: 'active' | 'suspended', audit: AuditEvent): Promise<boolean> {
    return this.#transaction(async (q) => {
      const changed = await q.query('UPDATE clients SET status = $1, updated_at = $2 WHERE client_id = $3 AND status = $4', [to, Math.floor(audit.at / 1000), clientId, from])
      if (changed.rowCount === 0) return false
      await insertAudit(q, audit)
      return true
    })
  }

  async recordAudit(event: AuditEvent): Promise<void> {
    await this.#transaction((q) => insertAudit(q, event))
  }

  async listAudit(limit: number): Promise<AuditEvent[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`listAudit limit must be a non-negative integer, got ${limit}`)
    return (await this.#read('SELECT * FROM audit_events ORDER BY id DESC LIMIT $1', [limit])).map(auditFromRow)
  }

  async recordJti(used: UsedJti, now: number): Promise<void> {
    await this.#transaction((q) => recordJtis(q, [used], now))
  }

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    await this.#transaction((q) => q.query('INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, expiresAt]))
  }

  async isAccessTokenRevoked(jti: string, now: number): Promise<boolean> {
    return (await this.#read('SELECT 1 FROM revoked_access_tokens WHERE jti = $1 AND expires_at > $2', [jti, now])).length > 0
  }

  async findRegistrationToken(hash: string, now: number): Promise<string | undefined> {
    const [row] = await this.#read(
      `SELECT registration_tokens.client_id AS client_id FROM registration_tokens JOIN clients ON clients.client_id = registration_tokens.client_id
       WHERE registration_tokens.token_hash = $1 AND (registration_tokens.valid_until IS NULL OR registration_tokens.valid_until > $2) AND clients.status = 'active'`,
      [hash, now],
    )
    return row === undefined ? undefined : text(row, 'client_id')
  }

  async rotateRegistrationToken(clientId: string, rotation: RegistrationTokenRotation, now: number, audit: AuditEvent): Promise<void> {
    await this.#transaction(async (q) => {
      // The client's row lock: a concurrent rotation of the same client waits, then sees this one's token.
      const active = await q.query("SELECT 1 FROM clients WHERE client_id = $1 AND status = 'active' FOR UPDATE", [clientId])
      if (active.rowCount === 0) throw new Error(`client_id "${clientId}" is not an active registration`)
      await rotateToken(q, clientId, rotation, now)
      await insertAudit(q, audit)
    })
  }

  async revokeRegistrationToken(hash: string): Promise<void> {
    await this.#transaction((q) => q.query('DELETE FROM registration_tokens WHERE token_hash = $1', [hash]))
  }

  async purgeAuditEvents(before: number): Promise<number> {
    return this.#transaction(async (q) => (await q.query('DELETE FROM audit_events WHERE at < $1', [before])).rowCount ?? 0)
  }

  async purgeExpiredJtis(now: number): Promise<number> {
    return this.#transaction(async (q) => {
      await q.query('DELETE FROM revoked_access_tokens WHERE expires_at <= $1', [now])
      await q.query('DELETE FROM registration_tokens WHERE valid_until IS NOT NULL AND valid_until <= $1', [now])
      return (await q.query('DELETE FROM used_jtis WHERE expires_at <= $1', [now])).rowCount ?? 0
    })
  }

  async counts(): Promise<StoreCounts> {
    const [row] = await this.#read(`SELECT (SELECT COUNT(*) FROM clients) AS clients, (SELECT COUNT(*) FROM used_jtis) AS jtis,
      (SELECT COUNT(*) FROM audit_events) AS audit_events`)
    if (row === undefined) throw new Error('store counts returned no row')
    return { clients: integer(row, 'clients'), jtis: integer(row, 'jtis'), auditEvents: integer(row, 'audit_events') }
  }

  async appliedMigrations(): Promise<AppliedMigration[]> {
    const rows = await this.#read('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    return rows.map((row) => ({ version: integer(row, 'version'), name: text(row, 'name'), appliedAt: integer(row, 'applied_at') }))
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    // Waits for the connections in use to be released, so no answered write is cut short.
    await this.#pool.end()
  }

  /** One statement outside a transaction (a read). */
  async #read(sql: string, values: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.#pool.query<Row>(sql, values)).rows
    } catch (error) {
      throw asStoreError(error)
    }
  }

  /**
   * Runs `work` between BEGIN and COMMIT on one pooled connection; any error rolls it back and is rethrown
   * (a database fault as StoreUnavailableError). A connection that cannot even roll back is dropped from the pool.
   */
  async #transaction<T>(work: (q: Queries) => Promise<T>): Promise<T> {
    let client: PoolClient
    try {
      client = await this.#pool.connect()
    } catch (error) {
      throw asStoreError(error)
    }
    let broken = false
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true
      })
      throw asStoreError(error)
    } finally {
      client.release(broken)
    }
  }
}

/**
 * Claims `softwareId` for `clientId`: inserted when unclaimed; when claimed, the holder's row is locked and,
 * if the holder is no longer live, the claim is taken over. Each step is its own statement, so each reads what
 * was committed before it (READ COMMITTED), never a snapshot older than the lock it waited for.
 */
async function claimSoftware(q: Queries, softwareId: string, clientId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const inserted = await q.query('INSERT INTO exclusive_software (software_id, client_id) VALUES ($1, $2) ON CONFLICT (software_id) DO NOTHING', [softwareId, clientId])
    if (inserted.rowCount === 1) return true
    const [holder] = (await q.query('SELECT client_id FROM exclusive_software WHERE software_id = $1 FOR UPDATE', [softwareId])).rows
    // Released between the two statements: claim it again.
    if (holder === undefined) continue
    const live = await q.query("SELECT 1 FROM clients WHERE client_id = $1 AND status IN ('active', 'suspended')", [text(holder, 'client_id')])
    if ((live.rowCount ?? 0) > 0) return false
    await q.query('UPDATE exclusive_software SET client_id = $2 WHERE software_id = $1', [softwareId, clientId])
    return true
  }
  return false
}

async function insertCurrentToken(q: Queries, hash: string, clientId: string): Promise<void> {
  await q.query('INSERT INTO registration_tokens (token_hash, client_id, valid_until) VALUES ($1, $2, NULL)', [hash, clientId])
}

/** Caps the client's earlier tokens at the grace deadline, drops the ones already over, inserts the new current one. */
async function rotateToken(q: Queries, clientId: string, rotation: RegistrationTokenRotation, now: number): Promise<void> {
  await q.query('UPDATE registration_tokens SET valid_until = $1 WHERE client_id = $2 AND (valid_until IS NULL OR valid_until > $1)', [rotation.previousValidUntil, clientId])
  await q.query('DELETE FROM registration_tokens WHERE client_id = $1 AND valid_until IS NOT NULL AND valid_until <= $2', [clientId, now])
  await insertCurrentToken(q, rotation.hash, clientId)
}

/** A live row leaves the insert with no change (→ conflict); an expired leftover is overwritten. */
async function recordJtis(q: Queries, jtis: readonly UsedJti[], now: number): Promise<void> {
  for (const used of jtis) {
    const recorded = await q.query(
      `INSERT INTO used_jtis (issuer, jti, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = excluded.expires_at WHERE used_jtis.expires_at <= $4`,
      [used.issuer, used.jti, used.expiresAt, now],
    )
    if (recorded.rowCount === 0) {
      throw new StoreConflictError('jti', `a JWT with this jti from issuer "${used.issuer}" was already accepted; sign a new JWT with a fresh jti`, used.issuer)
    }
  }
}

/**
 * The optional client caps, counted inside the write's transaction. Under READ COMMITTED two concurrent
 * registrations could both count below the cap, so each first takes a transaction-scoped advisory lock on its
 * software id and organisation: registrations of one software (one organisation) are counted one at a time.
 */
async function checkCaps(q: Queries, client: ClientRecord, options: CreateOptions): Promise<void> {
  const caps: Array<{ cap: number; column: 'software_id' | 'org_id'; value: string | undefined; conflict: 'software_cap' | 'organisation_cap'; what: string; key: string }> = [
    { cap: options.maxClientsPerSoftware ?? 0, column: 'software_id', value: client.softwareId, conflict: 'software_cap', what: `software_id "${client.softwareId}"`, key: 'registration.maxClientsPerSoftware' },
    { cap: options.maxClientsPerOrganisation ?? 0, column: 'org_id', value: client.orgId, conflict: 'organisation_cap', what: `organisation "${client.orgId}"`, key: 'registration.maxClientsPerOrganisation' },
  ]
  for (const { cap, column, value, conflict, what, key } of caps) {
    if (cap <= 0 || value === undefined) continue
    await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`open-dcr:${column}:${value}`])
    const [row] = (await q.query(`SELECT COUNT(*) AS live FROM clients WHERE ${column} = $1 AND status IN ('active', 'suspended')`, [value])).rows
    if (row !== undefined && integer(row, 'live') > cap) throw new StoreConflictError(conflict, `${what} already has ${cap} live registrations, the most ${key} allows`)
  }
}

async function insertAudit(q: Queries, event: AuditEvent): Promise<void> {
  await q.query(
    `INSERT INTO audit_events (at, operation, outcome, client_id, software_id, error_code, validator, certificate_thumbprint, remote_address, detail, count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [event.at, event.operation, event.outcome, event.clientId ?? null, event.softwareId ?? null, event.errorCode ?? null, event.validator ?? null,
      event.certificateThumbprint ?? null, event.remoteAddress ?? null, event.detail ?? null, event.count ?? null],
  )
}
