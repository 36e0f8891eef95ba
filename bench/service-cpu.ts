/**
 * `node bench/service-cpu.ts [N]`: where a registration's CPU goes when HTTP and TLS are taken away. Runs
 * the registration service in this process (the same code POST /register calls: decoding, the 18
 * validators, jose verifications, the store) on N pre-signed registrations, 10 at a time, and reports CPU
 * per registration by thread, from /proc (Linux): the event loop ("MainThread"), libuv's pool
 * ("libuv-worker": WebCrypto runs each verification there), V8's GC helpers ("V8Worker") and the SQLite
 * writer thread ("WorkerThread"). Three rows: the two jose verifications alone, the service with an
 * in-memory store, and the service with the SQLite file store as served (synchronous FULL, group commit).
 * Subtracting rows gives the cost of each part without the load generator competing for the cores, which
 * inflates every figure of the HTTP benchmark (docs/performance.md).
 */
import { createAuditWriter } from '../src/audit/audit-writer.ts'
import { profilesOf } from '../src/config/directory-profiles.ts'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compactVerify, createLocalJWKSet, decodeJwt, type JSONWebKeySet } from 'jose'
import { loadConfig } from '../src/config/load.ts'
import { thumbprintOf } from '../src/http/client-cert.ts'
import { createRegistrationService } from '../src/registration/service.ts'
import { createSandbox } from '../src/sandbox/sandbox.ts'
import { openStore } from '../src/store/open.ts'
import { createDirectories } from '../src/trust/directories.ts'
import { createRemoteKeySets } from '../src/trust/remote-key-sets.ts'
import { threadCpuSeconds } from './processes.ts'
import { signRegistrations } from './signed-requests.ts'

const ISSUER = 'https://127.0.0.1:8443'
const CONCURRENCY = 10
const WARMUP = 300
const count = Number(process.argv[2] ?? 3000)
if (!Number.isInteger(count) || count < 1) throw new TypeError('usage: node bench/service-cpu.ts [N], N a positive integer')

/** Runs `work(i)` for i in [0, n), CONCURRENCY at a time; returns CPU ms per call, by thread and in all. */
async function measure(n: number, work: (index: number) => Promise<unknown>): Promise<string> {
  const before = threadCpuSeconds([process.pid])
  const cpuBefore = process.cpuUsage()
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const index = next
        next += 1
        await work(index)
      }
    }),
  )
  const cpu = process.cpuUsage(cpuBefore)
  const perThread = [...threadCpuSeconds([process.pid])]
    .map(([name, seconds]) => [name, ((seconds - (before.get(name) ?? 0)) * 1000) / n] as const)
    .filter(([, ms]) => ms >= 0.005)
    .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
  return `${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms CPU per registration (${perThread.join(', ') || 'no per-thread figures on this system'})`
}

const dir = mkdtempSync(join(tmpdir(), 'open-dcr-service-cpu-'))
const sandbox = await createSandbox({ dir: join(dir, 'sandbox') })
try {
  // Each store is new, so both service rows can take the same registrations.
  const bodies = await signRegistrations(sandbox, ISSUER, WARMUP + count)
  const der = new X509Certificate(readFileSync(sandbox.files.tppTransportCertFile))
  const certificate = { certificate: der, intermediates: [], thumbprint: thumbprintOf(der.raw), source: 'tls' as const }

  // The two signatures alone, with keys imported once (jose's local key sets), as the crypto ceiling does.
  const directoryKeys = createLocalJWKSet(sandbox.directory.publicJwks as JSONWebKeySet)
  const tppKeys = createLocalJWKSet(sandbox.tpp.publicJwks as JSONWebKeySet)
  const pairs = bodies.map((body) => {
    return { body, ssa: String(decodeJwt(body).software_statement) }
  })
  const verifyPair = async (index: number) => {
    await compactVerify(pairs[index]!.ssa, directoryKeys)
    await compactVerify(pairs[index]!.body, tppKeys)
  }
  await measure(WARMUP, verifyPair)
  console.log(`two jose verifications          ${await measure(count, (index) => verifyPair(WARMUP + index))}`)

  for (const [label, path] of [
    ['service, in-memory store       ', ':memory:'],
    ['service, SQLite file (as served)', join(dir, 'service.db')],
  ] as const) {
    const config = loadConfig({ values: { ...sandbox.serverConfigValues(ISSUER), store: { path }, log: { level: 'silent' } } })
    const remoteKeySets = createRemoteKeySets(config.outbound)
    const store = await openStore(config.store)
    const registration = createRegistrationService({ profiles: profilesOf(config), store, audit: createAuditWriter(store), directories: createDirectories(config, remoteKeySets), remoteKeySets, clock: Date.now, customValidators: [] })
    const register = (index: number) => registration.register({ body: bodies[index]!, mediaType: 'application/jwt', certificate, remoteAddress: '127.0.0.1' })
    try {
      await measure(WARMUP, register)
      console.log(`${label} ${await measure(count, (index) => register(WARMUP + index))}`)
    } finally {
      await store.close()
    }
  }
} finally {
  await sandbox.close()
  rmSync(dir, { recursive: true, force: true })
}
