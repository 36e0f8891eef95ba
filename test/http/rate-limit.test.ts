/**
 * Per-client rate limits (issue 13 item 11): past `rateLimit.perAddress` requests of one address, or
 * `rateLimit.perCertificate` over one client certificate, in one window, POST /register, POST /token and
 * /register/{client_id} answer 429 `temporarily_unavailable` with Retry-After, before the request is read.
 * Real server over real TLS on loopback.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { mtlsRequest, type MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }

function tokenRequest(s: TestServer, withCertificate: boolean): Promise<MtlsResponse> {
  return mtlsRequest({
    url: `${s.server.url}/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'grant_type=client_credentials&client_id=unknown',
    ...(withCertificate ? { cert: sandbox.tpp.transport.certificatePem, key: sandbox.tpp.transport.privateKeyPem } : {}),
    ca: sandbox.caCertificatePem,
  })
}

/** The whole 429 answer: status, body naming the limit, Retry-After within the window. */
function assertLimited(response: MtlsResponse, by: string, max: number, windowSeconds: number): void {
  assert.equal(response.status, 429)
  const retryAfter = Number(response.headers['retry-after'])
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= windowSeconds, `Retry-After ${String(response.headers['retry-after'])}`)
  assert.deepStrictEqual(response.json, { error: 'temporarily_unavailable', error_description: `too many requests from this ${by}: at most ${max} in ${windowSeconds} seconds; retry after ${retryAfter} seconds` })
  assert.equal(response.headers['cache-control'], NO_STORE['cache-control'])
  assert.equal(response.headers['www-authenticate'], undefined)
}

describe('rate limits', () => {
  it('refuses the request past rateLimit.perAddress from one address with 429 and Retry-After, at /register and /token alike', async (t) => {
    const s = await startDcrServer(t, sandbox, { rateLimit: { enabled: true, perAddress: 4, perCertificate: 1000, windowSeconds: 60 } })
    for (let index = 0; index < 2; index += 1) assert.equal((await s.register('x', { certificate: null })).status, 400)
    for (let index = 0; index < 2; index += 1) assert.notEqual((await tokenRequest(s, false)).status, 429)
    assertLimited(await s.register('x', { certificate: null }), 'client address', 4, 60)
    assertLimited(await tokenRequest(s, true), 'client address', 4, 60)
    assertLimited(await s.manage('GET', 'some-client', { token: 'x' }), 'client address', 4, 60)
    // Discovery is not limited: nothing there costs the server more than a static answer.
    assert.equal((await mtlsRequest({ url: `${s.server.url}/.well-known/openid-configuration`, ca: sandbox.caCertificatePem })).status, 200)
  })

  it('refuses the request past rateLimit.perCertificate over one certificate while requests without it still pass', async (t) => {
    const s = await startDcrServer(t, sandbox, { rateLimit: { enabled: true, perAddress: 1000, perCertificate: 3, windowSeconds: 30 } })
    for (let index = 0; index < 3; index += 1) assert.equal((await tokenRequest(s, true)).status, 401)
    assertLimited(await tokenRequest(s, true), 'client certificate', 3, 30)
    assertLimited(await s.register(await s.signedRequest()), 'client certificate', 3, 30)
    assert.equal((await tokenRequest(s, false)).status, 401)
    // Three refused token requests over the certificate; the 429s and the request without one are counted, flushed later.
    assert.deepStrictEqual(await s.counts(), { clients: 0, jtis: 0, auditEvents: 3 })
  })

  it('starts counting again after the window', async (t) => {
    const s = await startDcrServer(t, sandbox, { rateLimit: { enabled: true, perAddress: 1, perCertificate: 1000, windowSeconds: 1 } })
    assert.equal((await s.register('x', { certificate: null })).status, 400)
    assertLimited(await s.register('x', { certificate: null }), 'client address', 1, 1)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    assert.equal((await s.register('x', { certificate: null })).status, 400)
  })

  it('is off with rateLimit.enabled false', async (t) => {
    const s = await startDcrServer(t, sandbox, { rateLimit: { enabled: false, perAddress: 1 } })
    for (let index = 0; index < 3; index += 1) assert.equal((await s.register('x', { certificate: null })).status, 400)
  })
})
