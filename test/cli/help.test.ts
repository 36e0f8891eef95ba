/**
 * The command line's contract with scripts: --help on every command and subcommand prints usage and exits
 * 0, and prints exactly the block docs/cli.md shows for it; each subcommand's --help lists only the options it
 * accepts, and it accepts every option it lists; an unknown option, an unknown subcommand or a bad option value
 * exits 2 with a message on stderr; `open-dcr --version` prints the version package.json declares.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { runCli } from './harness.ts'

const COMMANDS: readonly string[][] = [
  [],
  ['serve'],
  ['sandbox'],
  ['tpp'],
  ['tpp', 'register'],
  ['tpp', 'token'],
  ['tpp', 'show'],
  ['tpp', 'update'],
  ['tpp', 'delete'],
  ['ssa'],
  ['ssa', 'issue'],
  ['ssa', 'inspect'],
  ['keys'],
  ['keys', 'generate'],
  ['conformance'],
]

const CLI_DOC = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8')

/** The ```text block docs/cli.md shows under "### `open-dcr ... --help`". */
function documentedHelp(words: readonly string[]): string | undefined {
  const heading = `### \`${['open-dcr', ...words, '--help'].join(' ')}\``
  const at = CLI_DOC.indexOf(`${heading}\n\n\`\`\`text\n`)
  if (at === -1) return undefined
  const start = at + heading.length + '\n\n```text\n'.length
  return CLI_DOC.slice(start, CLI_DOC.indexOf('\n```\n', start))
}

/** The options a help text lists: every `--name` at the start of an option line. */
const listedOptions = (help: string): string[] => [...help.matchAll(/^ {2}(?:-\w, )?--([a-z][a-z-]*)/gm)].map((match) => match[1]!)

describe('open-dcr --help and usage errors', { concurrency: 2 }, () => {
  for (const command of COMMANDS) {
    it(`open-dcr ${[...command, '--help'].join(' ')} prints usage, exits 0, and is what docs/cli.md shows`, async () => {
      const result = await runCli([...command, '--help'])
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /^Usage: open-dcr/)
      const documented = documentedHelp(command)
      assert.ok(documented !== undefined, `docs/cli.md has a --help block for "${command.join(' ')}" (npm run docs)`)
      assert.equal(result.stdout, `${documented}\n`, 'docs/cli.md shows what the command prints (npm run docs)')
    })
  }

  for (const command of COMMANDS.filter((words) => words.length > 0 && !(words.length === 1 && ['tpp', 'ssa', 'keys'].includes(words[0]!)))) {
    it(`open-dcr ${command.join(' ')} with an unknown option exits 2 and names the option and the command's --help`, async () => {
      const result = await runCli([...command, '--no-such-option'])
      assert.equal(result.code, 2, `${result.stdout}${result.stderr}`)
      assert.match(result.stderr, /Unknown option '--no-such-option'/)
      assert.ok(result.stderr.includes(`Run "open-dcr ${command.join(' ')} --help"`), result.stderr)
    })
  }

  it('each tpp subcommand lists only its own options: token, show and delete build no request, so take no --ssa, --profile, --aud or --claim', async () => {
    for (const subcommand of ['token', 'show', 'delete']) {
      const help = await runCli(['tpp', subcommand, '--help'])
      const listed = listedOptions(help.stdout)
      assert.ok(listed.includes('client-id') && listed.includes('signing-key'), `${subcommand}: ${listed.join(' ')}`)
      for (const foreign of ['ssa', 'profile', 'aud', 'claim', 'claims', 'omit']) assert.ok(!listed.includes(foreign), `tpp ${subcommand} --help does not list --${foreign}`)
      const refused = await runCli(['tpp', subcommand, '--ssa', 'statement.jwt'])
      assert.equal(refused.code, 2, `tpp ${subcommand} --ssa`)
      assert.ok(refused.stderr.includes("Unknown option '--ssa'"), refused.stderr)
    }
    const register = listedOptions((await runCli(['tpp', 'register', '--help'])).stdout)
    assert.deepEqual(register.filter((name) => ['ssa', 'profile', 'aud', 'claim', 'client-id', 'scope'].includes(name)), ['claim', 'ssa', 'profile', 'aud'])
  })

  it('every option a --help lists is accepted by that command (it gets past parsing)', async () => {
    for (const command of [['tpp', 'token'], ['ssa', 'issue'], ['keys', 'generate'], ['sandbox']]) {
      const help = (await runCli([...command, '--help'])).stdout
      const args = listedOptions(help).flatMap((name) => {
        const takesValue = new RegExp(`^ {2}(?:-\\w, )?--${name} [A-Z]`, 'm').test(help)
        return takesValue ? [`--${name}=x`] : [`--${name}`]
      })
      const result = await runCli([...command, ...args, '--help'])
      assert.equal(result.code, 0, `${command.join(' ')} ${args.join(' ')}: ${result.stderr}`)
    }
  })

  it('open-dcr --version prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    const result = await runCli(['--version'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, `open-dcr ${version}\n`)
  })

  it('an unknown subcommand of tpp, ssa and keys exits 2', async () => {
    for (const command of [['tpp', 'nonsense'], ['ssa', 'nonsense'], ['keys', 'nonsense']]) {
      const result = await runCli(command)
      assert.equal(result.code, 2, command.join(' '))
      assert.match(result.stderr, /unknown .* command "nonsense"/)
    }
  })

  it('a bad option value exits 2: --profile outside the four profiles, tpp token with --claim', async () => {
    const profile = await runCli(['sandbox', '--profile', 'eu'])
    assert.equal(profile.code, 2)
    assert.match(profile.stderr, /--profile must be one of obuk, cdr, brazil, rfc7591/)
    const misplaced = await runCli(['tpp', 'token', '--claim', 'a=b'])
    assert.equal(misplaced.code, 2)
    assert.match(misplaced.stderr, /Unknown option '--claim'[\s\S]*open-dcr tpp token --help/)
  })
})
