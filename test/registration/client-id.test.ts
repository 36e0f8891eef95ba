/** Client ids (SEC-34): a creation-time prefix that sorts, then at least 128 random bits. */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { newClientId } from '../../src/registration/client-id.ts'

describe('newClientId (SEC-34)', () => {
  it('is 12 hex digits of the creation time in milliseconds, then the random bytes in base64url', () => {
    const at = Date.UTC(2026, 10, 26, 7, 30)
    const id = newClientId(16, at)
    assert.match(id, /^[0-9a-f]{12}[A-Za-z0-9_-]{22}$/)
    assert.equal(Number.parseInt(id.slice(0, 12), 16), at)
    assert.equal(Buffer.from(id.slice(12), 'base64url').length, 16)
    assert.equal(Buffer.from(newClientId(32, at).slice(12), 'base64url').length, 32)
  })

  it('sorts later ids after earlier ones, as text, so the store index grows at its end', () => {
    const ids = [0, 1, 999, 1_000, 16 ** 6, Date.UTC(2026, 0, 1), Date.UTC(2100, 0, 1)].map((at) => newClientId(16, at))
    assert.deepEqual([...ids].sort(), ids)
  })

  it('never repeats within one millisecond: the random part differs', () => {
    const at = Date.now()
    const ids = new Set(Array.from({ length: 1_000 }, () => newClientId(16, at)))
    assert.equal(ids.size, 1_000)
  })
})
