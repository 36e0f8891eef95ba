/**
 * `open-dcr serve` as an operator meets it (issue 12 items 17-19, 20's http issuer): a TLS file that is missing,
 * a directory, not PEM, or the key of another certificate stops start-up at once with exit 2 and one line naming
 * the configuration key and the file; so do database and signing-key files it cannot use. The database and the
 * signing keys must be named by the configuration (never the sandbox's `.open-dcr/` of the working directory),
 * are logged, and are created 0600 in a folder created 0700. SIGTERM or SIGINT stops the server gracefully,
 * also through `npx`, within the bound of src/cli/shutdown.ts.
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { connect } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import { STOP_BOUND_MS } from '../../src/cli/shutdown.ts'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { runCli } from './harness.ts'
import { isRunning, serveConfigFile, startServe } from './serve-harness.ts'

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777

/** Runs serve to its end (it must end: the test times out otherwise) and returns exit code and stderr. */
async function serveFails(changes: Record<string, unknown>, sandbox: Sandbox): Promise<{ code: number | null; stderr: string }> {
  const { file } = await serveConfigFile(sandbox, changes)
  const result = await runCli(['serve', '--config', file])
  return { code: result.code, stderr: result.stderr.trim() }
}

describe('open-dcr serve', { concurrency: 2 }, () => {
  let sandbox: Sandbox
  let scratch: string
  before(async () => {
    sandbox = await createSandbox()
    scratch = await mkdtemp(join(tmpdir(), 'open-dcr-serve-scratch-'))
  })
  after(async () => {
    await sandbox.close()
    await rm(scratch, { recursive: true, force: true })
  })

  describe('refuses TLS material it cannot serve with: exit 2, one line naming the key and the file', { timeout: 30000 }, () => {
    const cases: Array<{ name: string; key: 'keyFile' | 'certFile'; file: () => Promise<string>; says: RegExp }> = [
      { name: 'a key file that does not exist', key: 'keyFile', file: async () => join(scratch, 'missing-key.pem'), says: /cannot read .*missing-key\.pem: ENOENT/ },
      { name: 'a directory as the certificate', key: 'certFile', file: async () => scratch, says: /is not a file/ },
      { name: 'a key file that is not PEM', key: 'keyFile', file: async () => sandbox.files.manifestFile, says: /holds no PEM private key/ },
      { name: 'a certificate file that is not PEM', key: 'certFile', file: async () => sandbox.files.manifestFile, says: /holds no PEM certificate/ },
      { name: 'a key that does not match the certificate', key: 'keyFile', file: async () => sandbox.files.caKeyFile, says: /is not the key of the certificate in/ },
    ]
    for (const { name, key, file, says } of cases) {
      it(`${name}: server.tls.${key}`, async () => {
        const path = await file()
        const { code, stderr } = await serveFails({ server: { tls: { [key]: path } } }, sandbox)
        assert.equal(code, 2, stderr)
        assert.equal(stderr.split('\n').length, 1, `one line: ${stderr}`)
        assert.ok(stderr.includes(`configuration key "server.tls.${key}"`), stderr)
        assert.ok(stderr.includes(path), stderr)
        assert.match(stderr, says)
      })
    }
  })

  it('a failure after the store is open (the port is taken) closes the store and exits 2 naming server.port', { timeout: 30000 }, async (t) => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    t.after(() => blocker.close())
    const { port } = blocker.address() as { port: number }
    const { file, folder } = await serveConfigFile(sandbox, { server: { port } })
    const result = await runCli(['serve', '--config', file])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, new RegExp(`configuration key "server\\.port": 127\\.0\\.0\\.1:${port} is already in use`))
    // The database was opened (created) before listening failed, and was closed: no WAL is left behind.
    await stat(join(folder, 'state', 'open-dcr.db'))
    await assert.rejects(stat(join(folder, 'state', 'open-dcr.db-wal')), { code: 'ENOENT' })
  })

  it('does not fall back on .open-dcr/ of the working directory: store.path and tokens.signingKeysFile must be named', { timeout: 30000 }, async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'open-dcr-serve-cwd-'))
    for (const [section, key] of [['store', 'path'], ['tokens', 'signingKeysFile']] as const) {
      const { file } = await serveConfigFile(sandbox)
      const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, unknown>>
      delete config[section]![key]
      await writeFile(file, JSON.stringify(config))
      const result = await runCli(['serve', '--config', file], { cwd })
      assert.equal(result.code, 2, result.stderr)
      assert.match(result.stderr, new RegExp(`configuration key "${section}\\.${key}": must be set for open-dcr serve`))
    }
    await assert.rejects(stat(join(cwd, '.open-dcr')), { code: 'ENOENT' }, 'nothing was created in the working directory')
    await rm(cwd, { recursive: true, force: true })
  })

  it('logs the database and signing-key files it uses and creates both 0600 in a folder it creates 0700', { timeout: 30000 }, async () => {
    const { file, folder } = await serveConfigFile(sandbox)
    const server = await startServe(file)
    const listening = server.logs().find((entry) => entry.msg === 'open-dcr listening')!
    const state = join(folder, 'state')
    assert.equal(listening.database, join(state, 'open-dcr.db'))
    assert.equal(listening.signingKeysFile, join(state, 'signing-keys.json'))
    assert.equal(await mode(state), 0o700)
    assert.equal(await mode(join(state, 'open-dcr.db')), 0o600)
    assert.equal(await mode(join(state, 'signing-keys.json')), 0o600)
    server.child.kill('SIGTERM')
    assert.equal(await server.exited, 0)
  })

  describe('database and signing-key files it cannot use: exit 2 naming the key and the file', { timeout: 30000 }, () => {
    it('store.path under a file', async () => {
      const path = join(sandbox.files.manifestFile, 'open-dcr.db')
      const { code, stderr } = await serveFails({ store: { path } }, sandbox)
      assert.equal(code, 2, stderr)
      assert.ok(stderr.startsWith('open-dcr serve: configuration key "store.path": cannot create the folder'), stderr)
      assert.ok(stderr.includes(path), stderr)
    })
    it('store.path that is a directory', async () => {
      const { code, stderr } = await serveFails({ store: { path: scratch } }, sandbox)
      assert.equal(code, 2, stderr)
      assert.equal(stderr, `open-dcr serve: configuration key "store.path": ${scratch} is not a file (a directory or a device): name a file`)
    })
    it('store.path that is not an SQLite database', async () => {
      const path = join(scratch, 'not-a-database.db')
      await writeFile(path, 'not SQLite '.repeat(200))
      const { code, stderr } = await serveFails({ store: { path } }, sandbox)
      assert.equal(code, 2, stderr)
      assert.equal(stderr, `open-dcr serve: configuration key "store.path": cannot open the SQLite database ${path}: file is not a database`)
    })
    it('tokens.signingKeysFile that is a directory', async () => {
      const path = join(scratch, 'keys-folder')
      await mkdir(path, { recursive: true })
      const { code, stderr } = await serveFails({ tokens: { signingKeysFile: path } }, sandbox)
      assert.equal(code, 2, stderr)
      assert.equal(stderr, `open-dcr serve: configuration key "tokens.signingKeysFile": ${path} is not a file (a directory or a device): name a file`)
    })
    it('a database this user may not write (EACCES), unless running as root', { skip: process.getuid?.() === 0 ? 'root may write any file' : false }, async () => {
      const folder = await mkdtemp(join(tmpdir(), 'open-dcr-serve-ro-'))
      const path = join(folder, 'read-only.db')
      await writeFile(path, '', { mode: 0o400 })
      const { code, stderr } = await serveFails({ store: { path } }, sandbox)
      assert.equal(code, 2, stderr)
      assert.equal(stderr, `open-dcr serve: configuration key "store.path": ${path} must be readable and writable by this user: EACCES, permission denied`)
    })
  })

  it('refuses an http issuer outside the sandbox: exit 2 naming issuer', { timeout: 30000 }, async () => {
    const { code, stderr } = await serveFails({ issuer: 'http://bank.example' }, sandbox)
    assert.equal(code, 2, stderr)
    assert.equal(stderr, 'open-dcr serve: configuration key "issuer": must be an https URL, got "http://bank.example" (plain http is accepted only when the sandbox starts the server)')
  })

  it('SIGTERM answers the request in flight, flushes the database and exits 0 within the bound', { timeout: 30000 }, async () => {
    const { file, folder } = await serveConfigFile(sandbox)
    const server = await startServe(file)
    const { port } = new URL(server.url)
    const socket = connect({ host: '127.0.0.1', port: Number(port), ca: sandbox.caCertificatePem, servername: 'localhost', cert: sandbox.tpp.transport.certificatePem, key: sandbox.tpp.transport.privateKeyPem })
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject))
    let answer = ''
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
    const body = 'not.a.jwt'
    socket.write(`POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/jwt\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const stopAsked = Date.now()
    server.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.ok(isRunning(server.pid), 'the server waits for the request in flight')
    socket.write(body.slice(3))
    const deadline = Date.now() + 5000
    while (!/\r\n\r\n\{.*\}$/s.test(answer) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    socket.end()
    const [head = '', answered = ''] = answer.split('\r\n\r\n')
    assert.deepStrictEqual(
      { status: head.split('\r\n')[0], body: JSON.parse(answered) as unknown },
      {
        status: 'HTTP/1.1 400 Bad Request',
        body: { error: 'invalid_client_metadata', error_description: 'the registration request cannot be decoded: Invalid Token or Protected Header formatting', validator: 'request-format' },
      },
      'the request in flight is answered',
    )
    assert.equal(await server.exited, 0)
    assert.ok(Date.now() - stopAsked < STOP_BOUND_MS, 'within the bound')
    assert.ok(server.logs().some((entry) => entry.msg === 'open-dcr stopped'))
    // The refusal's audit event was committed by the writer thread before the process ended.
    const db = new DatabaseSync(join(folder, 'state', 'open-dcr.db'), { readOnly: true })
    const { count } = db.prepare("SELECT count(*) AS count FROM audit_events WHERE outcome = 'rejected'").get() as { count: number }
    db.close()
    assert.equal(count, 1)
  })

  it('SIGINT stops it too, with exit 0', { timeout: 30000 }, async () => {
    const { file } = await serveConfigFile(sandbox)
    const server = await startServe(file)
    server.child.kill('SIGINT')
    assert.equal(await server.exited, 0)
    assert.equal(server.logs().find((entry) => entry.msg === 'open-dcr stopping')?.reason, 'SIGINT')
  })

  it('SIGTERM to the documented start command, npx open-dcr serve, stops the node process it wraps', { timeout: 60000 }, async () => {
    const { file } = await serveConfigFile(sandbox)
    const server = await startServe(file, 'npx')
    assert.notEqual(server.pid, server.child.pid, 'npx runs node as a child process')
    const stopAsked = Date.now()
    server.child.kill('SIGTERM')
    await server.exited
    while (isRunning(server.pid) && Date.now() - stopAsked < STOP_BOUND_MS) await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(isRunning(server.pid), false, `node ${server.pid} stopped within ${STOP_BOUND_MS} ms`)
    const { port } = new URL(server.url)
    await assert.rejects(
      new Promise((resolve, reject) => connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false }).once('secureConnect', resolve).once('error', reject)),
      { code: 'ECONNREFUSED' },
    )
  })
})
