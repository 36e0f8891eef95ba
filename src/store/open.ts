/**
 * Opens the store the configuration names (`store.kind`): the embedded SQLite file for one process, or the
 * PostgreSQL database that several instances share (DESIGN "Scale", SEC-11 replay protection across them).
 * Either applies its pending migrations first and refuses a schema newer than it knows.
 */
import type { Config } from '../config/schema.ts'
import { openPostgresStore } from './postgres.ts'
import { openSqliteStore, type SqliteSynchronous } from './sqlite.ts'
import { openThreadedSqliteStore } from './sqlite-writer.ts'
import type { Store } from './store.ts'

export type OpenStoreOptions = {
  /** Errors of idle PostgreSQL connections (the database restarted); the pool replaces the connection. */
  onIdleError?: (error: Error) => void
}

export async function openStore(config: Config['store'], options: OpenStoreOptions = {}): Promise<Store> {
  switch (config.kind) {
    case 'sqlite':
      // Group commit runs the writes on their own thread (sqlite-writer.ts), so no request waits behind a WAL sync.
      return config.groupCommit
        ? openThreadedSqliteStore({ path: config.path, synchronous: sqliteSynchronous(config.synchronous) })
        : openSqliteStore({ path: config.path, synchronous: sqliteSynchronous(config.synchronous) })
    case 'postgres':
      if (config.url === undefined) throw new TypeError('store.url is required with store.kind postgres')
      return openPostgresStore({ url: config.url, pool: config.pool, statementTimeoutMs: config.statementTimeoutMs, ...options })
    default:
      throw new TypeError(`store.kind "${config.kind}" is not supported (supported: sqlite, postgres)`)
  }
}

/** The configuration loader already allows only these two; narrowing here keeps the type honest. */
function sqliteSynchronous(value: string): SqliteSynchronous {
  if (value === 'FULL' || value === 'NORMAL') return value
  throw new TypeError(`store.synchronous must be FULL or NORMAL, got "${value}"`)
}
