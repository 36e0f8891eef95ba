/**
 * One declaration per command of what it accepts and what its --help says: the options node:util parseArgs
 * parses (strict: an option not declared is a usage error), each with its value placeholder and its doc. The
 * --help text is rendered from the declaration, so a command's --help lists exactly its own options, and
 * docs/cli.md's reference section is generated from the same declarations (src/docs/cli.ts, `npm run docs`).
 */
import { parseArgs, type ParseArgsOptionDescriptor } from 'node:util'
import { UsageError } from './usage-error.ts'

/** A command-line option: how parseArgs reads it, and how --help shows it. */
export type OptionHelp = ParseArgsOptionDescriptor & {
  /** Placeholder of the value in the help (`FILE`, `URL`); booleans have none. */
  readonly value?: string
  /** What the option does, its default; continuation lines start with "\n". */
  readonly doc: string
  /** Heading the option is listed under; consecutive options with one heading form a block. */
  readonly group?: string
}

export type CommandHelp<O extends Readonly<Record<string, OptionHelp>> = Readonly<Record<string, OptionHelp>>> = {
  /** The words after `open-dcr` (`tpp register`); empty for `open-dcr` itself. */
  readonly command: string
  /** The synopsis after "Usage: ". */
  readonly usage: string
  /** What the command does: preformatted paragraphs. */
  readonly description?: string
  readonly options: O
  /** Text after the options (files written, exit codes). */
  readonly footer?: string
  /** Whether the command takes positional arguments (`ssa inspect FILE`). */
  readonly positionals?: boolean
}

/** Every command takes -h/--help; it is not listed in each command's options. */
const HELP_OPTION = { type: 'boolean', short: 'h' } as const

/** Declares a command, keeping the option names as literal types for parseCommand. */
export const defineCommand = <const O extends Readonly<Record<string, OptionHelp>>>(help: CommandHelp<O>): CommandHelp<O> => help

/** node:util parseArgs rejects unknown options, missing values and stray positionals with ERR_PARSE_ARGS_* codes. */
export const isParseArgsError = (error: unknown): boolean => typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS_')

/** Parses `args` against the command's declared options (and --help); anything else is a UsageError naming the command. */
export function parseCommand<const O extends Readonly<Record<string, OptionHelp>>>(help: CommandHelp<O>, args: string[]) {
  try {
    return parseArgs({ args, options: { ...help.options, help: HELP_OPTION }, strict: true, allowPositionals: help.positionals === true })
  } catch (error) {
    if (!isParseArgsError(error)) throw error
    throw new UsageError(`${(error as Error).message}\nRun "open-dcr ${help.command} --help" for the options of ${help.command}.`)
  }
}

/** How an option is written in the help: `-c, --config FILE`. */
function optionLabel(name: string, option: OptionHelp): string {
  const value = option.value === undefined ? '' : ` ${option.value}`
  return `${option.short === undefined ? '' : `-${option.short}, `}--${name}${value}`
}

/** The longest label column that still leaves room for the docs; longer labels put their doc on the next line. */
const MAX_LABEL = 28

/** The --help text of a command, exactly as it prints it. */
export function renderHelp(help: CommandHelp): string {
  const entries = Object.entries(help.options)
  const labels = entries.map(([name, option]) => optionLabel(name, option))
  const width = Math.min(MAX_LABEL, Math.max(0, ...labels.map((label) => label.length)))
  const blocks: string[] = [`Usage: ${help.usage}`]
  if (help.description !== undefined) blocks.push(help.description)
  let block: string[] = []
  let group: string | undefined
  entries.forEach(([, option], index) => {
    if (index === 0 || option.group !== group) {
      if (block.length > 0) blocks.push(block.join('\n'))
      block = option.group === undefined ? [] : [`${option.group}:`]
      group = option.group
    }
    const label = labels[index]!
    const [first, ...rest] = option.doc.split('\n')
    const indent = ' '.repeat(width + 4)
    const head = label.length > width ? `  ${label}\n${indent}${first}` : `  ${label.padEnd(width)}  ${first}`
    block.push([head, ...rest.map((line) => `${indent}${line}`)].join('\n'))
  })
  if (block.length > 0) blocks.push(block.join('\n'))
  if (help.footer !== undefined) blocks.push(help.footer)
  return blocks.join('\n\n')
}

/** Prints the help when --help was given; answers whether it did (the command then exits 0). */
export function printedHelp(help: CommandHelp, values: { help?: boolean | undefined }): boolean {
  if (values.help !== true) return false
  console.log(renderHelp(help))
  return true
}
