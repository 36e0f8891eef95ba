/**
 * What a newcomer does after `npm install && npm start`: the sandbox command starts the server, and the
 * printed `tpp register` command, run in another process, registers a client over mutual TLS.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { promisify } from 'node:util'

const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname
const run = promisify(execFile)

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

it('open-dcr sandbox prints a command that registers a client, and stops cleanly on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'open-dcr-cli-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const port = await freePort()
  const sandbox = spawn(process.execPath, [CLI, 'sandbox', '--dir', dir, '--port', String(port)], { env: { ...process.env, OPEN_DCR_LOG__LEVEL: 'warn' } })
  t.after(() => sandbox.kill('SIGKILL'))
  let output = ''
  sandbox.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${output}`)), 30000)
    sandbox.stdout.on('data', () => {
      if (output.includes('Press Ctrl+C')) {
        clearTimeout(timer)
        resolve()
      }
    })
    sandbox.on('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${output}`)))
  })
  assert.match(output, new RegExp(`https://127\\.0\\.0\\.1:${port}/register`))
  const printed = /npx open-dcr (tpp register[^\n]*)/.exec(output)
  assert.ok(printed, 'the start-up text shows the command to run')
  const args = printed[1]!.trim().split(/\s+/)
  assert.deepEqual(args.slice(0, 4), ['tpp', 'register', '--dir', dir])

  for (let attempt = 0; attempt < 2; attempt++) {
    const { stdout } = await run(process.execPath, [CLI, ...args, '--json'])
    const client = JSON.parse(stdout) as Record<string, unknown>
    assert.match(client.client_id as string, /^[A-Za-z0-9_-]{22,}$/, 'each run registers a new client with a fresh SSA and jti')
  }

  const exited = new Promise<number | null>((resolve) => sandbox.on('exit', (code) => resolve(code)))
  sandbox.kill('SIGTERM')
  assert.equal(await exited, 0)
})

it('open-dcr tpp register without a running sandbox explains what to do and exits 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'open-dcr-cli-'))
  const failure = await run(process.execPath, [CLI, 'tpp', 'register', '--dir', dir]).then(
    () => assert.fail('should fail'),
    (error: { code: number; stderr: string }) => error,
  )
  assert.equal(failure.code, 2)
  assert.match(failure.stderr, /npm start/)
  await rm(dir, { recursive: true, force: true })
})

it('open-dcr with an unknown command prints help and exits 2; serve without --config exits 2', async () => {
  const unknown = await run(process.execPath, [CLI, 'nonsense']).catch((error: { code: number; stderr: string }) => error)
  assert.equal((unknown as { code: number }).code, 2)
  const serve = await run(process.execPath, [CLI, 'serve']).catch((error: { code: number; stderr: string }) => error)
  assert.equal((serve as { code: number }).code, 2)
  assert.match((serve as { stderr: string }).stderr, /--config FILE is required/)
})
