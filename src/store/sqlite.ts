/**
 * The embedded store: one SQLite file through node:sqlite, in WAL mode, with `synchronous` FULL by default so
 * that an answered registration survives a power loss. Each write is one BEGIN IMMEDIATE transaction, so a
 * registration, its JTIs and its audit event land together or not at all, and a second process on the same
 * file waits (busy_timeout) instead of failing.
 * SEC-11: (issuer, jti) is a primary key; a live row refuses the insert, an expired leftover is replaced.
 * SEC-37: one live registration per software id is a primary key on exclusive_software, not a read-then-write.
 * SEC-35: only the record, the JTIs and the audit event are written; nothing is logged.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { sqliteMigrations, type Migration } from './migrations/sqlite.ts'
import { StoreConflictError, type AuditEvent, type ClientRecord, type CreateOptions, type Store, type StoreCounts, type UsedJti } from './store.ts'

export type SqliteSynchronous = 'FULL' | 'NORMAL'

export type SqliteStoreOptions = {
  /** Database file; its folder is created when missing. `:memory:` gives a throwaway database. */
  path: string
  /**
   * SQLite `synchronous` pragma. `FULL` (the configuration default) syncs the WAL on every commit: an answered
   * registration survives a power loss. `NORMAL` syncs only at checkpoints: faster, never corrupt, but the
   * last commits may be lost on a power loss.
   */
  synchronous: SqliteSynchronous
}

/** The pragmas in force on the store's connection, as SQLite reports them. */
export type SqlitePragmas = {
  /** `wal` for a file database. */
  journalMode: string
  /** 2 = FULL, 1 = NORMAL. */
  synchronous: number
  /** 1 = on. */
  foreignKeys: number
  /** Milliseconds. */
  busyTimeout: number
}

export type AppliedMigration = {
  version: number
  name: string
  /** Epoch milliseconds. */
  appliedAt: number
}

export interface SqliteStore extends Store {
  /** The database file as given in the options. */
  readonly path: string
  pragmas(): SqlitePragmas
  /** The rows of schema_migrations, oldest first. */
  appliedMigrations(): AppliedMigration[]
}

/** How long a write waits for another connection's lock before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000

const SYNCHRONOUS_VALUES: readonly string[] = ['FULL', 'NORMAL'] satisfies readonly SqliteSynchronous[]

/** Opens (creating if needed) the database, sets its pragmas and applies pending migrations. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  if (!SYNCHRONOUS_VALUES.includes(options.synchronous)) {
    // The value is interpolated into a pragma: only the two known words may get there.
    throw new TypeError(`store synchronous must be FULL or NORMAL, got "${String(options.synchronous)}"`)
  }
  const inMemory = options.path === ':memory:'
  if (!inMemory) mkdirSync(dirname(options.path), { recursive: true })
  const db = new DatabaseSync(options.path)
  try {
    db.exec(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`)
    db.exec('PRAGMA journal_mode = WAL')
    db.exec(`PRAGMA synchronous = ${options.synchronous}`)
    db.exec('PRAGMA foreign_keys = ON')
    applyMigrations(db, sqliteMigrations, options.path)
    return new SqliteDatabaseStore(db, options.path)
  } catch (error) {
    db.close()
    throw error
  }
}

function applyMigrations(db: DatabaseSync, migrations: readonly Migration[], path: string): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new TypeError(`migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`)
  })
  const known = migrations.length
  const refuseNewer = (found: number) => {
    if (found > known) {
      throw new Error(`database ${path} has schema version ${found}, newer than this open-dcr knows (${known}); run a newer open-dcr or point store.path at another file`)
    }
  }
  refuseNewer(schemaVersion(db))
  for (const migration of migrations) {
    if (migration.version <= schemaVersion(db)) continue
    db.exec('BEGIN IMMEDIATE')
    try {
      // Another process may have migrated while this one waited for the lock.
      const current = schemaVersion(db)
      refuseNewer(current)
      if (migration.version > current) {
        db.exec(migration.sql)
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now())
      }
      db.exec('COMMIT')
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK')
      throw error
    }
  }
}

function schemaVersion(db: DatabaseSync): number {
  const table = db.prepare("SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()
  if (table === undefined) return 0
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get()
  return row === undefined || row.version === null ? 0 : integer(row, 'version')
}

type Row = Record<string, unknown>

class SqliteDatabaseStore implements SqliteStore {
  readonly path: string
  readonly #db: DatabaseSync
  readonly #begin: StatementSync
  readonly #commit: StatementSync
  readonly #rollback: StatementSync
  readonly #isJtiUsed: StatementSync
  readonly #insertJti: StatementSync
  readonly #insertClient: StatementSync
  readonly #claimSoftware: StatementSync
  readonly #updateClient: StatementSync
  readonly #markDeleted: StatementSync
  readonly #releaseSoftware: StatementSync
  readonly #selectClient: StatementSync
  readonly #insertAudit: StatementSync
  readonly #listAudit: StatementSync
  readonly #purgeJtis: StatementSync
  readonly #counts: StatementSync
  readonly #revokeToken: StatementSync
  readonly #isTokenRevoked: StatementSync
  readonly #purgeRevoked: StatementSync

  constructor(db: DatabaseSync, path: string) {
    this.path = path
    this.#db = db
    this.#begin = db.prepare('BEGIN IMMEDIATE')
    this.#commit = db.prepare('COMMIT')
    this.#rollback = db.prepare('ROLLBACK')
    this.#isJtiUsed = db.prepare('SELECT 1 AS used FROM used_jtis WHERE issuer = ? AND jti = ? AND expires_at > ?')
    // A live row leaves the insert with no change (→ conflict); an expired leftover is overwritten.
    this.#insertJti = db.prepare(`INSERT INTO used_jtis (issuer, jti, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = excluded.expires_at WHERE used_jtis.expires_at <= ?`)
    this.#insertClient = db.prepare(`INSERT INTO clients (client_id, software_id, org_id, directory_issuer, metadata,
      software_statement, certificate_thumbprint, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    // The software id is free when unclaimed, or claimed by a client that is no longer active.
    this.#claimSoftware = db.prepare(`INSERT INTO exclusive_software (software_id, client_id) VALUES (?, ?)
      ON CONFLICT (software_id) DO UPDATE SET client_id = excluded.client_id
      WHERE NOT EXISTS (SELECT 1 FROM clients WHERE clients.client_id = exclusive_software.client_id AND clients.status = 'active')`)
    this.#updateClient = db.prepare(`UPDATE clients SET org_id = ?, directory_issuer = ?, metadata = ?, software_statement = ?,
      certificate_thumbprint = ?, updated_at = ? WHERE client_id = ? AND status = 'active'`)
    this.#markDeleted = db.prepare("UPDATE clients SET status = 'deleted', updated_at = ? WHERE client_id = ? AND status = 'active'")
    this.#releaseSoftware = db.prepare('DELETE FROM exclusive_software WHERE client_id = ?')
    this.#selectClient = db.prepare('SELECT * FROM clients WHERE client_id = ?')
    this.#insertAudit = db.prepare(`INSERT INTO audit_events (at, operation, outcome, client_id, software_id, error_code, validator,
      certificate_thumbprint, remote_address, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.#listAudit = db.prepare('SELECT * FROM audit_events ORDER BY id DESC LIMIT ?')
    this.#purgeJtis = db.prepare('DELETE FROM used_jtis WHERE expires_at <= ?')
    this.#revokeToken = db.prepare('INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING')
    this.#isTokenRevoked = db.prepare('SELECT 1 AS revoked FROM revoked_access_tokens WHERE jti = ? AND expires_at > ?')
    this.#purgeRevoked = db.prepare('DELETE FROM revoked_access_tokens WHERE expires_at <= ?')
    this.#counts = db.prepare(`SELECT (SELECT COUNT(*) FROM clients) AS clients, (SELECT COUNT(*) FROM used_jtis) AS jtis,
      (SELECT COUNT(*) FROM audit_events) AS audit_events`)
  }

  async isJtiUsed(issuer: string, jti: string, now: number): Promise<boolean> {
    return this.#isJtiUsed.get(issuer, jti, now) !== undefined
  }

  /** JTIs count as expired against `client.createdAt`. */
  async createClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent, options: CreateOptions): Promise<void> {
    if (client.status !== 'active') throw new TypeError(`createClient needs an active client record, got status "${client.status}"`)
    this.#transaction(() => {
      this.#insertClient.run(
        client.clientId,
        client.softwareId,
        client.orgId ?? null,
        client.directoryIssuer ?? null,
        JSON.stringify(client.metadata),
        client.softwareStatement ?? null,
        client.certificateThumbprint ?? null,
        client.status,
        client.createdAt,
        client.updatedAt,
      )
      if (options.exclusiveSoftwareId && this.#claimSoftware.run(client.softwareId, client.clientId).changes === 0) {
        throw new StoreConflictError('software_id', `software_id "${client.softwareId}" already has an active registration; delete it before registering again`)
      }
      this.#recordJtis(jtis, client.createdAt)
      this.#recordAudit(audit)
    })
  }

  /** JTIs count as expired against `client.updatedAt`. software_id, status and created_at stay as stored. */
  async updateClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent): Promise<void> {
    this.#transaction(() => {
      const updated = this.#updateClient.run(
        client.orgId ?? null,
        client.directoryIssuer ?? null,
        JSON.stringify(client.metadata),
        client.softwareStatement ?? null,
        client.certificateThumbprint ?? null,
        client.updatedAt,
        client.clientId,
      )
      if (updated.changes === 0) throw new Error(`client_id "${client.clientId}" is not an active registration`)
      this.#recordJtis(jtis, client.updatedAt)
      this.#recordAudit(audit)
    })
  }

  async deleteClient(clientId: string, at: number, audit: AuditEvent): Promise<void> {
    this.#transaction(() => {
      if (this.#markDeleted.run(at, clientId).changes === 0) throw new Error(`client_id "${clientId}" is not an active registration`)
      this.#releaseSoftware.run(clientId)
      this.#recordAudit(audit)
    })
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const row = this.#selectClient.get(clientId)
    return row === undefined ? undefined : clientFromRow(row)
  }

  async recordAudit(event: AuditEvent): Promise<void> {
    this.#recordAudit(event)
  }

  async listAudit(limit: number): Promise<AuditEvent[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`listAudit limit must be a non-negative integer, got ${limit}`)
    return this.#listAudit.all(limit).map(auditFromRow)
  }

  async recordJti(used: UsedJti, now: number): Promise<void> {
    this.#transaction(() => this.#recordJtis([used], now))
  }

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    this.#revokeToken.run(jti, expiresAt)
  }

  async isAccessTokenRevoked(jti: string, now: number): Promise<boolean> {
    return this.#isTokenRevoked.get(jti, now) !== undefined
  }

  async purgeExpiredJtis(now: number): Promise<number> {
    this.#purgeRevoked.run(now)
    return Number(this.#purgeJtis.run(now).changes)
  }

  async counts(): Promise<StoreCounts> {
    const row = this.#counts.get()
    if (row === undefined) throw new Error('store counts returned no row')
    return { clients: integer(row, 'clients'), jtis: integer(row, 'jtis'), auditEvents: integer(row, 'audit_events') }
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close()
  }

  pragmas(): SqlitePragmas {
    const read = (pragma: string): unknown => Object.values(this.#db.prepare(`PRAGMA ${pragma}`).get() ?? {})[0]
    return {
      journalMode: String(read('journal_mode')),
      synchronous: Number(read('synchronous')),
      foreignKeys: Number(read('foreign_keys')),
      busyTimeout: Number(read('busy_timeout')),
    }
  }

  appliedMigrations(): AppliedMigration[] {
    return this.#db
      .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
      .all()
      .map((row) => ({ version: integer(row, 'version'), name: text(row, 'name'), appliedAt: integer(row, 'applied_at') }))
  }

  /** Runs `work` between BEGIN IMMEDIATE and COMMIT; any error rolls everything back and is rethrown. */
  #transaction(work: () => void): void {
    this.#begin.run()
    try {
      work()
      this.#commit.run()
    } catch (error) {
      // SQLite may already have rolled back on its own (e.g. disk full).
      if (this.#db.isTransaction) this.#rollback.run()
      throw error
    }
  }

  #recordJtis(jtis: readonly UsedJti[], now: number): void {
    for (const used of jtis) {
      if (this.#insertJti.run(used.issuer, used.jti, used.expiresAt, now).changes === 0) {
        throw new StoreConflictError('jti', `a JWT with this jti from issuer "${used.issuer}" was already accepted; sign a new JWT with a fresh jti`, used.issuer)
      }
    }
  }

  #recordAudit(event: AuditEvent): void {
    this.#insertAudit.run(
      event.at,
      event.operation,
      event.outcome,
      event.clientId ?? null,
      event.softwareId ?? null,
      event.errorCode ?? null,
      event.validator ?? null,
      event.certificateThumbprint ?? null,
      event.remoteAddress ?? null,
      event.detail ?? null,
    )
  }
}

function clientFromRow(row: Row): ClientRecord {
  const metadata: unknown = JSON.parse(text(row, 'metadata'))
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new Error('stored client metadata is not a JSON object')
  const status = text(row, 'status')
  if (status !== 'active' && status !== 'deleted') throw new Error(`stored client status "${status}" is unknown`)
  return {
    clientId: text(row, 'client_id'),
    softwareId: text(row, 'software_id'),
    orgId: optionalText(row, 'org_id'),
    directoryIssuer: optionalText(row, 'directory_issuer'),
    metadata: metadata as Record<string, unknown>,
    softwareStatement: optionalText(row, 'software_statement'),
    certificateThumbprint: optionalText(row, 'certificate_thumbprint'),
    status,
    createdAt: integer(row, 'created_at'),
    updatedAt: integer(row, 'updated_at'),
  }
}

/** Optional fields that were not recorded are left out, so an event reads back as it was given. */
function auditFromRow(row: Row): AuditEvent {
  const event: AuditEvent = {
    at: integer(row, 'at'),
    operation: text(row, 'operation') as AuditEvent['operation'],
    outcome: text(row, 'outcome') as AuditEvent['outcome'],
  }
  const optional = {
    clientId: optionalText(row, 'client_id'),
    softwareId: optionalText(row, 'software_id'),
    errorCode: optionalText(row, 'error_code'),
    validator: optionalText(row, 'validator'),
    certificateThumbprint: optionalText(row, 'certificate_thumbprint'),
    remoteAddress: optionalText(row, 'remote_address'),
    detail: optionalText(row, 'detail'),
  }
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(event, { [key]: value })
  }
  return event
}

function text(row: Row, column: string): string {
  const value = row[column]
  if (typeof value !== 'string') throw new Error(`stored column ${column} is not text`)
  return value
}

function optionalText(row: Row, column: string): string | undefined {
  return row[column] === null ? undefined : text(row, column)
}

function integer(row: Row, column: string): number {
  const value = row[column]
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  throw new Error(`stored column ${column} is not a number`)
}
