/**
 * Optional caps on live registrations (issue 13 item 11: one TPP created 55,225 clients in 25 minutes):
 * `registration.maxClientsPerSoftware` and `registration.maxClientsPerOrganisation` refuse the registration
 * past the cap with invalid_client_metadata naming the key, checked in the store's transaction, nothing stored.
 * Real server over real TLS on loopback.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { sharedSandbox, startDcrServer } from '../helpers/dcr-server.ts'

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

const FIX = 'delete a registration that is no longer used (DELETE /register/{client_id}) before registering another'

describe('client caps', () => {
  it('refuses the registration past registration.maxClientsPerSoftware and stores nothing of it', async (t) => {
    const s = await startDcrServer(t, sandbox, { registration: { maxClientsPerSoftware: 2 } })
    for (let index = 0; index < 2; index += 1) assert.equal((await s.register(await s.signedRequest())).status, 201)
    const before = await s.counts()
    const refused = await s.register(await s.signedRequest())
    assert.equal(refused.status, 400)
    assert.deepStrictEqual(refused.json, {
      error: 'invalid_client_metadata',
      error_description: `software_id "${sandbox.tpp.softwareId}" already has 2 live registrations, the most registration.maxClientsPerSoftware allows: ${FIX}`,
      validator: 'client-cap',
    })
    assert.deepStrictEqual(await s.counts(), { ...before, auditEvents: before.auditEvents + 1 })
  })

  it('refuses the registration past registration.maxClientsPerOrganisation', async (t) => {
    const s = await startDcrServer(t, sandbox, { registration: { maxClientsPerOrganisation: 1 } })
    assert.equal((await s.register(await s.signedRequest())).status, 201)
    const refused = await s.register(await s.signedRequest())
    assert.equal(refused.status, 400)
    assert.deepStrictEqual(refused.json, {
      error: 'invalid_client_metadata',
      error_description: `organisation "${sandbox.tpp.orgId}" already has 1 live registrations, the most registration.maxClientsPerOrganisation allows: ${FIX}`,
      validator: 'client-cap',
    })
  })

  it('registers without limit where both caps are 0 (the default)', async (t) => {
    const s = await startDcrServer(t, sandbox)
    for (let index = 0; index < 3; index += 1) assert.equal((await s.register(await s.signedRequest())).status, 201)
  })
})
