/**
 * `open-dcr migrate --config FILE`: applies the pending schema migrations of the configured store (the SQLite
 * file or the PostgreSQL database) and prints the schema it leaves. Idempotent: with nothing pending it applies
 * nothing and succeeds. A database whose schema is newer than this open-dcr knows is refused and left as it is,
 * so that an older instance of a rolling upgrade never writes to a schema it does not understand. `serve` applies
 * the same migrations at start; this command lets an upgrade migrate once, before any new instance starts.
 */
import { loadConfig } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import { openPostgresStore } from '../store/postgres.ts'
import { openSqliteStore, type AppliedMigration } from '../store/sqlite.ts'
import { StoreUnavailableError } from '../store/store-unavailable.ts'
import { defineCommand, parseCommand, printedHelp, renderHelp } from './command-help.ts'
import { UsageError } from './usage-error.ts'

export const MIGRATE_HELP = defineCommand({
  command: 'migrate',
  usage: 'open-dcr migrate --config FILE [--json]',
  description: `Applies the pending schema migrations of the configured store (store.kind sqlite: store.path;
postgres: store.url) and prints every applied migration. Running it again applies nothing. A database
whose schema is newer than this open-dcr is refused and left unchanged (exit 1). serve applies pending
migrations at start too; in a rolling upgrade, run migrate with the new version first.`,
  options: {
    config: { type: 'string', short: 'c', value: 'FILE', doc: 'the configuration file (YAML, or JSON when it ends in .json)' },
    json: { type: 'boolean', doc: 'print the applied migrations as JSON' },
  },
})

/** Opens the store (which applies what is pending), reads its schema_migrations rows, closes it. */
async function migrate(store: Config['store']): Promise<AppliedMigration[]> {
  if (store.kind === 'postgres') {
    if (store.url === undefined) throw new UsageError('store.url is required with store.kind postgres')
    let opened
    try {
      opened = await openPostgresStore({ url: store.url, pool: 1, statementTimeoutMs: store.statementTimeoutMs })
    } catch (error) {
      // The database's own words (connection refused, authentication failed), never the URL.
      if (error instanceof StoreUnavailableError) throw new Error(`cannot reach the PostgreSQL database: ${(error.cause as Error).message}`, { cause: error })
      throw error
    }
    try {
      return await opened.appliedMigrations()
    } finally {
      await opened.close()
    }
  }
  const opened = openSqliteStore({ path: store.path, synchronous: store.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL' })
  try {
    return opened.appliedMigrations()
  } finally {
    await opened.close()
  }
}

export async function runMigrate(args: string[]): Promise<number> {
  const { values } = parseCommand(MIGRATE_HELP, args)
  if (printedHelp(MIGRATE_HELP, values)) return 0
  if (values.config === undefined) throw new UsageError(`--config FILE is required\n\n${renderHelp(MIGRATE_HELP)}`)
  const config = loadConfig({ file: values.config, env: process.env })
  const applied = await migrate(config.store)
  if (values.json === true) {
    console.log(JSON.stringify({ store: config.store.kind, migrations: applied }))
    return 0
  }
  console.log(`${config.store.kind} schema at version ${applied.at(-1)?.version ?? 0}:`)
  for (const migration of applied) console.log(`  ${migration.version} ${migration.name} (applied ${new Date(migration.appliedAt).toISOString()})`)
  return 0
}
