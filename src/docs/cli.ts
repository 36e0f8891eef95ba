/**
 * The reference section of docs/cli.md: every command's --help, rendered from the declarations the commands
 * parse and print (src/cli/command-help.ts, src/cli/commands.ts). The walkthrough above the section is written
 * by hand and kept as it is; `npm run docs` rewrites the section, and a test fails when it differs.
 */
import { renderHelp } from '../cli/command-help.ts'
import { ALL_HELP } from '../cli/commands.ts'

/** The heading the generated section starts with; everything before it is the walkthrough. */
export const CLI_REFERENCE_HEADING = "## Reference: every command's --help"

/** The generated section, from its heading to the end of the file. */
export function renderCliReference(): string {
  const lines = [
    CLI_REFERENCE_HEADING,
    '',
    '<!-- Generated from the commands\' help declarations (src/cli/) by `npm run docs`; a test fails when this section differs from what the commands print. -->',
    '',
  ]
  for (const help of ALL_HELP) {
    lines.push(`### \`open-dcr${help.command === '' ? '' : ` ${help.command}`} --help\``, '', '```text', renderHelp(help), '```', '')
  }
  return lines.join('\n')
}

/** docs/cli.md with its walkthrough (what `current` holds before the reference heading) and a fresh reference section. */
export function renderCliDoc(current: string): string {
  const at = current.indexOf(`\n${CLI_REFERENCE_HEADING}\n`)
  const walkthrough = at === -1 ? current.trimEnd() + '\n' : current.slice(0, at + 1)
  return `${walkthrough}\n${renderCliReference()}`.replace(/\n\n\n+/g, '\n\n')
}
