/**
 * Refusals of requests that carry no credential (no or untrusted client certificate, a request refused before
 * one was looked at, a rate-limited request) are counted, not stored one row each (DESIGN.md, Operations;
 * issue 13 item 11): a bounded in-memory map from (operation, client address, error code, check) to the first
 * such event and how many followed, written every `audit.refusalFlushSeconds` as one audit row per key with
 * its `count`. The trail grows with the number of distinct refusing addresses per interval, never with the
 * request rate. Past `audit.maxRefusalKeys` keys, new keys are counted together under the address `*`.
 */
import type { AuditEvent, Store } from '../store/store.ts'

/** The address under which refusals past the key bound are counted. */
export const OVERFLOW_ADDRESS = '*'

export type RefusalCounter = {
  /** Counts one refusal; written at the next flush. */
  count(event: AuditEvent): void
  /** Writes one row per counted key and starts counting afresh. */
  flush(): Promise<void>
}

export type RefusalCounterOptions = {
  store: Pick<Store, 'recordAudit'>
  /** Most keys counted between two flushes. */
  maxKeys: number
}

const keyOf = (event: AuditEvent): string => JSON.stringify([event.operation, event.remoteAddress ?? '', event.errorCode ?? '', event.validator ?? ''])

export function createRefusalCounter({ store, maxKeys }: RefusalCounterOptions): RefusalCounter {
  let counted = new Map<string, { event: AuditEvent; count: number }>()
  return {
    count(event) {
      let key = keyOf(event)
      if (!counted.has(key) && counted.size >= maxKeys) {
        event = { ...event, remoteAddress: OVERFLOW_ADDRESS }
        key = keyOf(event)
      }
      const entry = counted.get(key)
      if (entry === undefined) counted.set(key, { event, count: 1 })
      else entry.count += 1
    },
    async flush() {
      const batch = counted
      counted = new Map()
      // Each row is the first event of its key, with how many refusals it stands for.
      await Promise.all([...batch.values()].map(({ event, count }) => store.recordAudit({ ...event, count })))
    },
  }
}
