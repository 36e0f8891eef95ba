/** `open-dcr serve --config FILE`: the production server. */
import { parseArgs } from 'node:util'
import { loadConfig } from '../config/load.ts'
import { startServer } from '../main.ts'
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
  const server = await startServer(config)
  server.app.log.info({ url: server.url, profile: config.profile }, 'open-dcr listening')
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
