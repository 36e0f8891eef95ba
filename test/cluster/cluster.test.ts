/**
 * server.workers (src/cluster.ts): with 2 the primary forks two worker processes that both listen on one
 * port, answers come from them, and stopping the primary stops them; with 1 there is no cluster at all.
 * Runs a fixture program, since cluster workers re-run the program that started the primary.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { exportJWK, generateKeyPair } from 'jose'

const FIXTURE = fileURLToPath(new URL('./clustered-server.fixture.ts', import.meta.url))

type Started = { role: string; url: string; pids: number[] }

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Runs the fixture with `workers`; resolves with its first line and a function that stops it and waits for its exit. */
function runFixture(configFile: string): Promise<{ started: Started; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', FIXTURE, configFile], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const line = output.split('\n')[0]
      if (output.includes('\n') && line !== undefined) {
        resolve({
          started: JSON.parse(line) as Started,
          stop: async () => {
            child.kill('SIGTERM')
            return exited
          },
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`the fixture exited with code ${String(code)} before starting`)))
  })
}

describe('server.workers', () => {
  let folder = ''
  let directoryJwk: Record<string, unknown> = {}
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'open-dcr-cluster-'))
    const { publicKey } = await generateKeyPair('PS256')
    directoryJwk = { ...(await exportJWK(publicKey)), kid: 'directory', alg: 'PS256', use: 'sig' }
  })
  after(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  async function configFile(name: string, workers: number): Promise<string> {
    const file = join(folder, `${name}.json`)
    const config = {
      issuer: 'https://bank.example.com',
      directories: [{ issuer: 'Test Directory', jwks: { keys: [directoryJwk] } }],
      server: { mode: 'proxy', host: '127.0.0.1', port: 0, workers, proxy: { trustedAddresses: ['127.0.0.1'] } },
      store: { path: join(folder, `${name}.db`) },
      tokens: { signingKeysFile: join(folder, `${name}-keys.json`) },
      log: { level: 'silent' },
    }
    await writeFile(file, JSON.stringify(config))
    return file
  }

  it('with 2 forks two serving workers on one port and stops them with the primary', async () => {
    const { started, stop } = await runFixture(await configFile('two', 2))
    let stopped = false
    try {
      assert.equal(started.role, 'primary')
      assert.equal(started.pids.length, 2)
      assert.equal(new Set(started.pids).size, 2, 'two distinct worker processes')
      for (const pid of started.pids) assert.ok(isAlive(pid), `worker ${pid} runs`)
      const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(`${started.url}/.well-known/openid-configuration`)))
      for (const answer of answers) assert.equal(answer.status, 200)
      assert.equal(await stop(), 0)
      stopped = true
      for (const pid of started.pids) assert.ok(!isAlive(pid), `worker ${pid} stopped with the primary`)
    } finally {
      if (!stopped) await stop()
    }
  })

  it('with 1 serves from the process itself, without a cluster', async () => {
    const { started, stop } = await runFixture(await configFile('one', 1))
    try {
      assert.equal(started.role, 'single')
      assert.equal(started.pids.length, 1)
      assert.equal((await fetch(`${started.url}/.well-known/openid-configuration`)).status, 200)
    } finally {
      assert.equal(await stop(), 0)
    }
  })
})
