/**
 * Runs the real command line in child processes, as a user would (process.execPath is the project's Node):
 * `runCli` runs one command to its end and reports exit code and output; `startSandbox` starts
 * `open-dcr sandbox` on a free port with its own folder and waits until it prints that it is running.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname

export type CliResult = { code: number | null; stdout: string; stderr: string }

const quietEnv = (): NodeJS.ProcessEnv => ({ ...process.env, OPEN_DCR_LOG__LEVEL: 'warn', NO_COLOR: '1' })

/** Runs `open-dcr ...args` to completion; never rejects on a non-zero exit. `input` is written to stdin. */
export function runCli(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: quietEnv(), cwd: options.cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/** Parses a command's stdout as JSON, saying which command printed what when it is not. */
export function jsonOf(result: CliResult, command: string): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>
  } catch {
    throw new Error(`${command} printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
}

/** Whether `port` can be listened on now. */
async function isFree(port: number): Promise<boolean> {
  const server = createServer()
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => resolve(true))
  })
  if (free) await new Promise((resolve) => server.close(resolve))
  return free
}

/** A free port whose next port is free too: the server's admin listener takes the server port + 1 by default. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    await new Promise((resolve) => server.close(resolve))
    if (port < 65535 && (await isFree(port + 1))) return port
  }
}

export type RunningSandbox = {
  readonly dir: string
  readonly port: number
  /** What the sandbox printed on stdout so far. */
  readonly output: () => string
  readonly process: ChildProcessWithoutNullStreams
  /** SIGTERM, waits for the exit, removes the folder; returns the exit code. */
  stop(): Promise<number | null>
}

/** Starts `open-dcr sandbox [--profile P] [--config FILE]` in a new temporary folder and waits for "Press Ctrl+C". */
export async function startSandbox(options: { profile?: string; config?: string } = {}): Promise<RunningSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'open-dcr-cli-'))
  const port = await freePort()
  const args = ['sandbox', '--dir', dir, '--port', String(port), ...(options.profile ? ['--profile', options.profile] : []), ...(options.config ? ['--config', options.config] : [])]
  const child = spawn(process.execPath, [CLI, ...args], { env: quietEnv() })
  let output = ''
  let errors = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${output}${errors}`)), 30000)
      child.stdout.on('data', () => {
        if (output.includes('Press Ctrl+C')) {
          clearTimeout(timer)
          resolve()
        }
      })
      void exited.then((code) => {
        clearTimeout(timer)
        reject(new Error(`sandbox exited with ${code}: ${output}${errors}`))
      })
    })
  } catch (error) {
    child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  return {
    dir,
    port,
    output: () => output,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
      const code = await exited
      clearTimeout(timer)
      await rm(dir, { recursive: true, force: true })
      return code
    },
  }
}
