/**
 * Opens the store the configuration names (`store.kind`). Only the embedded SQLite store exists today; a
 * PostgreSQL store for several instances (DESIGN "Scale", SEC-11 shared replay protection) joins here.
 */
import type { Config } from '../config/schema.ts'
import { openSqliteStore, type SqliteSynchronous } from './sqlite.ts'
import { openThreadedSqliteStore } from './sqlite-writer.ts'
import type { Store } from './store.ts'

export function openStore(config: Config['store']): Store {
  switch (config.kind) {
    case 'sqlite':
      // Group commit runs the writes on their own thread (sqlite-writer.ts), so no request waits behind a WAL sync.
      return config.groupCommit
        ? openThreadedSqliteStore({ path: config.path, synchronous: sqliteSynchronous(config.synchronous) })
        : openSqliteStore({ path: config.path, synchronous: sqliteSynchronous(config.synchronous) })
    default:
      throw new TypeError(`store.kind "${config.kind}" is not supported (supported: sqlite)`)
  }
}

/** The configuration loader already allows only these two; narrowing here keeps the type honest. */
function sqliteSynchronous(value: string): SqliteSynchronous {
  if (value === 'FULL' || value === 'NORMAL') return value
  throw new TypeError(`store.synchronous must be FULL or NORMAL, got "${value}"`)
}
