/**
 * Writes one benchmark run to bench/results/ as markdown: what ran (plan, machine facts, versions), the
 * rate, latency and peak RSS of each server under the same load, the crypto ceiling, the ratios the issue
 * sets targets for, the cost of durability and the scale curve. The file name carries the date and mode.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CeilingResult } from './crypto-ceiling.ts'
import type { LoadResult } from './load-generator.ts'
import type { MachineFacts } from './machine.ts'

export type Measurement = LoadResult & {
  name: string
  peakRssBytes: number
  /** CPU milliseconds the server used per request sent (warm-up included), all its processes and threads. */
  serverCpuMsPerRequest: number
}

/** One step of the scale curve; `again` marks the smallest step measured a second time, at the end. */
export type ScalePoint = { stored: number; again: boolean; rate: number; p99: number; peakRssBytes: number; databaseBytes: number; serverCpuMsPerRequest: number }

/**
 * The largest step's rate against the smallest's, whose rate and CPU (the base of the report's columns) are
 * the mean of its measurements, first and again last, so that a machine getting faster or slower during the
 * run does not pass for a cost of size.
 */
export function scaleRatio(points: readonly ScalePoint[]): { rate: number; base: { rate: number; serverCpuMsPerRequest: number } } {
  const smallest = Math.min(...points.map((point) => point.stored))
  const firsts = points.filter((point) => point.stored === smallest)
  const base = {
    rate: firsts.reduce((sum, point) => sum + point.rate, 0) / firsts.length,
    serverCpuMsPerRequest: firsts.reduce((sum, point) => sum + point.serverCpuMsPerRequest, 0) / firsts.length,
  }
  const largest = points.reduce((best, point) => (point.stored > best.stored ? point : best), points[0]!)
  return { rate: largest.rate / base.rate, base }
}

export type RunReport = {
  plan: { name: string; connections: number; amount: number; warmup: number; requestAlg: string }
  facts: MachineFacts
  seconds: number
  /** The main comparison, once per round, each under the same load. */
  rounds: Array<{ openDcr: Measurement; ceiling: CeilingResult; oidcProvider: Measurement; fastify: Measurement }>
  /** open-dcr with synchronous NORMAL, same load (full run). */
  durability: Measurement | undefined
  /** open-dcr with other settings, same load (full run): several worker processes, no group commit. */
  variants: Measurement[]
  /** Management reads (GET with a token), open-dcr's and oidc-provider's. */
  reads: Measurement[]
  scale: ScalePoint[]
  ratios: Record<string, number>
}

const n = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–')
const mib = (bytes: number): string => n(bytes / 2 ** 20)

function statuses(m: Measurement): string {
  const parts = Object.entries(m.statuses).map(([status, count]) => `${status}×${count}`)
  return parts.join(' ') + (m.errors > 0 ? ` errors×${m.errors}` : '')
}

const TABLE_HEAD = '| server | rate /s | p50 ms | p95 ms | p99 ms | max ms | peak RSS MiB | server CPU ms / request | answers |'
const TABLE_RULE = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |'

function row(m: Measurement): string {
  return `| ${m.name} | ${n(m.rate)} | ${n(m.latency.p50, 1)} | ${n(m.latency.p95, 1)} | ${n(m.latency.p99, 1)} | ${n(m.latency.max, 1)} | ${mib(m.peakRssBytes)} | ${n(m.serverCpuMsPerRequest, 2)} | ${statuses(m)} |`
}

export function renderReport(report: RunReport): string {
  const { plan, facts } = report
  const first = report.rounds[0]!
  const meanOf = (pick: (round: RunReport['rounds'][number]) => number): number => report.rounds.reduce((sum, round) => sum + pick(round), 0) / report.rounds.length
  const lines = [
    `# open-dcr benchmark, ${plan.name} run, ${new Date().toISOString().slice(0, 19)}Z`,
    '',
    `Load: autocannon in its own process, ${plan.connections} keep-alive connections over TLS, ${n(plan.amount)} requests per server after ${n(plan.warmup)} warm-up requests. ` +
      `open-dcr: SQLite (synchronous FULL), sandbox trust, mutual TLS, every request a fresh PS256 SSA in a ${plan.requestAlg} request. Total run time ${n(report.seconds)} s.`,
    '',
    '## Machine',
    '',
    `| | |`,
    `| --- | --- |`,
    `| CPU | ${facts.cpu}, ${facts.cores} cores |`,
    `| memory | ${facts.memoryGiB} GiB |`,
    `| kernel | ${facts.kernel} |`,
    `| Node | ${facts.node} |`,
    `| SQLite | ${facts.sqlite} |`,
    `| fsync (4 KiB write + fsync) | p50 ${n(facts.fsync.p50, 2)} ms, p99 ${n(facts.fsync.p99, 2)} ms |`,
    ...Object.entries(facts.packages).map(([name, version]) => `| ${name} | ${version} |`),
    '',
    '## Registration (same load for every server)',
    '',
    TABLE_HEAD,
    TABLE_RULE,
    ...report.rounds.flatMap((round) => [
      row(round.openDcr),
      `| crypto ceiling: 2 jose verifications in sequence, 1 thread | ${n(round.ceiling.importedKeys)} | | | | | | ${n(1000 / round.ceiling.importedKeys, 2)} | |`,
      row(round.oidcProvider),
      row(round.fastify),
    ]),
    ...(report.durability ? [row(report.durability)] : []),
    ...report.variants.map(row),
    '',
    `Key handling in the ceiling process (first round): keys imported once ${n(first.ceiling.importedKeys)} /s; through jose's local JWKS key set ${n(first.ceiling.localKeySet)} /s; ` +
      `the JWK imported for every verification ${n(first.ceiling.importPerVerification)} /s.`,
    '',
    `Server CPU per registration (all threads, mean of rounds): open-dcr ${n(meanOf((r) => r.openDcr.serverCpuMsPerRequest), 2)} ms, oidc-provider ${n(meanOf((r) => r.oidcProvider.serverCpuMsPerRequest), 2)} ms, ` +
      `bare Fastify ${n(meanOf((r) => r.fastify.serverCpuMsPerRequest), 2)} ms, the two verifications alone ${n(meanOf((r) => 1000 / r.ceiling.importedKeys), 2)} ms. ` +
      'CPU per request is far steadier than the rate on a shared machine.',
    '',
    '## Ratios',
    '',
    report.rounds.length > 1 ? `From the mean rates of the ${report.rounds.length} rounds.` : 'From this one round.',
    '',
    ...Object.entries(report.ratios).map(([name, value]) => `- ratio ${name}: ${value.toFixed(2)}`),
  ]
  if (report.durability) {
    const full = meanOf((r) => r.openDcr.rate)
    lines.push('', '## Durability', '', `synchronous FULL ${n(full)} /s (mean of rounds; last round p99 ${n(report.rounds.at(-1)!.openDcr.latency.p99, 1)} ms) against NORMAL ${n(report.durability.rate)} /s (p99 ${n(report.durability.latency.p99, 1)} ms), run right after: FULL costs ${n((1 - full / report.durability.rate) * 100)} % of the rate and ${n(meanOf((r) => r.openDcr.serverCpuMsPerRequest) - report.durability.serverCpuMsPerRequest, 2)} ms of server CPU per registration.`)
  }
  if (report.reads.length > 0) {
    lines.push('', '## Management reads', '', TABLE_HEAD, TABLE_RULE, ...report.reads.map(row))
  }
  if (report.scale.length > 0) {
    const { base } = scaleRatio(report.scale)
    lines.push(
      '',
      '## Scale curve (open-dcr POST /register with clients already stored)',
      '',
      'The smallest step is measured first and again last; "vs smallest" compares with the mean of the two.',
      '',
      '| clients stored | rate /s | rate vs smallest | p99 ms | server CPU ms / request | CPU vs smallest | peak RSS MiB | database MiB |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...report.scale.map(
        (point) =>
          `| ${n(point.stored)}${point.again ? ' (again)' : ''} | ${n(point.rate)} | ${(point.rate / base.rate).toFixed(2)} | ${n(point.p99, 1)} | ${n(point.serverCpuMsPerRequest, 2)} | ${(point.serverCpuMsPerRequest / base.serverCpuMsPerRequest).toFixed(2)} | ${mib(point.peakRssBytes)} | ${mib(point.databaseBytes)} |`,
      ),
    )
  }
  return lines.join('\n') + '\n'
}

/** Writes the report; returns the file's path. */
export function writeReport(dir: string, report: RunReport): string {
  const path = join(dir, `${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}-${report.plan.name}.md`)
  writeFileSync(path, renderReport(report))
  return path
}
