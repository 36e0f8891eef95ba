/**
 * Benchmark child: the load generator, autocannon driven from its own process. argv[2] is a JSON spec
 * (LoadSpec) and argv[3] an NDJSON file of request items: each line overrides the template's path,
 * headers or body for one request. A distinct load sends each item at most once (pre-signed
 * registrations: each jti is accepted once); otherwise items repeat in a cycle. A warm-up run of the first
 * `warmup` items comes first (JIT, TLS sessions, JWKS caches), then the measured run of `amount` requests
 * over `connections` keep-alive connections. Latency percentiles are exact, over the 2xx responses.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { failChild, tell } from './processes.ts'

export type LoadItem = { path?: string; headers?: Record<string, string>; body?: string }

export type LoadSpec = {
  /** Base URL of the server, `https://127.0.0.1:port`. */
  url: string
  template: { method: 'GET' | 'POST'; path: string; headers: Record<string, string> }
  connections: number
  warmup: number
  amount: number
  /** Each item at most once (true) or in a cycle (false). */
  distinct: boolean
  /** PEM files: client certificate and key to present, CA of the server. */
  tls: { certFile?: string; keyFile?: string; caFile?: string }
  /** Keep the parsed JSON of 2xx answers (for a later phase: client ids, tokens). */
  capture: boolean
}

export type LoadResult = {
  /** 2xx answers of the measured run. */
  ok: number
  /** Answers by status code (measured run). */
  statuses: Record<string, number>
  errors: number
  timeouts: number
  /** Wall time of the measured run, seconds. */
  seconds: number
  /** 2xx answers per second. */
  rate: number
  /** Milliseconds, over 2xx answers. */
  latency: { p50: number; p95: number; p99: number; max: number; mean: number }
  captured: unknown[]
  /** CPU seconds the load generator used, warm-up included. */
  loadCpuSeconds: number
  /** Requests sent in the warm-up run. */
  warmupSent: number
}

const percentile = (sorted: Float64Array, p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!)

async function run(spec: LoadSpec, items: LoadItem[], start: number, amount: number, measure: boolean): Promise<{ result: LoadResult; next: number }> {
  let next = start
  const latencies: number[] = []
  const captured: unknown[] = []
  const statuses: Record<string, number> = {}
  const tls = {
    ...(spec.tls.certFile ? { cert: readFileSync(spec.tls.certFile) } : {}),
    ...(spec.tls.keyFile ? { key: readFileSync(spec.tls.keyFile) } : {}),
    ...(spec.tls.caFile ? { ca: readFileSync(spec.tls.caFile) } : {}),
  }
  const request: autocannon.Request = {
    method: spec.template.method,
    path: spec.template.path,
    headers: spec.template.headers,
    setupRequest: (req) => {
      const item = items[spec.distinct ? next : next % items.length] ?? {}
      next += 1
      return { ...req, ...(item.path ? { path: item.path } : {}), ...(item.body === undefined ? {} : { body: item.body }), headers: { ...spec.template.headers, ...item.headers } }
    },
    ...(spec.capture && measure
      ? {
          onResponse: (status: number, body: string) => {
            if (status >= 200 && status < 300) captured.push(JSON.parse(body))
          },
        }
      : {}),
  }
  const began = performance.now()
  let settle: (outcome: autocannon.Result) => void = () => undefined
  let fail: (error: unknown) => void = () => undefined
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    settle = resolve
    fail = reject
  })
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    amount,
    pipelining: 1,
    timeout: 30,
    requests: [request],
    // autocannon reads tlsOptions and passes it to tls.connect; its types do not list it.
    ...({ tlsOptions: tls } as object),
  }, (error, outcome) => (error ? fail(error) : settle(outcome)))
  // autocannon notices the end of an `amount` run only on its one-second tick: the run ends at the last answer.
  let lastAnswer = began
  instance.on('response', (_client: unknown, status: number, _bytes: number, milliseconds: number) => {
    lastAnswer = performance.now()
    statuses[status] = (statuses[status] ?? 0) + 1
    if (status >= 200 && status < 300) latencies.push(milliseconds)
  })
  const outcome = await finished
  const seconds = (lastAnswer - began) / 1000
  const sorted = Float64Array.from(latencies).sort()
  const mean = latencies.reduce((sum, value) => sum + value, 0) / Math.max(1, latencies.length)
  return {
    next,
    result: {
      ok: latencies.length,
      statuses,
      errors: outcome.errors,
      timeouts: outcome.timeouts,
      seconds,
      rate: latencies.length / seconds,
      latency: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, mean },
      captured,
      loadCpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      warmupSent: 0,
    },
  }
}

try {
  const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as LoadSpec
  const items = readFileSync(process.argv[3] ?? '', 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LoadItem)
  let next = 0
  let warmupSent = 0
  if (spec.warmup > 0) {
    const warmup = await run(spec, items, 0, spec.warmup, false)
    next = warmup.next
    warmupSent = Object.values(warmup.result.statuses).reduce((sum, count) => sum + count, 0)
  }
  // setupRequest runs once more per connection than requests are sent: skip what warm-up prepared but never sent.
  const { result } = await run(spec, items, spec.distinct ? next : 0, spec.amount, true)
  await tell({ type: 'result', result: { ...result, warmupSent } })
} catch (error) {
  await failChild(error)
}
