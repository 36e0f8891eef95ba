#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
/**
 * `open-dcr`: the command line. `serve` runs the production server from a configuration file; `sandbox`
 * runs the server with a local sandbox directory shaped for a profile (what `npm start` runs); `tpp` is the
 * TPP side (register, token, show, update, delete); `ssa` issues and inspects software statements; `keys`
 * generates TPP key material; `conformance` tests any DCR endpoint. Every command parses its arguments
 * with node:util parseArgs (strict) and answers --help. Exit codes scripts can rely on: 0 success, 1 the
 * operation was refused or failed, 2 usage or configuration error. docs/cli.md walks through them.
 */
import { ConfigError } from '../config/fields.ts'
import { runConformanceCommand } from './conformance.ts'
import { runKeys } from './keys.ts'
import { runServe } from './serve.ts'
import { runSandbox } from './sandbox.ts'
import { runSsa } from './ssa.ts'
import { runTpp } from './tpp.ts'
import { UsageError } from './usage-error.ts'

const HELP = `open-dcr — Open Banking Dynamic Client Registration server

Usage:
  open-dcr serve --config FILE        start the server from a YAML or JSON configuration
  open-dcr sandbox [--profile P]      start the server with a local sandbox directory (npm start)
  open-dcr tpp register|token|show|update|delete
                                      the TPP side: register a client and manage it over mutual TLS
  open-dcr ssa issue|inspect          issue a software statement; explain and check one
  open-dcr keys generate              generate a TPP signing key (JWK, JWKS) and transport certificate
  open-dcr conformance [options]      test any DCR endpoint against a catalogue of cases

Run "open-dcr <command> --help" for the options of a command; docs/cli.md has a walkthrough.
Add --json for machine-readable output. Colour and progress lines appear only on a terminal.
Exit codes: 0 success, 1 the operation failed (e.g. registration refused), 2 usage or configuration error.`

const commands: Record<string, (args: string[]) => Promise<number>> = {
  serve: runServe,
  sandbox: runSandbox,
  tpp: runTpp,
  ssa: runSsa,
  keys: runKeys,
  conformance: runConformanceCommand,
}

/** node:util parseArgs rejects unknown options, missing values and stray positionals with ERR_PARSE_ARGS_* codes. */
const isParseArgsError = (error: unknown): boolean => typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS_')

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP)
    return command === undefined ? 2 : 0
  }
  const run = commands[command]
  if (run === undefined) {
    console.error(`open-dcr: unknown command "${command}"\n\n${HELP}`)
    return 2
  }
  try {
    return await run(rest)
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || isParseArgsError(error)) {
      console.error(`open-dcr ${command}: ${(error as Error).message}${isParseArgsError(error) ? `\nRun "open-dcr ${command} --help" for the options.` : ''}`)
      return 2
    }
    console.error(`open-dcr ${command}: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

const code = await main(process.argv.slice(2))
if (code !== 0) process.exitCode = code
