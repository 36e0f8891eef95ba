/**
 * Decoration on a terminal (docs/cli.md): on a TTY the commands colour their output (node:util styleText) and
 * write progress lines (`→ POST …`) to stderr; with NO_COLOR set (https://no-color.org) both go, leaving plain
 * text. The command runs on a real pseudo-terminal (util-linux `script`), as a user would run it.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { CLI, freePort } from './harness.ts'

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const ESCAPE = '\u001b['
const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`

/** Runs `open-dcr ...args` on a pseudo-terminal; stdout and stderr both arrive on it. */
function onTerminal(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ')
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', () => resolve(output))
    child.stdin.end()
  })
}

describe('colour and progress lines on a terminal', { skip: hasScript ? false : 'util-linux script is not installed' }, () => {
  let sandbox: Sandbox
  let folder: string
  let args: string[]
  before(async () => {
    sandbox = await createSandbox()
    folder = await mkdtemp(join(tmpdir(), 'open-dcr-terminal-'))
    const ssa = join(folder, 'statement.jwt')
    await writeFile(ssa, await sandbox.issueSsa())
    // Nothing listens on that port: the command gets as far as its progress line, then fails (exit 1).
    const tpp = join(sandbox.files.dir, 'tpp')
    args = ['tpp', 'register', '--dir', folder, '--server', `https://127.0.0.1:${await freePort()}`, '--aud', 'https://bank.example', '--cert', join(tpp, 'transport.pem'), '--key', join(tpp, 'transport-key.pem'), '--signing-key', join(tpp, 'signing-key.jwk.json'), '--ssa', ssa]
  })
  after(async () => {
    await sandbox.close()
    await rm(folder, { recursive: true, force: true })
  })

  const baseEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' }
    delete env.NO_COLOR
    delete env.FORCE_COLOR
    return env
  }

  it('without NO_COLOR, tpp register on a TTY writes a coloured progress line', { timeout: 30000 }, async () => {
    const output = await onTerminal(args, baseEnv())
    assert.match(output, /→ POST https:\/\/127\.0\.0\.1:\d+\/register \(obuk, application\/jwt\)/, output)
    assert.ok(output.includes(`${ESCAPE}2m→ POST`), `the progress line is dimmed: ${JSON.stringify(output)}`)
  })

  it('NO_COLOR removes colour and progress lines: the same command prints plain text only', { timeout: 30000 }, async () => {
    const output = await onTerminal(args, { ...baseEnv(), NO_COLOR: '1' })
    assert.ok(!output.includes('→'), `no progress line: ${JSON.stringify(output)}`)
    assert.ok(!output.includes(ESCAPE), `no escape sequence: ${JSON.stringify(output)}`)
    assert.match(output, /open-dcr tpp: /, 'the failure itself is still reported')
  })
})
