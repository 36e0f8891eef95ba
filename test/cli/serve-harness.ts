/**
 * `open-dcr serve` as an operator runs it, for the serve tests: a configuration file built from a sandbox's
 * material (its CA, server certificate and key), with the database and signing keys in a fresh folder, and
 * the server started as a child process (node directly, or through `npx` as docs/operations.md says).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { merge } from '../../src/config/load.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { CLI } from './harness.ts'

export const REPOSITORY = new URL('../..', import.meta.url).pathname

/** A serve configuration file for `sandbox`'s material, with `changes` merged in; store and keys in `folder`. */
export async function serveConfigFile(sandbox: Sandbox, changes: Record<string, unknown> = {}, folder?: string): Promise<{ file: string; folder: string }> {
  const dir = folder ?? (await mkdtemp(join(tmpdir(), 'open-dcr-serve-')))
  const values = merge(sandbox.serverConfigValues('https://127.0.0.1:9443'), {
    server: { host: '127.0.0.1', port: 0 },
    store: { path: join(dir, 'state', 'open-dcr.db') },
    tokens: { signingKeysFile: join(dir, 'state', 'signing-keys.json') },
    ...changes,
  })
  const file = join(dir, `serve-${Math.random().toString(36).slice(2)}.json`)
  await writeFile(file, JSON.stringify(values, null, 2))
  return { file, folder: dir }
}

export type ServeProcess = {
  readonly child: ChildProcessWithoutNullStreams
  /** The URL and the pid of the node process serving, from the "open-dcr listening" log line. */
  readonly url: string
  readonly pid: number
  /** The JSON log lines printed so far. */
  readonly logs: () => Array<Record<string, unknown>>
  readonly exited: Promise<number | null>
}

/** Starts `open-dcr serve --config FILE` (node, or `npx open-dcr`) and waits for its "open-dcr listening" line. */
export async function startServe(file: string, via: 'node' | 'npx' = 'node'): Promise<ServeProcess> {
  const env = { ...process.env, NO_COLOR: '1' }
  const child = via === 'node' ? spawn(process.execPath, [CLI, 'serve', '--config', file], { env }) : spawn('npx', ['open-dcr', 'serve', '--config', file], { env, cwd: REPOSITORY })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const logs = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stdout}${stderr}`)), 30000)
    child.stdout.on('data', () => {
      const line = logs().find((entry) => entry.msg === 'open-dcr listening')
      if (line !== undefined) {
        clearTimeout(timer)
        resolve(line)
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}: ${stdout}${stderr}`))
    })
  })
  return { child, url: String(listening.url), pid: Number(listening.pid), logs, exited }
}

/** Whether a process with `pid` still exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
