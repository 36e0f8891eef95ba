/**
 * The conformance catalogue against real servers: our own passes every case; a deliberately lax server
 * (every validator switched off) is caught on the cases it gets wrong, and the reports say so.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { registrationCases } from '../../src/conformance/cases.ts'
import { sandboxMaterial } from '../../src/conformance/material.ts'
import { junitXml, textTable } from '../../src/conformance/report.ts'
import { runConformance } from '../../src/conformance/runner.ts'
import { VALIDATOR_IDS } from '../../src/config/schema.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { ISSUER, sharedSandbox, startDcrServer } from '../helpers/dcr-server.ts'

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

describe('conformance', () => {
  it('passes every case against open-dcr', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const seen: string[] = []
    const report = await runConformance(sandboxMaterial(sandbox, { url: s.server.url, issuer: ISSUER }), { cases: registrationCases, onOutcome: (outcome) => seen.push(outcome.id) })
    assert.deepEqual(report.outcomes.filter((o) => !o.passed).map((o) => `${o.id}: expected ${o.expected}, got ${o.got} ${o.note ?? ''}`), [])
    assert.equal(report.passed, registrationCases.length)
    assert.deepEqual(seen, registrationCases.map((c) => c.id), 'progress is reported case by case')
    assert.match(textTable(report, false), new RegExp(`${registrationCases.length} passed, 0 failed`))
  })

  it('reports the failures of a lax server that checks nothing', async (t) => {
    const everythingOff = Object.fromEntries(VALIDATOR_IDS.map((id) => [id, { enabled: false }]))
    const s = await startDcrServer(t, sandbox, { validators: everythingOff })
    const report = await runConformance(sandboxMaterial(sandbox, { url: s.server.url, issuer: ISSUER }), { cases: registrationCases })
    const failed = report.outcomes.filter((o) => !o.passed).map((o) => o.id)
    for (const id of ['invalid-request-signature', 'alg-none', 'ssa-untrusted-issuer', 'replayed-jti', 'http-redirect-uri', 'redirect-uri-outside-ssa', 'rs256-id-token-alg']) {
      assert.ok(failed.includes(id), `${id} is reported as failed`)
    }
    assert.ok(report.outcomes.find((o) => o.id === 'valid-registration')?.passed)
    assert.ok(report.outcomes.find((o) => o.id === 'no-client-certificate')?.passed, 'the transport still demands a certificate')
    const alg = report.outcomes.find((o) => o.id === 'alg-none')!
    assert.equal(alg.got, '201')
    const xml = junitXml(report)
    assert.match(xml, new RegExp(`tests="${registrationCases.length}" failures="${report.failed}"`))
    assert.match(xml, /<failure message="expected 400 invalid_client_metadata, got 201">/)
  })
})
