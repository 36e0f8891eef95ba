/**
 * The worker-thread side of the threaded SQLite store (sqlite-writer.ts): owns a second connection to the
 * same database file, with group commit on, and runs the write methods the main thread sends it. While it
 * waits for one COMMIT's WAL sync, later writes queue in its port and are committed together in the next
 * batch, so the event loop of the server never waits for the disk (SEC-11 and SEC-37 still hold: the
 * unique keys refuse a duplicate inside any batch).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { openSqliteStore, type SqliteStoreOptions } from './sqlite.ts'
import { StoreConflictError, type Store, type StoreConflict } from './store.ts'

/** A write the main thread asks for: a Store method name and its (structured-clonable) arguments. */
export type WriteCall = { id: number; method: string; args: unknown[] }
export type WriteAnswer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError }
export type SerializedError = { name: string; message: string; conflict?: StoreConflict; issuer?: string | undefined }

function serialize(error: unknown): SerializedError {
  if (error instanceof StoreConflictError) return { name: error.name, message: error.message, conflict: error.conflict, issuer: error.issuer }
  if (error instanceof Error) return { name: error.name, message: error.message }
  return { name: 'Error', message: String(error) }
}

const port = parentPort
if (port === null) throw new TypeError('sqlite-writer-thread.ts runs only as a worker thread')
const options = workerData as SqliteStoreOptions
const store: Store = openSqliteStore({ ...options, groupCommit: true })
const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>

/** Answers not yet posted; close waits for them. */
const inFlight = new Set<Promise<unknown>>()

port.on('message', (message: WriteCall | { close: true }) => {
  if ('close' in message) {
    // close() commits what is pending; every answer goes out before the port closes.
    store
      .close()
      .then(() => Promise.allSettled([...inFlight]))
      .finally(() => port.close())
    return
  }
  const method = methods[message.method]
  if (typeof method !== 'function') {
    port.postMessage({ id: message.id, ok: false, error: { name: 'TypeError', message: `the store has no method ${message.method}` } } satisfies WriteAnswer)
    return
  }
  const answered = method.apply(store, message.args).then(
    (value) => port.postMessage({ id: message.id, ok: true, value } satisfies WriteAnswer),
    (error: unknown) => port.postMessage({ id: message.id, ok: false, error: serialize(error) } satisfies WriteAnswer),
  )
  inFlight.add(answered)
  void answered.finally(() => inFlight.delete(answered))
})
port.postMessage({ ready: true })
