/**
 * Several processes on one port (`server.workers`, node:cluster), so that TLS, body parsing and the JWS
 * verifications, which all run on a process's event loop, use every core of the machine. The primary
 * forks the workers and serves nothing itself; each worker is an ordinary `startServer` with the same
 * configuration (the worker re-runs the program that started the primary, with the same arguments). They
 * share nothing in memory: JTI replay protection (SEC-11) and one registration per software id (SEC-37) are
 * unique keys in the one SQLite file, whose writes the processes take in turn (busy_timeout), and each keeps
 * its own JWKS cache, as DESIGN "Scale" requires of several instances.
 */
import cluster, { type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import type { Config } from './config/schema.ts'
import { startServer, type RunningServer, type StartOptions } from './main.ts'

export type ClusteredServer = {
  /** `single`: no workers; `primary`: forked the workers; `worker`: one of them. */
  readonly role: 'single' | 'primary' | 'worker'
  /** Base URL the server listens on. */
  readonly url: string
  /** Processes that serve requests (the workers, or this process when single). */
  readonly pids: readonly number[]
  /** The server of this process (single or worker); the primary serves nothing. */
  readonly running: RunningServer | undefined
  /** Stops serving: the primary stops every worker; a worker or a single process closes its server. */
  close(): Promise<void>
}

const LISTENING = 'open-dcr:listening'
const SHUTDOWN = 'open-dcr:shutdown'

/** How many serving processes `config` asks for (0 = one per core). */
export function workerCount(config: Config): number {
  return config.server.workers === 0 ? availableParallelism() : config.server.workers
}

function waitListening(worker: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string; url?: string }) => {
      if (message.type !== LISTENING || typeof message.url !== 'string') return
      worker.off('exit', onExit)
      resolve(message.url)
    }
    const onExit = (code: number | null) => {
      worker.off('message', onMessage)
      reject(new Error(`open-dcr worker ${worker.process.pid ?? '?'} exited with code ${String(code)} before listening`))
    }
    worker.on('message', onMessage)
    worker.once('exit', onExit)
  })
}

function stopWorker(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => worker.kill('SIGKILL'), 10_000)
    worker.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    // A worker stopped by the same signal may already be gone: its exit settles this all the same.
    worker.send({ type: SHUTDOWN }, (error: Error | null) => {
      if (error !== null) worker.kill('SIGKILL')
    })
  })
}

async function startPrimary(count: number): Promise<ClusteredServer> {
  const workers = Array.from({ length: count }, () => cluster.fork())
  let urls: string[]
  try {
    urls = await Promise.all(workers.map(waitListening))
  } catch (error) {
    await Promise.all(workers.map(stopWorker))
    throw error
  }
  return {
    role: 'primary',
    url: urls[0]!,
    pids: workers.map((worker) => worker.process.pid ?? 0),
    running: undefined,
    async close() {
      await Promise.all(workers.map(stopWorker))
    },
  }
}

async function startWorker(config: Config, options: StartOptions): Promise<ClusteredServer> {
  const server = await startServer(config, options)
  // The primary's shutdown and this process's own signal handling may both ask: close once.
  let closing: Promise<void> | undefined
  const close = () => (closing ??= server.close())
  process.on('message', (message: { type?: string }) => {
    if (message.type === SHUTDOWN) close().finally(() => process.exit(0))
  })
  process.send?.({ type: LISTENING, url: server.url })
  return { role: 'worker', url: server.url, pids: [process.pid], running: server, close }
}

/**
 * Starts open-dcr with `server.workers` processes. With one, this is `startServer`. With more, call it the
 * same way in every process: in the primary it forks the workers and resolves once all listen; in a
 * worker it starts the server and resolves with it.
 */
export async function startClustered(config: Config, options: StartOptions = {}): Promise<ClusteredServer> {
  const count = workerCount(config)
  if (count <= 1) {
    const server = await startServer(config, options)
    return { role: 'single', url: server.url, pids: [process.pid], running: server, close: () => server.close() }
  }
  return cluster.isPrimary ? startPrimary(count) : startWorker(config, options)
}
