/**
 * A Store whose every call is timed into the metrics (open_dcr_store_duration_seconds), by method name and
 * outcome; calls pass through unchanged, and `close` is not timed.
 */
import type { Store } from '../store/store.ts'
import type { Metrics } from './metrics.ts'

type Method = (...args: unknown[]) => Promise<unknown>

export function timedStore<S extends Store>(store: S, metrics: Pick<Metrics, 'store'>): S {
  const timed: Record<string, unknown> = {}
  for (const [name, member] of Object.entries(store)) {
    if (typeof member !== 'function' || name === 'close') {
      timed[name] = typeof member === 'function' ? (member as Method).bind(store) : member
      continue
    }
    timed[name] = async (...args: unknown[]) => {
      const started = performance.now()
      let failed = false
      try {
        return await (member as Method).apply(store, args)
      } catch (error) {
        failed = true
        throw error
      } finally {
        metrics.store(name, failed, (performance.now() - started) / 1000)
      }
    }
  }
  return timed as S
}
