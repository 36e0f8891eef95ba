#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
/**
 * `open-dcr`: the command line. `serve` runs the production server from a configuration file; `sandbox`
 * runs the server with a local sandbox directory (what `npm start` runs); `tpp register` registers the
 * sandbox TPP (or any TPP, given its material) with a running server.
 */
import { ConfigError } from '../config/fields.ts'
import { runConformanceCommand } from './conformance.ts'
import { runServe } from './serve.ts'
import { runSandbox } from './sandbox.ts'
import { runTpp } from './tpp.ts'
import { UsageError } from './usage-error.ts'

const HELP = `open-dcr — Open Banking Dynamic Client Registration server

Usage:
  open-dcr serve --config FILE        start the server from a YAML or JSON configuration
  open-dcr sandbox [options]          start the server with a local sandbox directory (npm start)
  open-dcr tpp register [options]     register a client with a running server over mutual TLS
  open-dcr conformance [options]      test any DCR endpoint against a catalogue of cases

Run "open-dcr <command> --help" for the options of a command.
Exit codes: 0 success, 1 the operation failed (e.g. registration refused), 2 usage or configuration error.`

const commands: Record<string, (args: string[]) => Promise<number>> = { serve: runServe, sandbox: runSandbox, tpp: runTpp, conformance: runConformanceCommand }

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
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(`open-dcr ${command}: ${error.message}`)
      return 2
    }
    console.error(`open-dcr ${command}: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

const code = await main(process.argv.slice(2))
if (code !== 0) process.exitCode = code
