/**
 * The command line's contract with scripts: --help on every command and subcommand prints usage and exits
 * 0; an unknown option, an unknown subcommand or a bad option value exits 2 with a message on stderr.
 */
import assert from 'node:assert/strict'
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

describe('open-dcr --help and usage errors', { concurrency: 2 }, () => {
  for (const command of COMMANDS) {
    it(`open-dcr ${[...command, '--help'].join(' ')} prints usage and exits 0`, async () => {
      const result = await runCli([...command, '--help'])
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /Usage/)
    })
  }

  for (const command of COMMANDS.filter((words) => words.length > 0 && !(words.length === 1 && ['tpp', 'ssa', 'keys'].includes(words[0]!)))) {
    it(`open-dcr ${command.join(' ')} with an unknown option exits 2`, async () => {
      const result = await runCli([...command, '--no-such-option'])
      assert.equal(result.code, 2, `${result.stdout}${result.stderr}`)
      assert.match(result.stderr, /no-such-option/)
    })
  }

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
    assert.match(misplaced.stderr, /tpp token does not take --claim/)
  })
})
