/**
 * The conformance catalogue against real servers: our own passes every registration and management case
 * with either way of authorising management (client-credentials access tokens, UK-DCR-2; RFC 7592
 * registration access tokens, BR-DCR-27, rotated on use), and deletes every client it created; a
 * deliberately lax server (every validator switched off) is caught on the registration cases it gets wrong;
 * a server that does not offer DELETE fails the delete cases and keeps clients, which the report lists.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { managementCases, registrationCases } from '../../src/conformance/cases.ts'
import { sandboxMaterial } from '../../src/conformance/material.ts'
import { junitXml, textTable } from '../../src/conformance/report.ts'
import { runConformance } from '../../src/conformance/runner.ts'
import { VALIDATOR_IDS } from '../../src/config/schema.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { ISSUER, sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

const ALL_CASES = [...registrationCases, ...managementCases]

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

const materialOf = (s: TestServer) => sandboxMaterial(sandbox, { url: s.server.url, issuer: ISSUER })

/** Ids of the clients the server registered (its audit trail), with their status now. */
async function registeredClients(s: TestServer): Promise<Map<string, string | undefined>> {
  const created = (await s.server.store.listAudit(10000)).filter((event) => event.operation === 'create' && event.outcome === 'success')
  const statuses = new Map<string, string | undefined>()
  for (const event of created) statuses.set(event.clientId!, (await s.server.store.getClient(event.clientId!))?.status)
  return statuses
}

const failures = (report: Awaited<ReturnType<typeof runConformance>>): string[] => report.outcomes.filter((o) => !o.passed).map((o) => `${o.id}: expected ${o.expected}, got ${o.got} ${o.note ?? ''}`)

describe('conformance', () => {
  for (const management of [{ tokenKind: 'client-credentials' }, { tokenKind: 'registration-access-token', rotation: 'on-use' }]) {
    it(`passes every registration and management case against open-dcr (${management.tokenKind}) and leaves no active client`, async (t) => {
      // Cleanup recovers clients whose token a case revoked: a bank that turns signed recovery on.
      const s = await startDcrServer(t, sandbox, { management: { ...management, allowSignedRecovery: true } })
      const seen: string[] = []
      const report = await runConformance(materialOf(s), { cases: ALL_CASES, onOutcome: (outcome) => seen.push(outcome.id) })
      assert.deepEqual(failures(report), [])
      assert.equal(report.passed, ALL_CASES.length)
      assert.deepEqual(seen, ALL_CASES.map((c) => c.id), 'progress is reported case by case, registration cases first')
      assert.match(textTable(report, false), new RegExp(`${ALL_CASES.length} passed, 0 failed`))

      assert.deepEqual(report.leftBehind, [])
      const clients = await registeredClients(s)
      // valid-registration and replayed-jti register one each; the management cases 15 (two per token-of-another-client case).
      assert.equal(clients.size, 17, 'the run registered its clients')
      assert.deepEqual([...clients].filter(([, status]) => status !== 'deleted'), [], 'cleanup deleted every client the run created')
      const deletes = (await s.server.store.listAudit(10000)).filter((event) => event.operation === 'delete' && event.outcome === 'success')
      assert.equal(deletes.length, clients.size, 'each client deleted once, through DELETE /register/{client_id}')
      // A refused call revokes the registration access token presented (RFC7592-5): six cases do that, and cleanup
      // recovers those clients with a signed PUT first. Access tokens are simply requested anew.
      const recoveries = (await s.server.store.listAudit(10000)).filter((event) => event.operation === 'update' && event.detail === 'signed recovery')
      assert.equal(recoveries.length, management.tokenKind === 'registration-access-token' ? 6 : 0)
    })
  }

  it('keeps the clients with cleanup off and reports them as left behind', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const report = await runConformance(materialOf(s), { cases: managementCases.filter((c) => c.id === 'read-own-registration'), cleanup: false })
    assert.equal(report.passed, 1)
    assert.equal(report.leftBehind.length, 1)
    assert.equal((await s.server.store.getClient(report.leftBehind[0]!))?.status, 'active')
    assert.match(textTable(report, false), new RegExp(`clients left on the server \\(not deleted\\): ${report.leftBehind[0]}`))
  })

  it('reports the failures of a lax server that checks nothing, and still cleans up', async (t) => {
    const everythingOff = Object.fromEntries(VALIDATOR_IDS.map((id) => [id, { enabled: false }]))
    // Every case from one certificate within a minute: more than the default per-certificate rate limit.
    const s = await startDcrServer(t, sandbox, { validators: everythingOff, management: { allowSignedRecovery: true }, unsafe: { allowUnverifiedTrust: true }, rateLimit: { enabled: false } })
    const report = await runConformance(materialOf(s), { cases: ALL_CASES })
    const failed = report.outcomes.filter((o) => !o.passed).map((o) => o.id)
    for (const id of ['invalid-request-signature', 'alg-none', 'ssa-untrusted-issuer', 'replayed-jti', 'http-redirect-uri', 'redirect-uri-outside-ssa', 'rs256-id-token-alg']) {
      assert.ok(failed.includes(id), `${id} is reported as failed`)
    }
    assert.ok(report.outcomes.find((o) => o.id === 'valid-registration')?.passed)
    assert.ok(report.outcomes.find((o) => o.id === 'no-client-certificate')?.passed, 'the transport still demands a certificate')
    assert.deepEqual(failed.filter((id) => managementCases.some((c) => c.id === id)), [], 'management does not depend on the validators')
    const alg = report.outcomes.find((o) => o.id === 'alg-none')!
    assert.equal(alg.got, '201')
    const xml = junitXml(report)
    assert.match(xml, new RegExp(`tests="${ALL_CASES.length}" failures="${report.failed}"`))
    assert.match(xml, /<failure message="expected 400 invalid_client_metadata, got 201">/)
    // Clients the lax server wrongly registered are deleted too, even one registered without grant_types (recovered first).
    assert.deepEqual(report.leftBehind, [])
    assert.deepEqual([...(await registeredClients(s))].filter(([, status]) => status !== 'deleted'), [])
  })

  it('fails every DELETE case of a server that does not offer DELETE, and lists the clients it could not delete', async (t) => {
    const s = await startDcrServer(t, sandbox, { management: { operations: ['read', 'update'] } })
    const report = await runConformance(materialOf(s), { cases: managementCases })
    const failed = report.outcomes.filter((o) => !o.passed)
    assert.deepEqual(failed.map((o) => o.id), ['token-of-another-client-on-delete', 'unknown-client-id-on-delete', 'delete-own-registration', 'read-after-delete', 'token-after-delete'])
    assert.deepEqual(failed.slice(0, 3).map((o) => o.got), ['405 invalid_request without Bearer challenge', '405 invalid_request without Bearer challenge', '405 invalid_request'])
    for (const outcome of failed.slice(3)) assert.match(outcome.note ?? '', /deleting the case's own client was not answered 204 \(405 invalid_request/)
    const active = [...(await registeredClients(s))].filter(([, status]) => status === 'active').map(([id]) => id)
    assert.deepEqual([...report.leftBehind].sort(), active.sort(), 'every client still on the server is reported')
    assert.ok(active.length > 0)
  })
})
