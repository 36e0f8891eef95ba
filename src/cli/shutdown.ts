/**
 * How the long-running commands (`serve`, `sandbox`) stop. SIGTERM or SIGINT starts a graceful stop: the
 * listener closes, in-flight requests are answered, the store's writer flushes, and the process exits 0. A stop
 * that takes longer than STOP_BOUND_MS, or a second signal, exits 1 at once, so a supervisor never waits forever.
 *
 * `npx open-dcr serve` and `npm start` run node under npm and a `sh -c`; npm passes SIGTERM to the shell, which
 * dies without passing it on, and node was left listening with no parent. When npm started this process, a
 * parent that goes away is therefore taken as the stop signal too.
 */

/** The longest a graceful stop may take before the process exits anyway. */
export const STOP_BOUND_MS = 8000

/** Why the server stops. */
export type StopReason = 'SIGINT' | 'SIGTERM' | 'the npm process that started it exited'

/** How often the parent process is looked at, when npm started this one. */
const PARENT_CHECK_MS = 250

/** Whether npm (npx, npm exec, npm start) started this process: npm sets npm_command in its children's environment. */
export const startedByNpm = (env: NodeJS.ProcessEnv = process.env): boolean => env.npm_command !== undefined || env.npm_lifecycle_event !== undefined

/** Resolves with the first stop request: a signal, or (under npm) the loss of the parent process. */
export function waitForStop(env: NodeJS.ProcessEnv = process.env): Promise<StopReason> {
  return new Promise((resolve) => {
    const parent = process.ppid
    let watch: NodeJS.Timeout | undefined
    const stop = (reason: StopReason) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      clearInterval(watch)
      // Whatever comes next while stopping means "now".
      const now = () => process.exit(1)
      process.once('SIGINT', now)
      process.once('SIGTERM', now)
      resolve(reason)
    }
    const onInt = () => stop('SIGINT')
    const onTerm = () => stop('SIGTERM')
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
    if (startedByNpm(env)) {
      watch = setInterval(() => {
        if (process.ppid !== parent) stop('the npm process that started it exited')
      }, PARENT_CHECK_MS)
      watch.unref()
    }
  })
}

/**
 * Runs `close` and answers the exit code: 0 when it finished within STOP_BOUND_MS. Past the bound, or when
 * `close` fails, the process exits 1 at once (a handle that never closes would otherwise keep it alive). After a
 * clean close an unreferenced timer still ends the process shortly, should anything else hold the event loop.
 */
export async function stopWithin(close: () => Promise<void>, report: (message: string) => void): Promise<number> {
  const bound = setTimeout(() => {
    report(`did not stop within ${STOP_BOUND_MS / 1000} s (requests still in flight); exiting`)
    process.exit(1)
  }, STOP_BOUND_MS)
  try {
    await close()
  } catch (error) {
    report(`stopping failed: ${(error as Error).message}`)
    process.exit(1)
  } finally {
    clearTimeout(bound)
  }
  setTimeout(() => process.exit(0), 1000).unref()
  return 0
}
