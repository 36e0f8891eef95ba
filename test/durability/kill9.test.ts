/**
 * Durability under kill -9 (issue 13 item 12, DESIGN.md Data): the real `open-dcr serve` on a SQLite file,
 * registering under load from several concurrent clients, is killed with SIGKILL mid-load, four times, and
 * restarted on the same database each time. Every registration answered 201 must be in the database (an
 * answer is sent only after its transaction committed: store/sqlite-writer.ts), none half-written (each client
 * has its success audit event, its JTIs and its registration access token, written in the same transaction),
 * and `PRAGMA integrity_check` says `ok`. The server then starts once more and registers.
 */
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, before, describe, it } from 'node:test'
import { Agent, request } from 'undici'
import { signRegistrations } from '../../bench/signed-requests.ts'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { serveConfigFile, startServe, type ServeProcess } from '../cli/serve-harness.ts'

/** serveConfigFile's issuer, the audience of every request. */
const AUDIENCE = 'https://127.0.0.1:9443'
/** Acknowledged registrations after which each round's server is killed: a different point of the load each time. */
const KILL_AFTER = [20, 35, 50, 65]
/** Clients registering at once. */
const CONCURRENCY = 6

type Round = { acknowledged: string[]; unanswered: number }

describe('kill -9 under registration load (issue 13 item 12)', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createSandbox()
  })
  after(() => sandbox.close())

  it(`${KILL_AFTER.length} SIGKILLs mid-load: every client answered 201 is stored whole after restart, and PRAGMA integrity_check is ok`, { timeout: 120_000 }, async (t) => {
    // RFC 7592 registration access tokens, so that a registration writes four tables in its one transaction.
    const { file, folder } = await serveConfigFile(sandbox, { management: { tokenKind: 'registration-access-token' } })
    // A failing assertion must not leave a server running (it would keep this test process alive).
    const started: ServeProcess[] = []
    const start = async () => {
      const serve = await startServe(file)
      started.push(serve)
      return serve
    }
    t.after(async () => {
      for (const serve of started) if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL')
      await rm(folder, { recursive: true, force: true })
    })
    const database = join(folder, 'state', 'open-dcr.db')
    const tpp = sandbox.tpp
    const agentFor = () => new Agent({ connections: CONCURRENCY, connect: { cert: tpp.transport.certificatePem, key: tpp.transport.privateKeyPem, ca: sandbox.caCertificatePem } })
    const register = async (serve: ServeProcess, agent: Agent, body: string) => {
      const response = await request(`${serve.url}/register`, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body, dispatcher: agent })
      return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> }
    }

    /** Starts serve, registers from CONCURRENCY clients until `killAfter` are acknowledged, then SIGKILLs it mid-load. */
    const round = async (killAfter: number): Promise<Round> => {
      // Signed before the server starts, so that the load is the server's alone; far more than one round needs.
      const bodies = await signRegistrations(sandbox, AUDIENCE, killAfter * 4)
      const serve = await start()
      const agent = agentFor()
      const acknowledged: string[] = []
      let unanswered = 0
      let next = 0
      let killed = false
      const client = async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!
          try {
            const answer = await register(serve, agent, body)
            assert.equal(answer.status, 201, JSON.stringify(answer.json))
            acknowledged.push(String(answer.json.client_id))
          } catch (error) {
            // Requests in flight when the process dies get no answer: they may or may not be stored.
            if (!killed) throw error
            unanswered += 1
            return
          }
          if (acknowledged.length >= killAfter && !killed) {
            killed = true
            process.kill(serve.pid, 'SIGKILL')
          }
        }
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, client))
      assert.ok(killed, `round ran out of ${bodies.length} requests before ${killAfter} were acknowledged`)
      await serve.exited
      await agent.destroy()
      return { acknowledged, unanswered }
    }

    const rounds: Round[] = []
    for (const killAfter of KILL_AFTER) rounds.push(await round(killAfter))
    const acknowledged = rounds.flatMap((done) => done.acknowledged)

    // The database as the last SIGKILL left it (opening it recovers the WAL, as the server's next start does).
    const db = new DatabaseSync(database)
    let lost: string[]
    try {
      assert.deepEqual(db.prepare('PRAGMA integrity_check').all().map((row) => ({ ...row })), [{ integrity_check: 'ok' }])
      const stored = new Map(db.prepare("SELECT client_id, metadata, software_statement FROM clients WHERE status = 'active'").all().map((row) => [String(row.client_id), row]))
      lost = acknowledged.filter((clientId) => !stored.has(clientId))
      // Whole: each stored client has its success event, its registration access token, and two JTIs (request, SSA).
      const events = new Set(db.prepare("SELECT client_id FROM audit_events WHERE operation = 'create' AND outcome = 'success'").all().map((row) => String(row.client_id)))
      const tokens = new Set(db.prepare('SELECT client_id FROM registration_tokens WHERE valid_until IS NULL').all().map((row) => String(row.client_id)))
      const jtis = Number(db.prepare('SELECT count(*) AS n FROM used_jtis').get()!.n)
      const halfWritten = [...stored].filter(([clientId, row]) => !events.has(clientId) || !tokens.has(clientId) || typeof JSON.parse(String(row.metadata)) !== 'object' || row.software_statement === null)
      t.diagnostic(`kills: ${rounds.length}; acknowledged (201): ${acknowledged.length}; unanswered at the kills: ${rounds.reduce((sum, done) => sum + done.unanswered, 0)}; stored: ${stored.size}; registrations lost across kills: ${lost.length}; half-written: ${halfWritten.length}`)
      assert.deepEqual(lost, [], 'acknowledged registrations missing after kill -9')
      assert.deepEqual(halfWritten.map(([clientId]) => clientId), [], 'clients stored without their audit event, token or metadata')
      assert.equal(jtis, stored.size * 2, 'every stored client, and only those, has its request and SSA JTIs')
      assert.equal(events.size, stored.size, 'a success event for every stored client, and no other')
    } finally {
      db.close()
    }

    // And the server starts again on it and registers.
    const serve = await start()
    const agent = agentFor()
    try {
      const [body] = await signRegistrations(sandbox, AUDIENCE, 1)
      const answer = await register(serve, agent, body!)
      assert.equal(answer.status, 201, JSON.stringify(answer.json))
    } finally {
      await agent.destroy()
      serve.child.kill('SIGTERM')
      await serve.exited
    }
  })
})
