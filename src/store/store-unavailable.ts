/**
 * The store cannot answer right now: the database is down or unreachable, refuses connections, or a statement
 * ran past `store.statementTimeoutMs`. The transaction is rolled back (nothing half-written), and the caller
 * gets `server.store_unavailable`: 503 with Retry-After (RFC 9110 §15.6.4, §10.2.3) and an RFC 6749-shaped
 * `temporarily_unavailable` body, never a 500. The database's own message stays in `cause`, for the log only.
 */
import { AnsweredError } from '../lib/answered-error.ts'
import { describeError } from '../lib/error-table.ts'

/** Seconds a client is asked to wait before sending the request again. */
export const STORE_RETRY_AFTER_SECONDS = 5

export class StoreUnavailableError extends AnsweredError {
  constructor(options: { cause: unknown }) {
    super('server.store_unavailable', describeError('server.store_unavailable'), { cause: options.cause, headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) } })
    this.name = 'StoreUnavailableError'
  }
}
