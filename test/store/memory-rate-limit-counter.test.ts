/** The in-memory rate-limit counter: the RateLimitCounter contract, and its bound on tracked keys. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryRateLimitCounter } from '../../src/store/memory-rate-limit-counter.ts'
import { rateLimitCounterContract } from './contract.ts'

rateLimitCounterContract('in-memory', async () => ({ counter: createMemoryRateLimitCounter(1000), cleanup: async () => {} }))

describe('in-memory rate-limit counter bounds', () => {
  it('forgets the least recently hit key past maxKeys, so a flood of addresses cannot grow memory', async () => {
    const counter = createMemoryRateLimitCounter(2)
    await counter.hit('a', 60_000, 0)
    await counter.hit('b', 60_000, 0)
    await counter.hit('a', 60_000, 1)
    await counter.hit('c', 60_000, 2)
    assert.equal((await counter.hit('a', 60_000, 3)).count, 3)
    assert.equal((await counter.hit('b', 60_000, 3)).count, 1)
  })
})
