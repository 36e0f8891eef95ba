/**
 * `open-dcr serve --config FILE`: the production server. The database (`store.path`) and the token signing
 * keys (`tokens.signingKeysFile`) must be named by the configuration: their defaults are the sandbox's folder
 * `.open-dcr/` in the working directory, and a server run in a checkout would otherwise sign production tokens
 * with the sandbox's key. Start-up logs which files it uses; SIGTERM/SIGINT stop it gracefully (shutdown.ts).
 */
import { pino } from 'pino'
import { startClustered } from '../cluster.ts'
import { ConfigError } from '../config/fields.ts'
import { environmentOverrides, loadConfig, merge, readConfigFile } from '../config/load.ts'
import { shownPath } from '../config/private-files.ts'
import { defineCommand, parseCommand, printedHelp, renderHelp } from './command-help.ts'
import { stopWithin, STOP_BOUND_MS, waitForStop } from './shutdown.ts'
import { UsageError } from './usage-error.ts'

export const SERVE_HELP = defineCommand({
  command: 'serve',
  usage: 'open-dcr serve --config FILE',
  description: `Starts the DCR server from a YAML or JSON configuration (docs/configuration.md); OPEN_DCR_*
environment variables override the file. The configuration must name the database (store.path, or
store.url with store.kind postgres) and the token signing keys (tokens.signingKeysFile); files are created
0600, in a folder created 0700, when missing; pending schema migrations are applied at start.
SIGINT or SIGTERM stops it: in-flight requests are answered, the database is flushed, exit 0 (at most
${STOP_BOUND_MS / 1000} s, else exit 1).`,
  options: {
    config: { type: 'string', short: 'c', value: 'FILE', doc: 'the configuration file (YAML, or JSON when it ends in .json)' },
  },
})

/** Keys serve refuses to take from the schema default (the sandbox's `.open-dcr/` of the working directory). */
const MUST_BE_NAMED = [
  ['store', 'path', 'the SQLite database'],
  ['tokens', 'signingKeysFile', 'the private JWKS that signs access tokens'],
] as const

function requireStateFilesNamed(file: string): void {
  const given = merge(readConfigFile(file), environmentOverrides(process.env))
  const postgres = (given.store as Record<string, unknown> | undefined)?.kind === 'postgres'
  for (const [section, name, what] of MUST_BE_NAMED) {
    // PostgreSQL needs no database file: store.url is required by the configuration loader instead.
    if (postgres && section === 'store') continue
    const value = (given[section] as Record<string, unknown> | undefined)?.[name]
    if (typeof value !== 'string' || value === '') {
      throw new ConfigError(`${section}.${name}`, `must be set for open-dcr serve: the file of ${what}, e.g. /var/lib/open-dcr/${name === 'path' ? 'open-dcr.db' : 'signing-keys.json'} (the default under .open-dcr/ is the sandbox's, in the working directory)`)
    }
  }
}

export async function runServe(args: string[]): Promise<number> {
  const { values } = parseCommand(SERVE_HELP, args)
  if (printedHelp(SERVE_HELP, values)) return 0
  if (values.config === undefined) throw new UsageError(`--config FILE is required\n\n${renderHelp(SERVE_HELP)}`)
  requireStateFilesNamed(values.config)
  const config = loadConfig({ file: values.config, env: process.env })
  // store.url may hold a password: only the kind is logged for PostgreSQL.
  const files = { database: config.store.kind === 'postgres' ? 'postgres (store.url)' : shownPath(config.store.path), signingKeysFile: shownPath(config.tokens.signingKeysFile) }
  // server.workers > 1: this process forks the workers (src/cluster.ts), which re-run this command and serve.
  const server = await startClustered(config)
  const log = server.running?.app.log ?? pino({ level: config.log.level })
  if (server.running !== undefined) log.info({ url: server.url, profile: config.profile, ...files }, 'open-dcr listening')
  else log.info({ url: server.url, profile: config.profile, workers: server.pids, ...files }, 'open-dcr listening with worker processes')
  const reason = await waitForStop()
  log.info({ reason }, 'open-dcr stopping')
  const code = await stopWithin(() => server.close(), (message) => log.error(message))
  log.info('open-dcr stopped')
  return code
}
