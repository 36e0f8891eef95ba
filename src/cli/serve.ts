/** `open-dcr serve --config FILE`: the production server. */
import { parseArgs } from 'node:util'
import { loadConfig } from '../config/load.ts'
import { pino } from 'pino'
import { startClustered } from '../cluster.ts'
import { UsageError } from './usage-error.ts'

const HELP = `Usage: open-dcr serve --config FILE

Starts the DCR server from a YAML or JSON configuration (docs/configuration.md); OPEN_DCR_* environment
variables override the file. Stops cleanly on SIGINT/SIGTERM.`

export async function runServe(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } }, strict: true })
  if (values.help) {
    console.log(HELP)
    return 0
  }
  if (values.config === undefined) throw new UsageError(`--config FILE is required\n\n${HELP}`)
  const config = loadConfig({ file: values.config, env: process.env })
  // server.workers > 1: this process forks the workers (src/cluster.ts), which re-run this command and serve.
  const server = await startClustered(config)
  if (server.running !== undefined) server.running.app.log.info({ url: server.url, profile: config.profile }, 'open-dcr listening')
  else pino({ level: config.log.level }).info({ url: server.url, profile: config.profile, workers: server.pids }, 'open-dcr listening with worker processes')
  await waitForSignal()
  await server.close()
  return 0
}

export function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}
