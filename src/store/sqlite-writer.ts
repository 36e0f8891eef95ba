/**
 * The SQLite store with its writes on a worker thread (store.groupCommit): reads run on the calling thread's
 * own connection (WAL readers never wait for the writer), every write method is sent to
 * sqlite-writer-thread.ts, which commits the writes that queue up meanwhile together (group commit, one WAL
 * sync per batch). A write resolves only after its batch is committed, so with `synchronous` FULL an
 * answered registration still survives a power loss; the event loop no longer blocks on the disk.
 * `:memory:` cannot be shared between two connections and stays on the calling thread.
 */
import { Worker } from 'node:worker_threads'
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite.ts'
import { StoreConflictError } from './store.ts'
import type { WriteAnswer, WriteCall } from './sqlite-writer-thread.ts'

/** Store methods that write: they run on the writer thread. A new write method must be listed here. */
export const WRITE_METHODS: readonly string[] = [
  'createClient',
  'setClientStatus',
  'updateClient',
  'deleteClient',
  'recordAudit',
  'recordJti',
  'revokeAccessToken',
  'rotateRegistrationToken',
  'revokeRegistrationToken',
  'purgeExpiredJtis',
  'purgeAuditEvents',
]

/**
 * Store methods that only read (or manage the connection): they run on the calling thread. A method in
 * neither list would still work, but on the calling thread; test/store/sqlite-group-commit.test.ts fails then.
 */
export const READ_METHODS: readonly string[] = [
  'isJtiUsed',
  'getClient',
  'listClientsOfDirectory',
  'listAudit',
  'isAccessTokenRevoked',
  'findRegistrationToken',
  'counts',
  'close',
  'pragmas',
  'appliedMigrations',
]

type Pending = { resolve: (value: unknown) => void; reject: (error: unknown) => void }

function toError(error: Extract<WriteAnswer, { ok: false }>['error']): Error {
  if (error.conflict !== undefined) return new StoreConflictError(error.conflict, error.message, error.issuer)
  const rebuilt = error.name === 'TypeError' ? new TypeError(error.message) : new Error(error.message)
  if (rebuilt.name !== error.name) rebuilt.name = error.name
  return rebuilt
}

/**
 * Opens the database on this thread (pragmas, migrations: a bad file fails here, at start-up) and starts
 * the writer thread. Writes asked for before the thread is ready wait in its port.
 */
export function openThreadedSqliteStore(options: SqliteStoreOptions): SqliteStore {
  if (options.path === ':memory:') return openSqliteStore({ ...options, groupCommit: true })
  const reader = openSqliteStore({ ...options, groupCommit: false })
  const worker = new Worker(new URL('./sqlite-writer-thread.ts', import.meta.url), { workerData: { path: options.path, synchronous: options.synchronous } })
  const pending = new Map<number, Pending>()
  let nextId = 0
  let failure: Error | undefined
  // The thread keeps the process alive only while a write is waiting for it.
  worker.unref()
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))

  const failAll = (error: Error) => {
    failure = error
    for (const waiting of pending.values()) waiting.reject(error)
    pending.clear()
  }
  worker.on('message', (answer: WriteAnswer | { ready: true }) => {
    if ('ready' in answer) return
    const waiting = pending.get(answer.id)
    if (waiting === undefined) return
    pending.delete(answer.id)
    if (pending.size === 0) worker.unref()
    if (answer.ok) waiting.resolve(answer.value)
    else waiting.reject(toError(answer.error))
  })
  worker.on('error', (error) => failAll(new Error(`the SQLite writer thread failed: ${error.message}`, { cause: error })))
  worker.on('exit', () => failAll(failure ?? new Error('the SQLite writer thread has stopped')))

  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (failure !== undefined) return Promise.reject(failure)
    const id = nextId
    nextId += 1
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject })
      if (pending.size === 1) worker.ref()
      worker.postMessage({ id, method, args } satisfies WriteCall)
    })
  }

  // Every method of the reader (bound: its connection is a private field), then the writes replaced.
  const store: Record<string, unknown> = { path: reader.path }
  const readerMethods = reader as unknown as Record<string, unknown>
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(reader))) {
    const member = readerMethods[name]
    if (name !== 'constructor' && typeof member === 'function') store[name] = (member as (...args: unknown[]) => unknown).bind(reader)
  }
  for (const method of WRITE_METHODS) store[method] = (...args: unknown[]) => call(method, args)
  Object.assign(store, {
    async close() {
      if (failure === undefined) {
        worker.ref()
        worker.postMessage({ close: true })
        await exited
      }
      await reader.close()
    },
  })
  return store as unknown as SqliteStore
}
