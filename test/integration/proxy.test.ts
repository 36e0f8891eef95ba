/**
 * Behind a TLS-terminating proxy (RFC8705-10, SEC-29): the client certificate arrives in a header, which
 * is believed only from a configured proxy address, and still has to chain to a directory's transport CA.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { sharedSandbox, startDcrServer, type TestServer } from '../helpers/dcr-server.ts'

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

function post(s: TestServer, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/jwt', ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const proxyValues = (trustedAddresses: string[]) => ({ server: { mode: 'proxy', proxy: { trustedAddresses } } })

/** The answer to a registration without a certificate the server believes: the same whether no header came or an untrusted peer sent one. */
const NO_CERTIFICATE = { error: 'invalid_client_metadata', error_description: "a client certificate is required: call this endpoint over mutual TLS through the bank's TLS gateway", validator: 'client-certificate' }

describe('proxy mode', () => {
  it('registers with a URL-encoded PEM certificate header from a trusted proxy', async (t) => {
    const s = await startDcrServer(t, sandbox, proxyValues(['127.0.0.1']))
    assert.match(s.server.url, /^http:/)
    const answer = await post(s, await s.signedRequest(), { 'x-ssl-client-cert': encodeURIComponent(sandbox.tpp.transport.certificatePem) })
    assert.equal(answer.status, 201, JSON.stringify(answer.json))
    const stored = await s.server.store.getClient(answer.json.client_id as string)
    assert.ok(stored?.certificateThumbprint, 'the certificate thumbprint is registered')
  })

  it('accepts base64 DER in the header as well', async (t) => {
    const s = await startDcrServer(t, sandbox, proxyValues(['127.0.0.1']))
    const answer = await post(s, await s.signedRequest(), { 'x-ssl-client-cert': sandbox.tpp.transport.certificate.raw.toString('base64') })
    assert.equal(answer.status, 201, JSON.stringify(answer.json))
  })

  it('ignores the header from a peer that is not a configured proxy (SEC-29)', async (t) => {
    const s = await startDcrServer(t, sandbox, proxyValues(['10.20.30.40']))
    const answer = await post(s, await s.signedRequest(), { 'x-ssl-client-cert': encodeURIComponent(sandbox.tpp.transport.certificatePem) })
    assert.deepStrictEqual({ status: answer.status, body: answer.json }, { status: 400, body: NO_CERTIFICATE })
    assert.equal((await s.counts()).clients, 0)
  })

  it('records the client address from X-Forwarded-For of a trusted proxy, and only of a trusted proxy', async (t) => {
    const trusted = await startDcrServer(t, sandbox, proxyValues(['127.0.0.1']))
    const certificate = { 'x-ssl-client-cert': encodeURIComponent(sandbox.tpp.transport.certificatePem) }
    const registered = await post(trusted, await trusted.signedRequest(), { ...certificate, 'x-forwarded-for': '203.0.113.7' })
    assert.equal(registered.status, 201, JSON.stringify(registered.json))
    const [created] = await trusted.server.store.listAudit(1)
    assert.equal(created?.operation, 'create')
    assert.equal(created?.remoteAddress, '203.0.113.7')

    // From any other peer the header is the client's own claim: the peer's address is recorded.
    const untrusted = await startDcrServer(t, sandbox, { ...proxyValues(['10.20.30.40']), audit: { refusalFlushSeconds: 1 } })
    const refused = await post(untrusted, await untrusted.signedRequest(), { ...certificate, 'x-forwarded-for': '203.0.113.7' })
    assert.deepStrictEqual({ status: refused.status, body: refused.json }, { status: 400, body: NO_CERTIFICATE })
    // A refusal without an acceptable certificate is counted and written at the next flush (audit/refusal-counter.ts).
    await new Promise((resolve) => setTimeout(resolve, 1200))
    const [rejected] = await untrusted.server.store.listAudit(1)
    assert.equal(rejected?.outcome, 'rejected')
    assert.match(rejected?.remoteAddress ?? '', /^(::ffff:)?127\.0\.0\.1$/)
  })

  it('refuses a header certificate that no directory CA issued, and a header with two certificates', async (t) => {
    const s = await startDcrServer(t, sandbox, proxyValues(['127.0.0.1']))
    const rogue = await (await createCertificateAuthority('Rogue CA')).issueClient({ subject: sandbox.tpp.transportSubject })
    const forged = await post(s, await s.signedRequest(), { 'x-ssl-client-cert': encodeURIComponent(rogue.certificatePem) })
    const { softwareId, orgId } = sandbox.tpp
    assert.deepStrictEqual(
      { status: forged.status, body: forged.json },
      {
        status: 400,
        body: { error: 'invalid_client_metadata', error_description: `the client certificate is not issued by a CA this server trusts (the certificate CN=${softwareId},OU=${orgId},O=OpenBanking,C=GB is not issued by a trusted certificate authority of this directory)`, validator: 'client-certificate' },
      },
    )
    const two = await post(s, await s.signedRequest(), { 'x-ssl-client-cert': encodeURIComponent(sandbox.tpp.transport.certificatePem + rogue.certificatePem) })
    assert.deepStrictEqual(
      { status: two.status, body: two.json },
      { status: 400, body: { error: 'invalid_client_metadata', error_description: 'the client certificate header must hold exactly one PEM certificate', validator: 'client-certificate' } },
    )
    assert.equal((await s.counts()).clients, 0)
  })
})
