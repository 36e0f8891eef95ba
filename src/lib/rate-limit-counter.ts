/**
 * The counter behind the per-client rate limits (http/rate-limit.ts): hits of one key in a fixed window.
 * Kept to one method so that a store shared by several instances (PostgreSQL: an UPSERT on (key, window start)
 * returning the count) can implement it; the in-memory one is store/memory-rate-limit-counter.ts.
 */

export type RateLimitHit = {
  /** Hits of the key in the current window, this one included. */
  count: number
  /** Milliseconds until the window ends and the count starts again from zero. */
  resetInMs: number
}

export interface RateLimitCounter {
  /** Counts one hit of `key` in the window of `windowMs` that contains `nowMs` (epoch milliseconds). */
  hit(key: string, windowMs: number, nowMs: number): Promise<RateLimitHit>
}
