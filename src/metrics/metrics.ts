/**
 * The Prometheus metrics of one server process (prom-client), in one registry that the admin listener serves at
 * /metrics (issue 15 item 5). Names follow the Prometheus conventions: `open_dcr_` prefix, `_total` counters,
 * `_seconds` histograms, bounded label values (an operation, a status, an RFC error code, a validator id — never a
 * client id, URL or other caller-chosen text).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

/** Latency buckets in seconds: registrations take about a millisecond, outbound fetches up to the timeout. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

export type Metrics = {
  readonly registry: Registry
  /** An answered request of an endpoint: its operation, status and RFC error (empty on success). */
  request(operation: string, status: number, error: string, seconds: number): void
  /** One validator's run: its id, its outcome (`pass` or the RFC error it refused with) and its duration. */
  validator(id: string, outcome: string, seconds: number): void
  /** One store call: the Store method and whether it failed. */
  store(operation: string, failed: boolean, seconds: number): void
  /** One outbound fetch (JWKS, CDR Register, extension service): what it was for and its outcome. */
  outbound(purpose: string, outcome: string, seconds: number): void
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'open_dcr_process_' })
  const requests = new Counter({ name: 'open_dcr_requests_total', help: 'Answered requests by operation, HTTP status and RFC error (empty on success).', labelNames: ['operation', 'status', 'error'], registers: [registry] })
  const requestSeconds = new Histogram({ name: 'open_dcr_request_duration_seconds', help: 'Time to answer a request, by operation.', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers: [registry] })
  const validatorSeconds = new Histogram({ name: 'open_dcr_validator_duration_seconds', help: 'Time of each registration check, by validator and outcome (pass or the RFC error).', labelNames: ['validator', 'outcome'], buckets: LATENCY_BUCKETS, registers: [registry] })
  const storeSeconds = new Histogram({ name: 'open_dcr_store_duration_seconds', help: 'Time of each store call, by operation and outcome.', labelNames: ['operation', 'outcome'], buckets: LATENCY_BUCKETS, registers: [registry] })
  const outboundSeconds = new Histogram({ name: 'open_dcr_outbound_duration_seconds', help: 'Time of outbound fetches (JWKS, CDR Register, extension service), by purpose and outcome.', labelNames: ['purpose', 'outcome'], buckets: LATENCY_BUCKETS, registers: [registry] })
  return {
    registry,
    request(operation, status, error, seconds) {
      requests.inc({ operation, status: String(status), error })
      requestSeconds.observe({ operation }, seconds)
    },
    validator: (id, outcome, seconds) => validatorSeconds.observe({ validator: id, outcome }, seconds),
    store: (operation, failed, seconds) => storeSeconds.observe({ operation, outcome: failed ? 'error' : 'ok' }, seconds),
    outbound: (purpose, outcome, seconds) => outboundSeconds.observe({ purpose, outcome }, seconds),
  }
}
