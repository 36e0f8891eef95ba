/**
 * Facts about the machine and the software a benchmark ran on, for the results file: CPU, cores, memory,
 * kernel, Node, SQLite and package versions, and how long an fsync takes on the benchmark's disk (the
 * price of each durable commit, docs/performance.md "Durability").
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

export type MachineFacts = {
  cpu: string
  cores: number
  memoryGiB: number
  kernel: string
  node: string
  sqlite: string
  packages: Record<string, string>
  /** Median and 99th percentile of write(4 KiB) + fsync on the benchmark folder, milliseconds. */
  fsync: { p50: number; p99: number }
}

const PACKAGES = ['jose', 'fastify', 'oidc-provider', 'autocannon', 'pino']

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

function fsyncLatency(dir: string, rounds: number): { p50: number; p99: number } {
  const file = join(dir, 'fsync-probe')
  const fd = openSync(file, 'w')
  const block = Buffer.alloc(4096, 7)
  const times: number[] = []
  try {
    for (let i = 0; i < rounds; i += 1) {
      const began = performance.now()
      writeSync(fd, block)
      fsyncSync(fd)
      times.push(performance.now() - began)
    }
  } finally {
    closeSync(fd)
    rmSync(file, { force: true })
  }
  times.sort((a, b) => a - b)
  return { p50: times[Math.floor(rounds / 2)]!, p99: times[Math.ceil(rounds * 0.99) - 1]! }
}

export function machineFacts(dir: string): MachineFacts {
  const db = new DatabaseSync(':memory:')
  const sqlite = String((db.prepare('SELECT sqlite_version() AS version').get() as { version: string }).version)
  db.close()
  const cpuList = cpus()
  return {
    cpu: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    sqlite,
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
    fsync: fsyncLatency(dir, 200),
  }
}
