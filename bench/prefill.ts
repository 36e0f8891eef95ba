/**
 * Fills a benchmark database up to a number of stored clients, fast, for the scale curve (issue 7 §3):
 * rows are generated and written in one transaction straight through node:sqlite, not through HTTP.
 * Each client looks like a real registration: the registered metadata and software statement of a real
 * sample request, a client_id made as the server makes them, two JTI rows (request and SSA, still live: the
 * worst case for the replay index) and one audit event. The schema comes from the store itself (openSqliteStore migrates).
 */
import { randomUUID } from 'node:crypto'
import { closeSync, fsyncSync, openSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { newClientId } from '../src/registration/client-id.ts'
import { openSqliteStore } from '../src/store/sqlite.ts'

export type PrefillSample = {
  softwareId: string
  orgId: string
  directoryIssuer: string
  /** The registered metadata of a real registration, as JSON text. */
  metadataJson: string
  softwareStatement: string
  certificateThumbprint: string
}

/** Rows per INSERT batch inside the one transaction (keeps memory flat). */
const BATCH = 20_000

/** Adds clients until `path` holds `target`; returns how many were added and how long it took (ms). */
export async function prefillClients(path: string, target: number, sample: PrefillSample): Promise<{ added: number; milliseconds: number }> {
  const began = performance.now()
  const store = openSqliteStore({ path, synchronous: 'FULL' })
  const existing = (await store.counts()).clients
  await store.close()
  const missing = target - existing
  if (missing <= 0) return { added: 0, milliseconds: performance.now() - began }

  const db = new DatabaseSync(path)
  try {
    // A bulk load: the durability of each row does not matter, only the final file; one sync at the end.
    // No journal either (a crash would spoil only this benchmark file); WAL again when done.
    db.exec('PRAGMA journal_mode = OFF')
    db.exec('PRAGMA synchronous = OFF')
    db.exec('PRAGMA cache_size = -524288')
    const insertClient = db.prepare(`INSERT INTO clients (client_id, software_id, org_id, directory_issuer, metadata, software_statement,
      certificate_thumbprint, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`)
    const insertJti = db.prepare('INSERT INTO used_jtis (issuer, jti, expires_at) VALUES (?, ?, ?)')
    const insertAudit = db.prepare(`INSERT INTO audit_events (at, operation, outcome, client_id, software_id, certificate_thumbprint, remote_address)
      VALUES (?, 'create', 'success', ?, ?, ?, '127.0.0.1')`)
    const now = Math.floor(Date.now() / 1000)
    const liveUntil = now + 86_400
    db.exec('BEGIN')
    for (let done = 0; done < missing; done += BATCH) {
      const size = Math.min(BATCH, missing - done)
      // Sorted keys fill the B-trees page by page; random keys would only make the load slower, not the table different.
      const createdAt = now - 86_400
      const clientIds = Array.from({ length: size }, () => newClientId(16, createdAt * 1000)).sort()
      for (const clientId of clientIds) {
        insertClient.run(clientId, sample.softwareId, sample.orgId, sample.directoryIssuer, sample.metadataJson, sample.softwareStatement, sample.certificateThumbprint, createdAt, createdAt)
        insertAudit.run(createdAt * 1000, clientId, sample.softwareId, sample.certificateThumbprint)
      }
      const requestJtis = Array.from({ length: size }, () => randomUUID()).sort()
      for (const jti of requestJtis) insertJti.run(sample.softwareId, jti, liveUntil)
      const ssaJtis = Array.from({ length: size }, () => randomUUID()).sort()
      for (const jti of ssaJtis) insertJti.run(sample.directoryIssuer, jti, liveUntil)
    }
    db.exec('COMMIT')
    db.exec('PRAGMA journal_mode = WAL')
  } finally {
    db.close()
  }
  // The load was written without syncs: flush it now, so that its write-back does not slow the measurement after it.
  const fd = openSync(path, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  return { added: missing, milliseconds: performance.now() - began }
}
