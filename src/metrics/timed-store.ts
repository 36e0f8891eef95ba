/**
 * A Store whose every call is timed into the metrics (open_dcr_store_duration_seconds), by method name and
 * outcome; calls pass through unchanged, and `close` is not timed.
 */
import type { Store } from '../store/store.ts'
import type { Metrics } from './metrics.ts'

type Method = (...args: unknown[]) => Promise<unknown>

/** The store's members: own ones (a plain object) and those of its class (PostgreSQL's store is a class instance). */
function membersOf(store: object): Array<[string, unknown]> {
  const names = new Set(Object.keys(store))
  for (let proto = Object.getPrototypeOf(store) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name)
  }
  return [...names].map((name) => [name, (store as Record<string, unknown>)[name]])
}

export function timedStore<S extends Store>(store: S, metrics: Pick<Metrics, 'store'>): S {
  const timed: Record<string, unknown> = {}
  for (const [name, member] of membersOf(store)) {
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
