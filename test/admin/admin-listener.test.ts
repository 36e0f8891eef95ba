/**
 * The admin listener (issue 15 item 5): /healthz, /readyz and /metrics on loopback and their own port, never on
 * the public mTLS port; readiness follows the store and the directory keys; metrics count registrations by outcome
 * and error code and time every validator and store call.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { pino } from 'pino'
import { mtlsRequest } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { sharedSandbox, startDcrServer } from '../helpers/dcr-server.ts'

const get = async (url: string): Promise<{ status: number; headers: Headers; text: string }> => {
  const answer = await fetch(url)
  return { status: answer.status, headers: answer.headers, text: await answer.text() }
}

describe('admin listener', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await sharedSandbox()
  })
  after(() => sandbox.close())

  it('answers /healthz and /readyz on loopback, on its own port, and not on the public port', async (t) => {
    const s = await startDcrServer(t, sandbox)
    const admin = s.server.adminUrl!
    assert.match(admin, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.notEqual(new URL(admin).port, new URL(s.server.url).port)
    const health = await get(`${admin}/healthz`)
    assert.deepStrictEqual({ status: health.status, body: JSON.parse(health.text) }, { status: 200, body: { status: 'ok' } })
    const ready = await get(`${admin}/readyz`)
    assert.deepStrictEqual({ status: ready.status, body: JSON.parse(ready.text) }, { status: 200, body: { status: 'ready', checks: [{ name: 'store', ok: true }, { name: `directory ${sandbox.directory.issuer}`, ok: true }] } })
    const onPublic = await mtlsRequest({ url: `${s.server.url}/metrics`, method: 'GET', cert: sandbox.tpp.transport.certificatePem, key: sandbox.tpp.transport.privateKeyPem, ca: sandbox.caCertificatePem })
    assert.equal(onPublic.status, 404)
  })

  it('answers /readyz 503 with Retry-After when the store takes no writes', async (t) => {
    const s = await startDcrServer(t, sandbox)
    await s.server.store.close()
    const ready = await get(`${s.server.adminUrl}/readyz`)
    assert.equal(ready.status, 503)
    assert.equal(ready.headers.get('retry-after'), '5')
    const body = JSON.parse(ready.text) as { status: string; checks: Array<{ name: string; ok: boolean }> }
    assert.deepStrictEqual({ status: body.status, store: body.checks.find((check) => check.name === 'store')?.ok }, { status: 'not ready', store: false })
  })

  it('counts registrations by outcome and error code, and times validators and store calls, in Prometheus format', async (t) => {
    const s = await startDcrServer(t, sandbox)
    assert.equal((await s.register(await s.signedRequest())).status, 201)
    assert.equal((await s.register(await s.signedRequest({ overrides: { aud: 'https://another-bank.example' } }))).status, 400)
    const metrics = await get(`${s.server.adminUrl}/metrics`)
    assert.equal(metrics.status, 200)
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
    const lines = metrics.text.split('\n')
    assert.ok(lines.includes('open_dcr_requests_total{operation="register",status="201",error=""} 1'), metrics.text.slice(0, 2000))
    assert.ok(lines.includes('open_dcr_requests_total{operation="register",status="400",error="invalid_client_metadata"} 1'))
    assert.ok(lines.includes('open_dcr_validator_duration_seconds_count{validator="ssa-signature",outcome="pass"} 2'))
    assert.ok(lines.includes('open_dcr_validator_duration_seconds_count{validator="audience",outcome="invalid_client_metadata"} 1'))
    assert.ok(lines.some((line) => line.startsWith('open_dcr_store_duration_seconds_count{operation="createClient",outcome="ok"} 1')))
  })
})

describe('logs (issue 15 item 6)', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await sharedSandbox()
  })
  after(() => sandbox.close())

  it('logs every refusal with its request id, RFC error and validator, and never the Authorization header', async (t) => {
    const lines: Array<Record<string, unknown>> = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
        done()
      },
    })
    const s = await startDcrServer(t, sandbox, {}, { logger: pino({ level: 'info', redact: ['req.headers.authorization'] }, stream) })
    await s.register(await s.signedRequest({ overrides: { aud: 'https://another-bank.example' } }))
    await s.manage('GET', 'some-client', { token: 'secret-token-value' })
    const refusals = lines.filter((line) => line.msg === 'request refused')
    assert.deepStrictEqual(
      refusals.map((line) => ({ error: line.error, validator: line.validator, hasRequestId: typeof line.reqId === 'string' })),
      [
        { error: 'invalid_client_metadata', validator: 'audience', hasRequestId: true },
        { error: 'invalid_token', validator: undefined, hasRequestId: true },
      ],
    )
    assert.ok(!lines.some((line) => JSON.stringify(line).includes('secret-token-value')), 'no token in any log line')
  })
})
