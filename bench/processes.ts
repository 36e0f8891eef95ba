/**
 * The benchmark's child processes: each server under test, the load generator and the crypto ceiling run
 * in their own Node process (issue 7: the load tool never shares a process with a server). A child talks
 * to the orchestrator over the fork IPC channel: it sends one `ready` (servers) or `result` (tools)
 * message; a server is stopped with a `stop` message so that it exits normally and `--cpu-prof` can
 * write its profile. Peak RSS is the kernel's high-water mark (VmHWM) of the child and its workers.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** What a server child reports once it listens. */
export type ReadyMessage = { type: 'ready'; url: string; pids: number[] }
export type ResultMessage<T> = { type: 'result'; result: T }
export type ErrorMessage = { type: 'error'; message: string }

export type ChildOptions = {
  /** Extra Node flags, e.g. `--cpu-prof`. */
  execArgv?: string[]
  /** Kill the child when it has not answered within this many milliseconds. */
  timeoutMs?: number
}

const BASE_EXEC_ARGV = ['--disable-warning=ExperimentalWarning']

/** The path of a module beside this file (bench/). */
export const benchModule = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))

function spawnChild(module: string, args: string[], options: ChildOptions): ChildProcess {
  return fork(module, args, {
    execPath: process.execPath,
    execArgv: [...BASE_EXEC_ARGV, ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

/** Resolves with the child's first `type` message; rejects on an `error` message, an early exit or the timeout. */
function firstMessage<T>(child: ChildProcess, type: string, what: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${what} did not answer within ${timeoutMs} ms`))
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    const onMessage = (message: { type?: string; message?: string }) => {
      if (message.type === 'error') {
        done()
        reject(new Error(`${what}: ${message.message ?? 'failed'}`))
      } else if (message.type === type) {
        done()
        resolve(message as T)
      }
    }
    const onExit = (code: number | null, signal: string | null) => {
      done()
      reject(new Error(`${what} exited (code ${String(code)}, signal ${String(signal)}) before answering`))
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

export type ServerProcess = {
  readonly name: string
  readonly url: string
  /** The server process and its workers. */
  readonly pids: readonly number[]
  /** Sum of VmHWM over the server's processes, in bytes. */
  peakRss(): number
  /** Asks the server to close and exit; kills it after 10 s. */
  stop(): Promise<void>
}

/** Starts `module` (a server of bench/servers/) with `args` and waits until it listens. */
export async function startServerProcess(name: string, module: string, args: string[], options: ChildOptions = {}): Promise<ServerProcess> {
  const child = spawnChild(module, args, options)
  const ready = await firstMessage<ReadyMessage>(child, 'ready', `server ${name}`, options.timeoutMs ?? 60_000)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    name,
    url: ready.url,
    pids: ready.pids,
    peakRss: () => ready.pids.reduce((sum, pid) => sum + highWaterMark(pid), 0),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.send({ type: 'stop' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Runs a tool child (load generator, ceiling) to completion and returns its result. */
export async function runTool<T>(name: string, module: string, args: string[], options: ChildOptions = {}): Promise<T> {
  const child = spawnChild(module, args, options)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const message = await firstMessage<ResultMessage<T>>(child, 'result', name, options.timeoutMs ?? 600_000)
  await exited
  return message.result
}

/** The peak resident set size of a live process, in bytes (Linux /proc; 0 where unavailable). */
export function highWaterMark(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** CPU time (user + system, all threads) the processes have used so far, in seconds (Linux /proc; 0 where unavailable). */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0
  for (const pid of pids) {
    try {
      // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is 14th, stime 15th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // the process is gone
    }
  }
  return ticks / 100
}

/** CPU seconds by thread name (main thread, libuv pool, V8 workers, worker threads) of the processes. */
export function threadCpuSeconds(pids: readonly number[]): Map<string, number> {
  const byName = new Map<string, number>()
  for (const pid of pids) {
    let tasks: string[] = []
    try {
      tasks = readdirSync(`/proc/${pid}/task`)
    } catch {
      continue
    }
    for (const task of tasks) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8')
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100)
      } catch {
        // the thread is gone
      }
    }
  }
  return byName
}

/** In a child: sends a message to the orchestrator (no-op when run by hand). */
export function tell(message: ReadyMessage | ResultMessage<unknown> | ErrorMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      console.log(JSON.stringify(message))
      resolve()
      return
    }
    process.send(message, () => resolve())
  })
}

/** In a server child: runs `close` and exits when the orchestrator says stop (or on SIGTERM/SIGINT). */
export function exitOnStop(close: () => Promise<void>): void {
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    close()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(0))
  }
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') stop()
  })
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.once('disconnect', stop)
}

/** In a child: reports an unexpected failure to the orchestrator and exits non-zero. */
export async function failChild(error: unknown): Promise<never> {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
  await tell({ type: 'error', message })
  process.exit(1)
}
