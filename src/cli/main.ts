#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
/**
 * `open-dcr`: the command line. `serve` runs the production server from a configuration file; `sandbox`
 * runs the server with a local sandbox directory shaped for a profile (what `npm start` runs); `tpp` is the
 * TPP side (register, token, show, update, delete); `ssa` issues and inspects software statements; `keys`
 * generates TPP key material; `conformance` tests any DCR endpoint. Every command declares its options once
 * (command-help.ts), parses them strictly and prints its --help from that declaration. Exit codes scripts can
 * rely on: 0 success, 1 the operation was refused or failed, 2 usage or configuration error. docs/cli.md walks
 * through them.
 */
import { ConfigError } from '../config/fields.ts'
import { isParseArgsError, renderHelp } from './command-help.ts'
import { COMMANDS, OPEN_DCR_HELP, VERSION } from './commands.ts'
import { UsageError } from './usage-error.ts'

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(renderHelp(OPEN_DCR_HELP))
    return command === undefined ? 2 : 0
  }
  if (command === '--version') {
    console.log(`open-dcr ${VERSION}`)
    return 0
  }
  const run = COMMANDS[command]
  if (run === undefined) {
    console.error(`open-dcr: unknown command "${command}"\n\n${renderHelp(OPEN_DCR_HELP)}`)
    return 2
  }
  try {
    return await run(rest)
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || isParseArgsError(error)) {
      console.error(`open-dcr ${command}: ${(error as Error).message}`)
      return 2
    }
    console.error(`open-dcr ${command}: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

const code = await main(process.argv.slice(2))
if (code !== 0) process.exitCode = code
