/**
 * New client ids (SEC-34): `clientIdBytes` bytes from the CSPRNG (at least 16: 128 bits), after the time of
 * creation in milliseconds as 12 hex digits. The prefix makes later ids sort after earlier ones, so the
 * store's client_id index grows at its right edge: with wholly random ids every registration wrote a random
 * page of that index, which at a million clients is seldom in memory (docs/performance.md, "Scale").
 * The prefix says nothing that `client_id_issued_at` does not; an id is unguessable by its random part.
 */
import { randomBytes } from 'node:crypto'

/** Hex digits of the time prefix: epoch milliseconds fit in 12 until the year 10889. */
const TIME_DIGITS = 12

export function newClientId(randomByteCount: number, nowMs: number): string {
  return Math.floor(nowMs).toString(16).padStart(TIME_DIGITS, '0') + randomBytes(randomByteCount).toString('base64url')
}
