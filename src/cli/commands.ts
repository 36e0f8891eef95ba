/**
 * The commands of `open-dcr` and their help declarations, in the order --help and docs/cli.md list them. The
 * entry point (main.ts) dispatches through COMMANDS; src/docs/cli.ts renders every declaration of ALL_HELP.
 */
import { readFileSync } from 'node:fs'
import { defineCommand, type CommandHelp } from './command-help.ts'
import { CONFORMANCE_HELP, runConformanceCommand } from './conformance.ts'
import { KEYS_GENERATE_HELP, KEYS_HELP, runKeys } from './keys.ts'
import { MIGRATE_HELP, runMigrate } from './migrate.ts'
import { runSandbox, SANDBOX_HELP } from './sandbox.ts'
import { runServe, SERVE_HELP } from './serve.ts'
import { runSsa, SSA_HELP, SSA_INSPECT_HELP, SSA_ISSUE_HELP } from './ssa.ts'
import { runTpp, TPP_HELP, TPP_SUBCOMMAND_HELP } from './tpp.ts'

/** The version package.json declares, for `open-dcr --version`. */
export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

export const OPEN_DCR_HELP = defineCommand({
  command: '',
  usage: 'open-dcr <command> [options]',
  description: `open-dcr — Open Banking Dynamic Client Registration server

Commands:
  open-dcr serve --config FILE        start the server from a YAML or JSON configuration
  open-dcr migrate --config FILE      apply the store's pending schema migrations (SQLite or PostgreSQL)
  open-dcr sandbox [--profile P]      start the server with a local sandbox directory (npm start)
  open-dcr tpp register|token|show|update|delete
                                      the TPP side: register a client and manage it over mutual TLS
  open-dcr ssa issue|inspect          issue a software statement; explain and check one
  open-dcr keys generate              generate a TPP signing key (JWK, JWKS) and transport certificate
  open-dcr conformance [options]      test any DCR endpoint against a catalogue of cases`,
  options: {
    version: { type: 'boolean', doc: 'print the version of open-dcr and exit' },
  },
  footer: `Run "open-dcr <command> --help" for the options of a command; docs/cli.md has a walkthrough.
Add --json for machine-readable output. Colour and progress lines appear only on a terminal, and never
with NO_COLOR set.
Exit codes: 0 success, 1 the operation failed (e.g. registration refused), 2 usage or configuration error.`,
})

export const COMMANDS: Readonly<Record<string, (args: string[]) => Promise<number>>> = {
  serve: runServe,
  migrate: runMigrate,
  sandbox: runSandbox,
  tpp: runTpp,
  ssa: runSsa,
  keys: runKeys,
  conformance: runConformanceCommand,
}

/** Every help a command prints, `open-dcr` first. */
export const ALL_HELP: readonly CommandHelp[] = [
  OPEN_DCR_HELP,
  SERVE_HELP,
  MIGRATE_HELP,
  SANDBOX_HELP,
  TPP_HELP,
  ...Object.values(TPP_SUBCOMMAND_HELP),
  SSA_HELP,
  SSA_ISSUE_HELP,
  SSA_INSPECT_HELP,
  KEYS_HELP,
  KEYS_GENERATE_HELP,
  CONFORMANCE_HELP,
]
