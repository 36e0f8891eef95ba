/**
 * Refusals without credentials are counted per address and reason, not stored a row each (DESIGN.md,
 * Operations; issue 13 item 11): 1,000 registrations and 1,000 token requests without a client certificate
 * leave one audit row per (operation, address, reason) and flush interval, whose counts add up to the requests.
 * Real server over real TLS on loopback, requests on kept-alive connections.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Agent, request } from 'undici'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import type { AuditEvent } from '../../src/store/store.ts'
import { sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

/** `total` requests without a client certificate, `parallel` at a time over kept-alive TLS connections. */
async function withoutCertificate(s: TestServer, path: string, contentType: string, total: number, parallel = 20): Promise<number[]> {
  const dispatcher = new Agent({ connect: { ca: sandbox.caCertificatePem, servername: 'localhost' }, connections: parallel })
  const statuses: number[] = []
  try {
    let sent = 0
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (sent < total) {
          sent += 1
          const answer = await request(`${s.server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: 'x', dispatcher })
          await answer.body.dump()
          statuses.push(answer.statusCode)
        }
      }),
    )
  } finally {
    await dispatcher.close()
  }
  return statuses
}

const withoutTime = ({ at: _at, ...event }: AuditEvent): Omit<AuditEvent, 'at'> => event

describe('refusals without credentials', () => {
  it('writes 1,000 refused registrations and 1,000 refused token requests without a certificate as a bounded number of counted rows', async (t) => {
    const s = await startDcrServer(t, sandbox, { rateLimit: { enabled: false }, audit: { refusalFlushSeconds: 1 } })
    const registrations = await withoutCertificate(s, '/register', 'application/jwt', 1000)
    const tokens = await withoutCertificate(s, '/token', 'application/x-www-form-urlencoded', 1000)
    assert.deepStrictEqual(new Set(registrations), new Set([400]))
    assert.deepStrictEqual(new Set(tokens), new Set([401]))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const rows = await s.server.store.listAudit(10_000)
    // One row per operation and flush interval; the requests span a few intervals at most.
    assert.ok(rows.length >= 2 && rows.length <= 2 * 30, `${rows.length} rows`)
    const total = (operation: string) => rows.filter((row) => row.operation === operation).reduce((sum, row) => sum + (row.count ?? 1), 0)
    assert.equal(total('create'), 1000)
    assert.equal(total('token'), 1000)
    const address = rows[0]!.remoteAddress
    assert.deepStrictEqual(new Set(rows.filter((row) => row.operation === 'create').map(({ count: _count, ...row }) => JSON.stringify(withoutTime(row)))), new Set([
      JSON.stringify({ operation: 'create', outcome: 'rejected', errorCode: 'invalid_client_metadata', validator: 'client-certificate', remoteAddress: address, detail: 'a client certificate is required: call this endpoint over mutual TLS with your transport certificate' }),
    ]))
    assert.deepStrictEqual(await s.counts(), { clients: 0, jtis: 0, auditEvents: rows.length })
  })

  it('counts rate-limited requests the same way, under the check rate-limit', async (t) => {
    const s = await startDcrServer(t, sandbox, { rateLimit: { enabled: true, perAddress: 10 }, audit: { refusalFlushSeconds: 1 } })
    const statuses = await withoutCertificate(s, '/register', 'application/jwt', 200)
    assert.equal(statuses.filter((status) => status === 429).length, 190)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const limited = (await s.server.store.listAudit(1000)).filter((row) => row.validator === 'rate-limit')
    assert.ok(limited.length >= 1 && limited.length <= 10, `${limited.length} rows`)
    assert.equal(limited.reduce((sum, row) => sum + (row.count ?? 1), 0), 190)
    assert.equal(limited[0]!.errorCode, 'temporarily_unavailable')
  })
})
