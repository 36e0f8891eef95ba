/**
 * The embedded store: one SQLite file through node:sqlite, in WAL mode, with `synchronous` FULL by default so
 * that an answered registration survives a power loss. Each write is one BEGIN IMMEDIATE transaction, so a
 * registration, its JTIs and its audit event land together or not at all, and a second process on the same
 * file waits (busy_timeout) instead of failing. With group commit, the writes of one event-loop turn share
 * one transaction (each in a savepoint) and one WAL sync, and each is answered only after that COMMIT.
 * SEC-11: (issuer, jti) is a primary key; a live row refuses the insert, an expired leftover is replaced.
 * SEC-37: one live registration per software id is a primary key on exclusive_software, not a read-then-write.
 * SEC-35: only the record, the JTIs and the audit event are written; nothing is logged.
 * RFC7592-8/17, SEC-32: registration access tokens are rows of hashes; a rotation caps every earlier token of
 * the client at its grace deadline and inserts the new one as the client's single current token.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { sqliteMigrations, type Migration } from './migrations/sqlite.ts'
import { auditFromRow, clientFromRow, integer, text } from './rows.ts'
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
  /**
   * Group commit (default off here; on in the configuration, `store.groupCommit`): the writes asked for
   * during one turn of the event loop share one transaction and so one WAL sync, each in its own savepoint so
   * that one refused write (a used JTI) leaves the others intact. Every write still resolves only after the
   * COMMIT of its batch, so with `synchronous` FULL an answered registration survives a power loss.
   */
  groupCommit?: boolean
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
    return new SqliteDatabaseStore(db, options.path, options.groupCommit ?? false)
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


/** A write waiting for its group commit. */
type PendingWrite = { work: () => void; resolve: () => void; reject: (error: unknown) => void }

class SqliteDatabaseStore implements SqliteStore {
  readonly path: string
  readonly #db: DatabaseSync
  readonly #begin: StatementSync
  readonly #commit: StatementSync
  readonly #rollback: StatementSync
  readonly #savepoint: StatementSync
  readonly #releaseSavepoint: StatementSync
  readonly #rollbackToSavepoint: StatementSync
  readonly #groupCommit: boolean
  /** Writes waiting for the next group commit (group commit only). */
  #pending: PendingWrite[] = []
  readonly #isJtiUsed: StatementSync
  readonly #insertJti: StatementSync
  readonly #insertClient: StatementSync
  readonly #claimSoftware: StatementSync
  readonly #updateClient: StatementSync
  readonly #markDeleted: StatementSync
  readonly #releaseSoftware: StatementSync
  readonly #selectClient: StatementSync
  readonly #selectDirectoryClients: StatementSync
  readonly #setStatus: StatementSync
  readonly #insertAudit: StatementSync
  readonly #listAudit: StatementSync
  readonly #purgeAudit: StatementSync
  readonly #liveOfSoftware: StatementSync
  readonly #liveOfOrganisation: StatementSync
  readonly #purgeJtis: StatementSync
  readonly #counts: StatementSync
  readonly #revokeToken: StatementSync
  readonly #isTokenRevoked: StatementSync
  readonly #purgeRevoked: StatementSync
  readonly #insertRegistrationToken: StatementSync
  readonly #capRegistrationTokens: StatementSync
  readonly #dropExpiredRegistrationTokens: StatementSync
  readonly #findRegistrationToken: StatementSync
  readonly #deleteRegistrationToken: StatementSync
  readonly #deleteClientRegistrationTokens: StatementSync
  readonly #purgeRegistrationTokens: StatementSync
  readonly #isActive: StatementSync

  constructor(db: DatabaseSync, path: string, groupCommit: boolean) {
    this.path = path
    this.#db = db
    this.#groupCommit = groupCommit
    this.#savepoint = db.prepare('SAVEPOINT write')
    this.#releaseSavepoint = db.prepare('RELEASE write')
    this.#rollbackToSavepoint = db.prepare('ROLLBACK TO write')
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
      WHERE NOT EXISTS (SELECT 1 FROM clients WHERE clients.client_id = exclusive_software.client_id AND clients.status IN ('active', 'suspended'))`)
    this.#updateClient = db.prepare(`UPDATE clients SET org_id = ?, directory_issuer = ?, metadata = ?, software_statement = ?,
      certificate_thumbprint = ?, updated_at = ? WHERE client_id = ? AND status = 'active'`)
    this.#markDeleted = db.prepare("UPDATE clients SET status = 'deleted', updated_at = ? WHERE client_id = ? AND status = 'active'")
    this.#releaseSoftware = db.prepare('DELETE FROM exclusive_software WHERE client_id = ?')
    this.#selectClient = db.prepare('SELECT * FROM clients WHERE client_id = ?')
    this.#selectDirectoryClients = db.prepare("SELECT * FROM clients WHERE directory_issuer = ? AND status IN ('active', 'suspended') ORDER BY created_at")
    this.#setStatus = db.prepare('UPDATE clients SET status = ?, updated_at = ? WHERE client_id = ? AND status = ?')
    this.#insertAudit = db.prepare(`INSERT INTO audit_events (at, operation, outcome, client_id, software_id, error_code, validator,
      certificate_thumbprint, remote_address, detail, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.#purgeAudit = db.prepare('DELETE FROM audit_events WHERE at < ?')
    this.#liveOfSoftware = db.prepare("SELECT COUNT(*) AS live FROM clients WHERE software_id = ? AND status IN ('active', 'suspended')")
    this.#liveOfOrganisation = db.prepare("SELECT COUNT(*) AS live FROM clients WHERE org_id = ? AND status IN ('active', 'suspended')")
    this.#listAudit = db.prepare('SELECT * FROM audit_events ORDER BY id DESC LIMIT ?')
    this.#purgeJtis = db.prepare('DELETE FROM used_jtis WHERE expires_at <= ?')
    this.#revokeToken = db.prepare('INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING')
    this.#isTokenRevoked = db.prepare('SELECT 1 AS revoked FROM revoked_access_tokens WHERE jti = ? AND expires_at > ?')
    this.#purgeRevoked = db.prepare('DELETE FROM revoked_access_tokens WHERE expires_at <= ?')
    this.#insertRegistrationToken = db.prepare('INSERT INTO registration_tokens (token_hash, client_id, valid_until) VALUES (?, ?, NULL)')
    // Every token of the client still valid at the deadline ends at the deadline; earlier deadlines stay.
    this.#capRegistrationTokens = db.prepare(`UPDATE registration_tokens SET valid_until = ?
      WHERE client_id = ? AND (valid_until IS NULL OR valid_until > ?)`)
    this.#dropExpiredRegistrationTokens = db.prepare('DELETE FROM registration_tokens WHERE client_id = ? AND valid_until IS NOT NULL AND valid_until <= ?')
    this.#findRegistrationToken = db.prepare(`SELECT registration_tokens.client_id AS client_id FROM registration_tokens
      JOIN clients ON clients.client_id = registration_tokens.client_id
      WHERE registration_tokens.token_hash = ? AND (registration_tokens.valid_until IS NULL OR registration_tokens.valid_until > ?) AND clients.status = 'active'`)
    this.#deleteRegistrationToken = db.prepare('DELETE FROM registration_tokens WHERE token_hash = ?')
    this.#deleteClientRegistrationTokens = db.prepare('DELETE FROM registration_tokens WHERE client_id = ?')
    this.#purgeRegistrationTokens = db.prepare('DELETE FROM registration_tokens WHERE valid_until IS NOT NULL AND valid_until <= ?')
    this.#isActive = db.prepare("SELECT 1 AS active FROM clients WHERE client_id = ? AND status = 'active'")
    this.#counts = db.prepare(`SELECT (SELECT COUNT(*) FROM clients) AS clients, (SELECT COUNT(*) FROM used_jtis) AS jtis,
      (SELECT COUNT(*) FROM audit_events) AS audit_events`)
  }

  async isJtiUsed(issuer: string, jti: string, now: number): Promise<boolean> {
    return this.#isJtiUsed.get(issuer, jti, now) !== undefined
  }

  /** JTIs count as expired against `client.createdAt`. */
  async createClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent, options: CreateOptions): Promise<void> {
    if (client.status !== 'active') throw new TypeError(`createClient needs an active client record, got status "${client.status}"`)
    return this.#transaction(() => {
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
      this.#checkCaps(client, options)
      if (options.registrationTokenHash !== undefined) this.#insertRegistrationToken.run(options.registrationTokenHash, client.clientId)
      this.#recordJtis(jtis, client.createdAt)
      this.#recordAudit(audit)
    })
  }

  /** JTIs count as expired against `client.updatedAt`. software_id, status and created_at stay as stored. */
  async updateClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent, options: UpdateOptions = {}): Promise<void> {
    return this.#transaction(() => {
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
      if (options.registrationToken !== undefined) this.#rotateRegistrationToken(client.clientId, options.registrationToken, client.updatedAt)
      this.#recordAudit(audit)
    })
  }

  async deleteClient(clientId: string, at: number, audit: AuditEvent): Promise<void> {
    return this.#transaction(() => {
      if (this.#markDeleted.run(at, clientId).changes === 0) throw new Error(`client_id "${clientId}" is not an active registration`)
      this.#releaseSoftware.run(clientId)
      this.#deleteClientRegistrationTokens.run(clientId)
      this.#recordAudit(audit)
    })
  }

  async listClientsOfDirectory(directoryIssuer: string): Promise<ClientRecord[]> {
    return this.#selectDirectoryClients.all(directoryIssuer).map(clientFromRow)
  }

  async setClientStatus(clientId: string, from: 'active' | 'suspended', to: 'active' | 'suspended', audit: AuditEvent): Promise<boolean> {
    let changed = false
    // With group commit the work runs when its batch commits; `changed` is read only after that.
    await this.#transaction(() => {
      changed = this.#setStatus.run(to, Math.floor(audit.at / 1000), clientId, from).changes > 0
      if (changed) this.#recordAudit(audit)
    })
    return changed
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const row = this.#selectClient.get(clientId)
    return row === undefined ? undefined : clientFromRow(row)
  }

  async recordAudit(event: AuditEvent): Promise<void> {
    return this.#transaction(() => this.#recordAudit(event))
  }

  async listAudit(limit: number): Promise<AuditEvent[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`listAudit limit must be a non-negative integer, got ${limit}`)
    return this.#listAudit.all(limit).map(auditFromRow)
  }

  async recordJti(used: UsedJti, now: number): Promise<void> {
    return this.#transaction(() => this.#recordJtis([used], now))
  }

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    return this.#transaction(() => {
      this.#revokeToken.run(jti, expiresAt)
    })
  }

  async isAccessTokenRevoked(jti: string, now: number): Promise<boolean> {
    return this.#isTokenRevoked.get(jti, now) !== undefined
  }

  async findRegistrationToken(hash: string, now: number): Promise<string | undefined> {
    const row = this.#findRegistrationToken.get(hash, now)
    return row === undefined ? undefined : text(row, 'client_id')
  }

  async rotateRegistrationToken(clientId: string, rotation: RegistrationTokenRotation, now: number, audit: AuditEvent): Promise<void> {
    return this.#transaction(() => {
      if (this.#isActive.get(clientId) === undefined) throw new Error(`client_id "${clientId}" is not an active registration`)
      this.#rotateRegistrationToken(clientId, rotation, now)
      this.#recordAudit(audit)
    })
  }

  async revokeRegistrationToken(hash: string): Promise<void> {
    return this.#transaction(() => {
      this.#deleteRegistrationToken.run(hash)
    })
  }

  async purgeAuditEvents(before: number): Promise<number> {
    return Number(this.#purgeAudit.run(before).changes)
  }

  async purgeExpiredJtis(now: number): Promise<number> {
    this.#purgeRevoked.run(now)
    this.#purgeRegistrationTokens.run(now)
    return Number(this.#purgeJtis.run(now).changes)
  }

  async counts(): Promise<StoreCounts> {
    const row = this.#counts.get()
    if (row === undefined) throw new Error('store counts returned no row')
    return { clients: integer(row, 'clients'), jtis: integer(row, 'jtis'), auditEvents: integer(row, 'audit_events') }
  }

  async close(): Promise<void> {
    // Writes already asked for are committed first, so no caller is left waiting.
    if (this.#pending.length > 0) this.#flush()
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

  /**
   * Runs `work` in a transaction: its own BEGIN IMMEDIATE ... COMMIT, or with group commit a savepoint of
   * the batch committed at the end of this event-loop turn. Resolves once committed; an error of `work`
   * undoes only `work` and rejects with that error.
   */
  #transaction(work: () => void): Promise<void> {
    if (!this.#groupCommit) {
      this.#transactionNow(work)
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ work, resolve, reject })
      if (this.#pending.length === 1) setImmediate(() => this.#flush())
    })
  }

  /** Runs `work` between BEGIN IMMEDIATE and COMMIT; any error rolls everything back and is rethrown. */
  #transactionNow(work: () => void): void {
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

  /** Commits every pending write in one transaction, each in a savepoint, then settles each caller. */
  #flush(): void {
    const batch = this.#pending
    this.#pending = []
    if (batch.length === 0) return
    const outcomes: Array<{ ok: true } | { ok: false; error: unknown }> = []
    try {
      if (!this.#db.isOpen) throw new Error('the store is closed')
      this.#begin.run()
      for (const write of batch) {
        this.#savepoint.run()
        try {
          write.work()
          this.#releaseSavepoint.run()
          outcomes.push({ ok: true })
        } catch (error) {
          // Without the transaction (SQLite rolled it back: disk full, I/O error) the whole batch is lost.
          if (!this.#db.isTransaction) throw error
          this.#rollbackToSavepoint.run()
          this.#releaseSavepoint.run()
          outcomes.push({ ok: false, error })
        }
      }
      this.#commit.run()
    } catch (error) {
      if (this.#db.isOpen && this.#db.isTransaction) this.#rollback.run()
      for (const write of batch) write.reject(error)
      return
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index]!
      if (outcome.ok) write.resolve()
      else write.reject(outcome.error)
    })
  }

  /** Counts the live registrations, this new one included, inside the write's transaction (BEGIN IMMEDIATE: no race). */
  #checkCaps(client: ClientRecord, options: CreateOptions): void {
    const softwareCap = options.maxClientsPerSoftware ?? 0
    if (softwareCap > 0 && integer(this.#liveOfSoftware.get(client.softwareId)!, 'live') > softwareCap) {
      throw new StoreConflictError('software_cap', `software_id "${client.softwareId}" already has ${softwareCap} live registrations, the most registration.maxClientsPerSoftware allows`)
    }
    const organisationCap = options.maxClientsPerOrganisation ?? 0
    if (organisationCap > 0 && client.orgId !== undefined && integer(this.#liveOfOrganisation.get(client.orgId)!, 'live') > organisationCap) {
      throw new StoreConflictError('organisation_cap', `organisation "${client.orgId}" already has ${organisationCap} live registrations, the most registration.maxClientsPerOrganisation allows`)
    }
  }

  /** Caps the client's earlier tokens at the grace deadline, drops the ones already over, inserts the new current one. */
  #rotateRegistrationToken(clientId: string, rotation: RegistrationTokenRotation, now: number): void {
    this.#capRegistrationTokens.run(rotation.previousValidUntil, clientId, rotation.previousValidUntil)
    this.#dropExpiredRegistrationTokens.run(clientId, now)
    this.#insertRegistrationToken.run(rotation.hash, clientId)
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
      event.count ?? null,
    )
  }
}
