/**
 * A case that presents a registration access token where the server should revoke it (RFC7592-5, SEC-33)
 * registers that client for a disposable participant: with signed recovery off, nothing can delete the client
 * afterwards, and under BR-DCR-25 its software could never register again. A sandbox makes a new software id
 * each time; material without a CA (another server) refuses to run the case instead of losing the primary.
 */
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { conformanceMaterial, sandboxMaterial } from '../../src/conformance/material.ts'
import { createRunClients } from '../../src/conformance/run-clients.ts'
import { participantSoftwareIds } from '../../src/sandbox/participants.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { ISSUER, sharedSandbox } from '../helpers/dcr-server.ts'

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

describe('the disposable participant of a case that loses a registration access token', () => {
  it('is a new software id each time from a sandbox, none of its fixed participants, with a transport certificate naming it', async () => {
    const material = sandboxMaterial(sandbox, { url: 'https://127.0.0.1:9', issuer: ISSUER, profile: 'brazil' })
    const first = await material.disposableParticipant()
    const second = await material.disposableParticipant()
    assert.ok(first && second)
    assert.notEqual(first.softwareId, second.softwareId)
    assert.ok(!participantSoftwareIds(sandbox.tpp.softwareId).includes(first.softwareId))
    assert.ok(new X509Certificate(first.transport.certificatePem).subject.includes(first.softwareId))
  })

  it('is refused, before any request, by material that cannot make one: the primary software is never lost', async () => {
    // Port 9 (discard) on loopback: a request sent there would fail with a connection error, not this message.
    const material = conformanceMaterial({
      profile: 'brazil',
      serverUrl: 'https://127.0.0.1:9',
      audience: ISSUER,
      caPem: sandbox.caCertificatePem,
      tpp: sandbox.tpp,
      issueSsa: (claims, softwareId) => sandbox.issueBrazilSsa({ software_id: softwareId, ...claims }),
    })
    assert.equal(await material.disposableParticipant(), undefined)
    const clients = createRunClients(material)
    await assert.rejects(clients.register({}, undefined, { losesRegistrationToken: true }), {
      message:
        'the case presents a registration access token where the server should revoke it for good (RFC7592-5), which would leave a registration no one can delete; it needs a software id to spare, which only a sandbox provides',
    })
    assert.deepEqual(clients.remaining(), [])
  })
})
