/**
 * The periodic sync with the CDR Register (CDR-DCR-25..28) against the mock Register over https: inactive
 * products and suspended recipients suspend their registrations, ACTIVE again reactivates them, silence keeps
 * them, an outage changes nothing; every change is audited. The store side is an in-memory implementation
 * of RegisterSyncStore (the SQLite store does not offer it yet).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it, type TestContext } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import { planRegisterSync, startRegisterSync, syncWithRegister, type RegisterSyncAudit, type RegisterSyncStore, type SyncClient, type SyncOutcome } from '../../src/registration/register-sync.ts'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { startMockRegister, type MockRegister } from '../../src/sandbox/mock-register.ts'
import { createBoundedFetch } from '../../src/trust/outbound-http.ts'
import { createRegisterStatusClient, type RegisterStatuses } from '../../src/trust/register-status.ts'
import { temporaryFile } from '../helpers/loopback-servers.ts'

const ca = await createCertificateAuthority('register sync test CA')
let register: MockRegister
before(async () => {
  register = await startMockRegister({ ca })
})
after(() => register.close())

const ENTITY_A = 'ENTITY-A'
const ENTITY_B = 'ENTITY-B'

class MemorySyncStore implements RegisterSyncStore {
  readonly clients = new Map<string, SyncClient & { directory: string }>()
  readonly audit: RegisterSyncAudit[] = []
  add(clientId: string, softwareId: string, legalEntityId: string, status: 'active' | 'suspended' = 'active', directory = 'cdr-register'): void {
    this.clients.set(clientId, { clientId, softwareId, metadata: { legal_entity_id: legalEntityId }, status, directory })
  }
  async listClientsOfDirectory(directoryIssuer: string): Promise<SyncClient[]> {
    return [...this.clients.values()].filter((client) => client.directory === directoryIssuer).map(({ clientId, softwareId, metadata, status }) => ({ clientId, softwareId, metadata, status }))
  }
  async setClientStatus(clientId: string, from: 'active' | 'suspended', to: 'active' | 'suspended', audit: RegisterSyncAudit): Promise<boolean> {
    const client = this.clients.get(clientId)
    if (client === undefined || client.status !== from) return false
    client.status = to
    this.audit.push(audit)
    return true
  }
}

function setup(t: TestContext): { config: Config; store: MemorySyncStore; run: () => Promise<SyncOutcome> } {
  const config = loadConfig({
    values: {
      issuer: 'https://bank.example.com',
      profile: 'cdr',
      directories: [{ issuer: 'cdr-register', jwksUrl: register.jwksUrl }],
      server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } },
      outbound: { caFiles: [temporaryFile(t, 'ca.pem', ca.certificatePem)], allowPrivateAddresses: true },
      validators: { 'software-status': { registerBaseUrl: register.url } },
    },
  })
  const store = new MemorySyncStore()
  const reader = createRegisterStatusClient({ config: config.validators['software-status'], fetch: createBoundedFetch(config.outbound) })
  const options = { store, register: reader, directoryIssuer: 'cdr-register', config: config.validators['software-status'], clock: () => 1_767_225_000_000 }
  return { config, store, run: () => syncWithRegister(options) }
}

const statuses = (recipients: Record<string, string>, products: Record<string, string>): RegisterStatuses =>
  ({ dataRecipients: new Map(Object.entries(recipients)), softwareProducts: new Map(Object.entries(products)), fetchedAt: 0 }) as RegisterStatuses

describe('planRegisterSync (pure decisions)', () => {
  const client = (status: 'active' | 'suspended', softwareId = 'P1', legalEntityId = ENTITY_A): SyncClient => ({ clientId: `c-${softwareId}`, softwareId, metadata: { legal_entity_id: legalEntityId }, status })

  it('suspends an active registration whose product is INACTIVE or whose recipient is SUSPENDED', () => {
    assert.deepEqual(planRegisterSync([client('active')], statuses({ [ENTITY_A]: 'ACTIVE' }, { P1: 'INACTIVE' }), 'legal_entity_id').map((change) => [change.to, change.removed]), [['suspended', false]])
    assert.match(planRegisterSync([client('active')], statuses({ [ENTITY_A]: 'SUSPENDED' }, { P1: 'ACTIVE' }), 'legal_entity_id')[0]!.reason, /data recipient ENTITY-A is SUSPENDED/)
  })

  it('marks REMOVED products and REVOKED recipients for clean-up (CDR-DCR-27)', () => {
    assert.equal(planRegisterSync([client('active')], statuses({ [ENTITY_A]: 'ACTIVE' }, { P1: 'REMOVED' }), 'legal_entity_id')[0]!.removed, true)
    assert.equal(planRegisterSync([client('active')], statuses({ [ENTITY_A]: 'REVOKED' }, { P1: 'ACTIVE' }), 'legal_entity_id')[0]!.removed, true)
  })

  it('reactivates a suspended registration only when both are ACTIVE', () => {
    assert.deepEqual(planRegisterSync([client('suspended')], statuses({ [ENTITY_A]: 'ACTIVE' }, { P1: 'ACTIVE' }), 'legal_entity_id').map((change) => change.to), ['active'])
    assert.deepEqual(planRegisterSync([client('suspended')], statuses({}, { P1: 'ACTIVE' }), 'legal_entity_id'), [], 'recipient not listed: keep suspended')
  })

  it('changes nothing the Register is silent about or that is already right (CDR-DCR-28)', () => {
    assert.deepEqual(planRegisterSync([client('active')], statuses({}, {}), 'legal_entity_id'), [])
    assert.deepEqual(planRegisterSync([client('active')], statuses({ [ENTITY_A]: 'ACTIVE' }, { P1: 'ACTIVE' }), 'legal_entity_id'), [])
    assert.deepEqual(planRegisterSync([client('suspended')], statuses({ [ENTITY_A]: 'ACTIVE' }, { P1: 'INACTIVE' }), 'legal_entity_id'), [])
  })
})

describe('syncWithRegister against the mock Register', () => {
  it('suspends, then reactivates, with an audit event per change, and leaves other directories alone', async (t) => {
    register.setAvailable(true)
    register.setDataRecipientStatus(ENTITY_A, 'ACTIVE')
    register.setDataRecipientStatus(ENTITY_B, 'SUSPENDED')
    register.setSoftwareProductStatus('P-A1', 'INACTIVE')
    register.setSoftwareProductStatus('P-A2', 'ACTIVE')
    register.setSoftwareProductStatus('P-B1', 'ACTIVE')
    const { store, run } = setup(t)
    store.add('a1', 'P-A1', ENTITY_A)
    store.add('a2', 'P-A2', ENTITY_A)
    store.add('b1', 'P-B1', ENTITY_B)
    store.add('uk', 'P-A1', ENTITY_A, 'active', 'OpenBanking Ltd')

    const first = await run()
    assert.ok(first.ok)
    assert.equal(first.applied, 2)
    assert.deepEqual([...store.clients.values()].map((client) => [client.clientId, client.status]), [['a1', 'suspended'], ['a2', 'active'], ['b1', 'suspended'], ['uk', 'active']])
    assert.deepEqual(store.audit.map((event) => [event.operation, event.clientId, event.validator]), [['suspend', 'a1', 'software-status'], ['suspend', 'b1', 'software-status']])
    assert.match(store.audit[0]!.detail, /software product P-A1 is INACTIVE at the CDR Register/)

    register.setSoftwareProductStatus('P-A1', 'ACTIVE')
    register.setDataRecipientStatus(ENTITY_B, 'ACTIVE')
    const second = await run()
    assert.ok(second.ok)
    assert.deepEqual(second.changes.map((change) => [change.clientId, change.to]), [['a1', 'active'], ['b1', 'active']])
    assert.deepEqual(store.audit.slice(2).map((event) => event.operation), ['reactivate', 'reactivate'])
  })

  it('changes nothing and says why when the Register is down', async (t) => {
    register.setAvailable(false)
    t.after(() => register.setAvailable(true))
    const { store, run } = setup(t)
    store.add('a1', 'P-A1', ENTITY_A)
    const outcome = await run()
    assert.equal(outcome.ok, false)
    assert.ok(!outcome.ok && /HTTP 503/.test(outcome.reason))
    assert.equal(store.clients.get('a1')!.status, 'active')
    assert.deepEqual(store.audit, [])
  })

  it('runs on a timer and stops', async (t) => {
    register.setAvailable(true)
    register.setDataRecipientStatus(ENTITY_A, 'ACTIVE')
    register.setSoftwareProductStatus('P-T', 'INACTIVE')
    const { store, config } = setup(t)
    store.add('t1', 'P-T', ENTITY_A)
    const reader = createRegisterStatusClient({ config: config.validators['software-status'], fetch: createBoundedFetch(config.outbound) })
    const outcome = await new Promise<SyncOutcome>((resolve) => {
      const timer = startRegisterSync({ store, register: reader, directoryIssuer: 'cdr-register', config: config.validators['software-status'], intervalSeconds: 3600, onOutcome: resolve })
      t.after(() => timer.stop())
    })
    assert.ok(outcome.ok)
    assert.equal(store.clients.get('t1')!.status, 'suspended')
  })
})
