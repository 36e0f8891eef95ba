/**
 * The in-memory rate-limit counter of one process (lib/rate-limit-counter.ts): fixed windows per key, at most
 * `maxKeys` keys (the least recently hit dropped first, so a flood of new addresses cannot grow memory). Several
 * instances each count their own share; a shared store implements the same interface.
 */
import type { RateLimitCounter, RateLimitHit } from '../lib/rate-limit-counter.ts'

type Window = { startMs: number; count: number }

export function createMemoryRateLimitCounter(maxKeys: number): RateLimitCounter {
  // A Map iterates in insertion order: re-inserting on each hit keeps the least recently hit first.
  const windows = new Map<string, Window>()
  return {
    async hit(key, windowMs, nowMs): Promise<RateLimitHit> {
      let window = windows.get(key)
      windows.delete(key)
      if (window === undefined || window.startMs + windowMs <= nowMs) window = { startMs: nowMs, count: 0 }
      window.count += 1
      windows.set(key, window)
      if (windows.size > maxKeys) windows.delete(windows.keys().next().value!)
      return { count: window.count, resetInMs: window.startMs + windowMs - nowMs }
    },
  }
}
