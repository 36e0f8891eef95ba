/**
 * The behaviour every Store must show, whatever keeps the data (SQLite now, PostgreSQL later): exact round
 * trips, JTI replay refusal (SEC-11), one live registration per software id (SEC-37), one transaction per
 * write (nothing half-written on a conflict), audit events (SEC-35), purging, a race on one JTI with
 * exactly one winner, and RFC 7592 registration access tokens kept as hashes, rotated with a grace period
 * and removed with their client (RFC7592-1/8/15, SEC-32). A store's test file calls `storeContract` with a factory giving a fresh, empty store.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import type { RateLimitCounter } from '../../src/lib/rate-limit-counter.ts'
import { StoreConflictError, type AuditEvent, type ClientRecord, type Store, type UsedJti } from '../../src/store/store.ts'

export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>

const NOW = 1_760_000_000
const DIRECTORY = 'OpenBanking Ltd'

function client(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: randomUUID(),
    softwareId: 'software-1',
    orgId: 'org-1',
    directoryIssuer: DIRECTORY,
    metadata: { redirect_uris: ['https://tpp.example.com/cb'], token_endpoint_auth_method: 'private_key_jwt' },
    softwareStatement: 'eyJhbGciOiJQUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6InNvZnR3YXJlLTEifQ.c2ln',
    certificateThumbprint: 'x5t-thumbprint-1',
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  }
}

function audit(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return { at: NOW * 1000, operation: 'create', outcome: 'success', ...overrides }
}

function jti(issuer: string, id: string, expiresAt = NOW + 300): UsedJti {
  return { issuer, jti: id, expiresAt }
}

/** The JTIs of one registration: the request's (issuer = software id) and the SSA's (issuer = directory). */
function registrationJtis(record: ClientRecord, suffix = record.clientId): UsedJti[] {
  return [jti(record.softwareId, `request-${suffix}`), jti(DIRECTORY, `ssa-${suffix}`)]
}

const exclusive = { exclusiveSoftwareId: true }
const shared = { exclusiveSoftwareId: false }

function isConflict(conflict: 'jti' | 'software_id', issuer?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof StoreConflictError, `expected StoreConflictError, got ${String(error)}`)
    assert.equal(error.conflict, conflict)
    if (issuer !== undefined) assert.equal(error.issuer, issuer)
    return true
  }
}

function isNotConflict(error: unknown): boolean {
  assert.ok(error instanceof Error)
  assert.ok(!(error instanceof StoreConflictError), 'a missing or deleted client is not a conflict')
  return true
}

export function storeContract(name: string, makeStore: StoreFactory): void {
  /** Runs `body` against a fresh store and always cleans up. */
  const withStore = (body: (store: Store) => Promise<void>) => async () => {
    const { store, cleanup } = await makeStore()
    try {
      await body(store)
    } finally {
      await cleanup()
    }
  }

  describe(`${name}: Store contract, limits (issue 13 item 11)`, () => {
    it('keeps the count of an aggregated audit row and reads a plain row back without one', withStore(async (store) => {
      const counted = audit({ outcome: 'rejected', errorCode: 'invalid_client_metadata', validator: 'client-certificate', remoteAddress: '192.0.2.7', detail: 'no certificate', count: 1000 })
      await store.recordAudit(counted)
      await store.recordAudit(audit({ at: NOW * 1000 + 1 }))
      assert.deepEqual(await store.listAudit(2), [audit({ at: NOW * 1000 + 1 }), counted])
    }))

    it('purges audit events older than the retention bound and keeps the rest', withStore(async (store) => {
      for (const at of [1000, 2000, 3000]) await store.recordAudit(audit({ at }))
      assert.equal(await store.purgeAuditEvents(2500), 2)
      assert.deepEqual(await store.listAudit(10), [audit({ at: 3000 })])
      assert.equal(await store.purgeAuditEvents(2500), 0)
    }))

    it('refuses a client past maxClientsPerSoftware, counting only live registrations, and writes nothing of it', withStore(async (store) => {
      const caps = { ...shared, maxClientsPerSoftware: 2 }
      const first = client()
      const second = client()
      await store.createClient(first, [], audit(), caps)
      await store.createClient(second, [], audit(), caps)
      const third = client()
      await assert.rejects(store.createClient(third, [jti('software-1', 'third')], audit({ clientId: third.clientId }), caps), (error: unknown) => error instanceof StoreConflictError && error.conflict === 'software_cap')
      assert.deepEqual(await store.counts(), { clients: 2, jtis: 0, auditEvents: 2 })
      await store.deleteClient(first.clientId, NOW + 1, audit({ operation: 'delete' }))
      await store.createClient(third, [], audit(), caps)
      assert.equal((await store.getClient(third.clientId))?.status, 'active')
      // Another software of the organisation is not counted against this one.
      await store.createClient(client({ softwareId: 'software-2' }), [], audit(), caps)
    }))

    it('refuses a client past maxClientsPerOrganisation across its software', withStore(async (store) => {
      const caps = { ...shared, maxClientsPerOrganisation: 1 }
      await store.createClient(client({ softwareId: 'software-1' }), [], audit(), caps)
      await assert.rejects(store.createClient(client({ softwareId: 'software-2' }), [], audit(), caps), (error: unknown) => error instanceof StoreConflictError && error.conflict === 'organisation_cap')
      await store.createClient(client({ softwareId: 'software-3', orgId: 'org-2' }), [], audit(), caps)
      await store.createClient(client({ softwareId: 'software-4' }), [], audit(), shared)
      assert.equal((await store.counts()).clients, 3)
    }))

    it('lets exactly the cap through when concurrent registrations race for the last places', withStore(async (store) => {
      const caps = { ...shared, maxClientsPerSoftware: 3 }
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => store.createClient(client(), [], audit(), caps)))
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 3)
      assert.equal((await store.counts()).clients, 3)
    }))
  })

  describe(`${name}: Store contract`, () => {
    it('starts empty', withStore(async (store) => {
      assert.deepEqual(await store.counts(), { clients: 0, jtis: 0, auditEvents: 0 })
      assert.equal(await store.getClient(randomUUID()), undefined)
    }))

    it('creates a client and reads it back exactly, metadata included', withStore(async (store) => {
      const metadata = {
        zeta: 'first key stays first',
        redirect_uris: ['https://tpp.example.com/cb', 'https://tpp.example.com/cb?x=1&y=%20'],
        nested: { deeper: { list: [1, 2.5, -3, 0, 1e21, true, false, null, { k: 'v' }], empty: {} }, empty_list: [] },
        unicode: 'Zoë – 銀行 – 🏦 – "quoted" \\ back\nslash',
        alpha: null,
        count: 9007199254740991,
      }
      const record = client({ metadata, orgId: undefined, directoryIssuer: undefined, softwareStatement: undefined, certificateThumbprint: undefined })
      await store.createClient(record, registrationJtis(record), audit({ clientId: record.clientId }), shared)

      const stored = await store.getClient(record.clientId)
      assert.deepEqual(stored, record)
      assert.equal(JSON.stringify(stored?.metadata), JSON.stringify(metadata), 'key order and values are kept')

      const full = client()
      await store.createClient(full, registrationJtis(full), audit(), shared)
      assert.deepEqual(await store.getClient(full.clientId), full)
    }))

    it('records JTIs: used until they expire, per issuer', withStore(async (store) => {
      const record = client()
      assert.equal(await store.isJtiUsed(record.softwareId, 'request-a', NOW), false, 'not used before the registration')
      await store.createClient(record, [jti(record.softwareId, 'request-a', NOW + 300)], audit(), shared)

      assert.equal(await store.isJtiUsed(record.softwareId, 'request-a', NOW), true)
      assert.equal(await store.isJtiUsed(record.softwareId, 'request-a', NOW + 299), true)
      assert.equal(await store.isJtiUsed(record.softwareId, 'request-a', NOW + 300), false, 'expired at expiresAt')
      assert.equal(await store.isJtiUsed(record.softwareId, 'request-a', NOW + 301), false)
      assert.equal(await store.isJtiUsed('another-issuer', 'request-a', NOW), false, 'a jti is scoped to its issuer')
      assert.equal(await store.isJtiUsed(record.softwareId, 'request-b', NOW), false)
    }))

    it('rejects a used JTI in createClient and writes nothing of that call', withStore(async (store) => {
      const first = client()
      await store.createClient(first, registrationJtis(first, 'one'), audit(), shared)
      const before = await store.counts()

      const second = client()
      const reused = [jti(second.softwareId, 'request-two'), jti(DIRECTORY, 'ssa-one')]
      await assert.rejects(store.createClient(second, reused, audit({ clientId: second.clientId }), shared), isConflict('jti', DIRECTORY))

      assert.deepEqual(await store.counts(), before, 'no client, no JTI, no audit row from the refused call')
      assert.equal(await store.getClient(second.clientId), undefined)
      assert.equal(await store.isJtiUsed(second.softwareId, 'request-two', NOW), false, 'the other JTI of the refused call is not kept')
    }))

    it('rejects the same JTI twice within one createClient', withStore(async (store) => {
      const record = client()
      const twice = [jti(record.softwareId, 'same'), jti(record.softwareId, 'same')]
      await assert.rejects(store.createClient(record, twice, audit(), shared), isConflict('jti', record.softwareId))
      assert.deepEqual(await store.counts(), { clients: 0, jtis: 0, auditEvents: 0 })
    }))

    it('accepts a JTI again once its earlier use has expired', withStore(async (store) => {
      const first = client({ createdAt: NOW, updatedAt: NOW })
      await store.createClient(first, [jti(DIRECTORY, 'ssa-shared', NOW + 60)], audit(), shared)

      const later = NOW + 120
      const second = client({ createdAt: later, updatedAt: later })
      await store.createClient(second, [jti(DIRECTORY, 'ssa-shared', later + 300)], audit(), shared)

      assert.equal(await store.isJtiUsed(DIRECTORY, 'ssa-shared', later + 299), true, 'the new expiry replaces the old one')
      assert.equal((await store.counts()).jtis, 1)
    }))

    it('rejects a second live registration of an exclusive software id, and frees it on delete', withStore(async (store) => {
      const first = client({ softwareId: 'exclusive-software' })
      await store.createClient(first, registrationJtis(first), audit(), exclusive)
      const before = await store.counts()

      const second = client({ softwareId: 'exclusive-software' })
      await assert.rejects(store.createClient(second, registrationJtis(second), audit(), exclusive), isConflict('software_id'))
      assert.deepEqual(await store.counts(), before, 'nothing of the refused registration is kept')
      assert.equal(await store.getClient(second.clientId), undefined)
      for (const used of registrationJtis(second)) assert.equal(await store.isJtiUsed(used.issuer, used.jti, NOW), false)

      await store.deleteClient(first.clientId, NOW + 10, audit({ operation: 'delete', clientId: first.clientId }))
      const third = client({ softwareId: 'exclusive-software' })
      await store.createClient(third, registrationJtis(third), audit(), exclusive)
      assert.equal((await store.getClient(third.clientId))?.status, 'active')

      const fourth = client({ softwareId: 'exclusive-software' })
      await assert.rejects(store.createClient(fourth, registrationJtis(fourth), audit(), exclusive), isConflict('software_id'))
    }))

    it('allows several registrations of one software id when it is not exclusive', withStore(async (store) => {
      const first = client({ softwareId: 'shared-software' })
      const second = client({ softwareId: 'shared-software' })
      await store.createClient(first, registrationJtis(first), audit(), shared)
      await store.createClient(second, registrationJtis(second), audit(), shared)
      assert.equal((await store.counts()).clients, 2)
      const other = client({ softwareId: 'other-software' })
      await store.createClient(other, registrationJtis(other), audit(), exclusive)
    }))

    it('update replaces the record, records its JTIs and audit event', withStore(async (store) => {
      const original = client()
      await store.createClient(original, registrationJtis(original), audit(), shared)

      const replaced: ClientRecord = {
        ...original,
        orgId: 'org-2',
        directoryIssuer: 'Another Directory',
        metadata: { redirect_uris: ['https://tpp.example.com/new'], scope: 'accounts payments' },
        softwareStatement: 'eyJhbGciOiJQUzI1NiJ9.eyJ2ZXJzaW9uIjoyfQ.c2lnMg',
        certificateThumbprint: 'x5t-thumbprint-2',
        updatedAt: NOW + 100,
      }
      const updateJtis = [jti(original.softwareId, 'request-update', NOW + 400)]
      await store.updateClient(replaced, updateJtis, audit({ operation: 'update', clientId: original.clientId }))

      assert.deepEqual(await store.getClient(original.clientId), replaced)
      assert.equal(await store.isJtiUsed(original.softwareId, 'request-update', NOW + 100), true)
      assert.deepEqual(await store.counts(), { clients: 1, jtis: 3, auditEvents: 2 })
      assert.equal((await store.listAudit(1))[0]?.operation, 'update')

      const cleared: ClientRecord = { ...replaced, orgId: undefined, softwareStatement: undefined, certificateThumbprint: undefined, updatedAt: NOW + 200 }
      await store.updateClient(cleared, [], audit({ operation: 'update' }))
      assert.deepEqual(await store.getClient(original.clientId), cleared)
    }))

    it('rejects an update with a used JTI and keeps the record as it was', withStore(async (store) => {
      const original = client()
      await store.createClient(original, registrationJtis(original, 'one'), audit(), shared)
      const before = await store.counts()

      const replaced = { ...original, metadata: { changed: true }, updatedAt: NOW + 10 }
      const reused = [jti(original.softwareId, 'fresh'), jti(original.softwareId, 'request-one')]
      await assert.rejects(store.updateClient(replaced, reused, audit({ operation: 'update' })), isConflict('jti', original.softwareId))

      assert.deepEqual(await store.getClient(original.clientId), original)
      assert.deepEqual(await store.counts(), before)
      assert.equal(await store.isJtiUsed(original.softwareId, 'fresh', NOW), false)
    }))

    it('rejects an update of a deleted or unknown client and writes nothing', withStore(async (store) => {
      const record = client()
      await store.createClient(record, registrationJtis(record), audit(), shared)
      await store.deleteClient(record.clientId, NOW + 5, audit({ operation: 'delete' }))
      const before = await store.counts()
      const deleted = await store.getClient(record.clientId)

      const update = { ...record, metadata: { revived: true }, updatedAt: NOW + 10 }
      await assert.rejects(store.updateClient(update, [jti(record.softwareId, 'request-update')], audit({ operation: 'update' })), isNotConflict)
      await assert.rejects(store.updateClient(client(), [jti('someone', 'request-unknown')], audit({ operation: 'update' })), isNotConflict)

      assert.deepEqual(await store.getClient(record.clientId), deleted, 'the deleted record is unchanged')
      assert.deepEqual(await store.counts(), before, 'no JTI, no audit row')
      assert.equal(await store.isJtiUsed(record.softwareId, 'request-update', NOW), false)
    }))

    it('delete marks the client deleted and records the audit event', withStore(async (store) => {
      const record = client()
      await store.createClient(record, registrationJtis(record), audit(), exclusive)
      await store.deleteClient(record.clientId, NOW + 50, audit({ operation: 'delete', clientId: record.clientId, at: (NOW + 50) * 1000 }))

      assert.deepEqual(await store.getClient(record.clientId), { ...record, status: 'deleted', updatedAt: NOW + 50 })
      assert.deepEqual(await store.counts(), { clients: 1, jtis: 2, auditEvents: 2 })
      assert.deepEqual((await store.listAudit(1))[0], audit({ operation: 'delete', clientId: record.clientId, at: (NOW + 50) * 1000 }))
    }))

    it('rejects deleting a client twice or an unknown client and writes nothing', withStore(async (store) => {
      const record = client()
      await store.createClient(record, registrationJtis(record), audit(), shared)
      await store.deleteClient(record.clientId, NOW + 50, audit({ operation: 'delete' }))
      const before = await store.counts()

      await assert.rejects(store.deleteClient(record.clientId, NOW + 60, audit({ operation: 'delete' })), isNotConflict)
      await assert.rejects(store.deleteClient(randomUUID(), NOW + 60, audit({ operation: 'delete' })), isNotConflict)
      assert.deepEqual(await store.counts(), before)
      assert.equal((await store.getClient(record.clientId))?.updatedAt, NOW + 50)
    }))

    it('records audit events on their own and lists them newest first', withStore(async (store) => {
      const complete: AuditEvent = {
        at: NOW * 1000 + 1,
        operation: 'create',
        outcome: 'rejected',
        clientId: 'client-x',
        softwareId: 'software-x',
        errorCode: 'invalid_redirect_uri',
        validator: 'redirect-uri-subset',
        certificateThumbprint: 'x5t-x',
        remoteAddress: '192.0.2.10',
        detail: 'redirect_uris: https://evil.example/cb is not in the SSA software_redirect_uris',
      }
      const read = audit({ at: NOW * 1000 + 2, operation: 'read', clientId: 'client-x' })
      const failed = audit({ at: NOW * 1000 + 3, operation: 'delete', outcome: 'error' })
      await store.recordAudit(complete)
      await store.recordAudit(read)
      await store.recordAudit(failed)

      assert.deepEqual(await store.listAudit(10), [failed, read, complete], 'every field round-trips; absent fields stay absent')
      assert.deepEqual(await store.listAudit(2), [failed, read])
      assert.deepEqual(await store.listAudit(0), [])
      assert.deepEqual(await store.counts(), { clients: 0, jtis: 0, auditEvents: 3 })
    }))

    it('purges expired JTIs only and says how many', withStore(async (store) => {
      const record = client()
      await store.createClient(record, [
        jti('issuer-a', 'expired-before', NOW - 10),
        jti('issuer-a', 'expires-now', NOW),
        jti('issuer-b', 'still-live', NOW + 1),
      ], audit(), shared)

      assert.equal(await store.purgeExpiredJtis(NOW), 2)
      assert.equal((await store.counts()).jtis, 1)
      assert.equal(await store.isJtiUsed('issuer-b', 'still-live', NOW), true)
      assert.equal(await store.purgeExpiredJtis(NOW), 0, 'nothing left to purge')
      assert.equal(await store.purgeExpiredJtis(NOW + 1), 1)
      assert.equal((await store.counts()).clients, 1, 'purging touches JTIs only')
    }))

    it('lets exactly one of several concurrent registrations with the same JTI win', withStore(async (store) => {
      const contenders = Array.from({ length: 8 }, () => client())
      const results = await Promise.allSettled(contenders.map((record) =>
        store.createClient(record, [jti(record.softwareId, `request-${record.clientId}`), jti(DIRECTORY, 'ssa-raced')], audit({ clientId: record.clientId }), shared)))

      const won = results.filter((result) => result.status === 'fulfilled')
      const lost = results.filter((result) => result.status === 'rejected')
      assert.equal(won.length, 1)
      for (const result of lost) isConflict('jti', DIRECTORY)(result.reason)
      assert.deepEqual(await store.counts(), { clients: 1, jtis: 2, auditEvents: 1 })
    }))

    it('lets exactly one of several concurrent registrations of an exclusive software id win', withStore(async (store) => {
      const contenders = Array.from({ length: 8 }, () => client({ softwareId: 'raced-software' }))
      const results = await Promise.allSettled(contenders.map((record) => store.createClient(record, registrationJtis(record), audit(), exclusive)))

      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1)
      for (const result of results) if (result.status === 'rejected') isConflict('software_id')(result.reason)
      assert.deepEqual(await store.counts(), { clients: 1, jtis: 2, auditEvents: 1 })
    }))

    it('counts clients (deleted ones too), kept JTIs and audit events', withStore(async (store) => {
      const one = client()
      const two = client()
      await store.createClient(one, registrationJtis(one), audit(), shared)
      await store.createClient(two, [jti(two.softwareId, 'only-one')], audit(), shared)
      await store.deleteClient(two.clientId, NOW + 1, audit({ operation: 'delete' }))
      await store.recordAudit(audit({ operation: 'read' }))
      assert.deepEqual(await store.counts(), { clients: 2, jtis: 3, auditEvents: 4 })
    }))

    it('records a lone JTI once, and again only after it expired', withStore(async (store) => {
      await store.recordJti(jti('client-1', 'assertion-1', NOW + 60), NOW)
      assert.equal(await store.isJtiUsed('client-1', 'assertion-1', NOW), true)
      await assert.rejects(store.recordJti(jti('client-1', 'assertion-1', NOW + 60), NOW + 1), isConflict('jti', 'client-1'))
      await store.recordJti(jti('client-1', 'assertion-1', NOW + 200), NOW + 61)
      assert.equal(await store.isJtiUsed('client-1', 'assertion-1', NOW + 100), true)
    }))

    it('revokes access tokens until they expire, and purges them after', withStore(async (store) => {
      assert.equal(await store.isAccessTokenRevoked('token-1', NOW), false)
      await store.revokeAccessToken('token-1', NOW + 300)
      await store.revokeAccessToken('token-1', NOW + 300)
      assert.equal(await store.isAccessTokenRevoked('token-1', NOW), true)
      assert.equal(await store.isAccessTokenRevoked('token-1', NOW + 300), false, 'an expired token needs no revocation entry')
      await store.purgeExpiredJtis(NOW + 301)
      assert.equal(await store.isAccessTokenRevoked('token-1', NOW), false, 'purged')
    }))
    it('stores the first registration access token hash with the client and finds its client by hash (RFC7592-1)', withStore(async (store) => {
      const record = client()
      await store.createClient(record, registrationJtis(record), audit(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-first' })
      assert.equal(await store.findRegistrationToken('hash-first', NOW), record.clientId)
      assert.equal(await store.findRegistrationToken('hash-first', NOW + 10 * 365 * 86400), record.clientId, 'a current token does not expire')
      assert.equal(await store.findRegistrationToken('hash-unknown', NOW), undefined)

      const withoutToken = client()
      await store.createClient(withoutToken, registrationJtis(withoutToken), audit(), shared)
      assert.deepEqual(await store.counts(), { clients: 2, jtis: 4, auditEvents: 2 })
    }))

    it('keeps no registration access token of a refused createClient', withStore(async (store) => {
      const first = client()
      await store.createClient(first, registrationJtis(first, 'one'), audit(), shared)
      const second = client()
      const reused = [jti(DIRECTORY, 'ssa-one')]
      await assert.rejects(store.createClient(second, reused, audit(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-refused' }), isConflict('jti', DIRECTORY))
      assert.equal(await store.findRegistrationToken('hash-refused', NOW), undefined)
    }))

    it('rotates a registration access token: the previous one works until the grace deadline, then not (RFC7592-8)', withStore(async (store) => {
      const record = client()
      await store.createClient(record, registrationJtis(record), audit(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-1' })
      const before = await store.counts()

      await store.rotateRegistrationToken(record.clientId, { hash: 'hash-2', previousValidUntil: NOW + 60 }, NOW, audit({ operation: 'read', clientId: record.clientId }))
      assert.equal(await store.findRegistrationToken('hash-2', NOW), record.clientId)
      assert.equal(await store.findRegistrationToken('hash-1', NOW + 59), record.clientId, 'the previous token still works within the grace period')
      assert.equal(await store.findRegistrationToken('hash-1', NOW + 60), undefined, 'and not from the deadline on')
      assert.deepEqual(await store.counts(), { ...before, auditEvents: before.auditEvents + 1 }, 'the rotation is audited in its transaction')

      // Rotating again within the grace period never extends an earlier token's deadline.
      await store.rotateRegistrationToken(record.clientId, { hash: 'hash-3', previousValidUntil: NOW + 100 }, NOW + 30, audit({ operation: 'read' }))
      assert.equal(await store.findRegistrationToken('hash-1', NOW + 70), undefined)
      assert.equal(await store.findRegistrationToken('hash-2', NOW + 99), record.clientId)
      assert.equal(await store.findRegistrationToken('hash-3', NOW + 1000), record.clientId)

      // A deadline of "now" ends every earlier token at once (signed recovery).
      await store.rotateRegistrationToken(record.clientId, { hash: 'hash-4', previousValidUntil: NOW + 40 }, NOW + 40, audit({ operation: 'update' }))
      for (const old of ['hash-1', 'hash-2', 'hash-3']) assert.equal(await store.findRegistrationToken(old, NOW + 40), undefined, `${old} ended`)
      assert.equal(await store.findRegistrationToken('hash-4', NOW + 40), record.clientId)
    }))

    it('refuses to rotate the registration access token of a deleted or unknown client and writes nothing', withStore(async (store) => {
      const record = client()
      await store.createClient(record, registrationJtis(record), audit(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-gone' })
      await store.deleteClient(record.clientId, NOW + 1, audit({ operation: 'delete' }))
      const before = await store.counts()
      await assert.rejects(store.rotateRegistrationToken(record.clientId, { hash: 'hash-new', previousValidUntil: NOW + 60 }, NOW + 2, audit({ operation: 'read' })), isNotConflict)
      await assert.rejects(store.rotateRegistrationToken(randomUUID(), { hash: 'hash-other', previousValidUntil: NOW + 60 }, NOW + 2, audit({ operation: 'read' })), isNotConflict)
      assert.equal(await store.findRegistrationToken('hash-new', NOW + 2), undefined)
      assert.equal(await store.findRegistrationToken('hash-other', NOW + 2), undefined)
      assert.deepEqual(await store.counts(), before)
    }))

    it('rotates the registration access token inside updateClient, and not at all when the update is refused', withStore(async (store) => {
      const record = client()
      await store.createClient(record, registrationJtis(record, 'one'), audit(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-a' })

      const refused = { ...record, metadata: { changed: true }, updatedAt: NOW + 10 }
      const replayed = [jti(record.softwareId, 'request-one')]
      await assert.rejects(store.updateClient(refused, replayed, audit({ operation: 'update' }), { registrationToken: { hash: 'hash-refused', previousValidUntil: NOW + 10 } }), isConflict('jti'))
      assert.equal(await store.findRegistrationToken('hash-refused', NOW + 10), undefined, 'no new token from a refused update')
      assert.equal(await store.findRegistrationToken('hash-a', NOW + 1000), record.clientId, 'the current token is untouched')

      const updated = { ...record, metadata: { changed: true }, updatedAt: NOW + 20 }
      await store.updateClient(updated, [jti(record.softwareId, 'request-two')], audit({ operation: 'update' }), { registrationToken: { hash: 'hash-b', previousValidUntil: NOW + 80 } })
      assert.equal(await store.findRegistrationToken('hash-b', NOW + 1000), record.clientId)
      assert.equal(await store.findRegistrationToken('hash-a', NOW + 79), record.clientId)
      assert.equal(await store.findRegistrationToken('hash-a', NOW + 80), undefined)

      await store.updateClient({ ...updated, updatedAt: NOW + 30 }, [], audit({ operation: 'update' }))
      assert.equal(await store.findRegistrationToken('hash-b', NOW + 1000), record.clientId, 'an update without a rotation keeps the token')
    }))

    it('removes every registration access token of a deleted client, and only of that client (RFC7592-15)', withStore(async (store) => {
      const record = client()
      const other = client()
      await store.createClient(record, registrationJtis(record), audit(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-x' })
      await store.createClient(other, registrationJtis(other), audit(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-other-client' })
      await store.rotateRegistrationToken(record.clientId, { hash: 'hash-y', previousValidUntil: NOW + 600 }, NOW, audit({ operation: 'read' }))
      await store.deleteClient(record.clientId, NOW + 1, audit({ operation: 'delete' }))
      assert.equal(await store.findRegistrationToken('hash-x', NOW + 2), undefined, 'the token in its grace period is gone')
      assert.equal(await store.findRegistrationToken('hash-y', NOW + 2), undefined, 'the current token is gone')
      assert.equal(await store.findRegistrationToken('hash-other-client', NOW + 2), other.clientId)
    }))

    it('revokes one registration access token at once (RFC7592-5)', withStore(async (store) => {
      const record = client()
      await store.createClient(record, registrationJtis(record), audit(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-leaked' })
      await store.revokeRegistrationToken('hash-leaked')
      assert.equal(await store.findRegistrationToken('hash-leaked', NOW), undefined)
      await store.revokeRegistrationToken('hash-never-issued')
      await store.rotateRegistrationToken(record.clientId, { hash: 'hash-recovered', previousValidUntil: NOW }, NOW, audit({ operation: 'update' }))
      assert.equal(await store.findRegistrationToken('hash-recovered', NOW), record.clientId, 'a client without a current token can get a new one')
    }))

    it('purges registration access tokens past their grace period but keeps current ones', withStore(async (store) => {
      const record = client()
      await store.createClient(record, registrationJtis(record), audit(), { exclusiveSoftwareId: false, registrationTokenHash: 'hash-old' })
      await store.rotateRegistrationToken(record.clientId, { hash: 'hash-current', previousValidUntil: NOW + 60 }, NOW, audit({ operation: 'read' }))
      await store.purgeExpiredJtis(NOW + 61)
      assert.equal(await store.findRegistrationToken('hash-current', NOW + 61), record.clientId)
      assert.equal(await store.findRegistrationToken('hash-old', NOW + 30), undefined, 'the purged token is gone even for an earlier now')
    }))

    it('lists the live registrations of a directory and changes a status only from the expected one', withStore(async (store) => {
      const one = client()
      const two = client({ directoryIssuer: 'Another Directory' })
      const gone = client()
      for (const record of [one, two, gone]) await store.createClient(record, [], audit(), shared)
      await store.deleteClient(gone.clientId, NOW + 1, audit({ operation: 'delete' }))
      assert.deepEqual((await store.listClientsOfDirectory(DIRECTORY)).map((c) => c.clientId), [one.clientId])

      const suspend = audit({ operation: 'suspend', clientId: one.clientId, validator: 'software-status', detail: 'software product is INACTIVE' })
      assert.equal(await store.setClientStatus(one.clientId, 'active', 'suspended', suspend), true)
      assert.equal((await store.getClient(one.clientId))?.status, 'suspended')
      assert.equal((await store.listAudit(1))[0]?.operation, 'suspend')
      const before = await store.counts()
      assert.equal(await store.setClientStatus(one.clientId, 'active', 'suspended', suspend), false, 'compare-and-set: not active any more')
      assert.equal(await store.setClientStatus(gone.clientId, 'suspended', 'active', audit({ operation: 'reactivate' })), false, 'a deleted client stays deleted')
      assert.deepEqual(await store.counts(), before, 'a refused change writes no audit event')
      assert.deepEqual((await store.listClientsOfDirectory(DIRECTORY)).map((c) => c.status), ['suspended'], 'suspended clients are still listed')
      assert.equal(await store.setClientStatus(one.clientId, 'suspended', 'active', audit({ operation: 'reactivate' })), true)
    }))

    it('counts a suspended registration as live for an exclusive software id', withStore(async (store) => {
      const first = client({ softwareId: 'exclusive-suspended' })
      await store.createClient(first, [], audit(), exclusive)
      await store.setClientStatus(first.clientId, 'active', 'suspended', audit({ operation: 'suspend' }))
      await assert.rejects(store.createClient(client({ softwareId: 'exclusive-suspended' }), [], audit(), exclusive), isConflict('software_id'))
    }))
  })
}

/**
 * The behaviour every RateLimitCounter must show (src/lib/rate-limit-counter.ts), in memory or shared by
 * instances: hits counted per key in a fixed window, the count starting again once the window is over.
 */
export function rateLimitCounterContract(name: string, makeCounter: () => Promise<{ counter: RateLimitCounter; cleanup: () => Promise<void> }>): void {
  describe(`${name}: RateLimitCounter contract`, () => {
    it('counts hits per key within one window and says when it ends', async () => {
      const { counter, cleanup } = await makeCounter()
      try {
        assert.deepStrictEqual(await counter.hit('a', 60_000, 1_000_000), { count: 1, resetInMs: 60_000 })
        assert.deepStrictEqual(await counter.hit('a', 60_000, 1_010_000), { count: 2, resetInMs: 50_000 })
        assert.deepStrictEqual(await counter.hit('b', 60_000, 1_010_000), { count: 1, resetInMs: 60_000 })
      } finally {
        await cleanup()
      }
    })

    it('starts a new window once the last one is over', async () => {
      const { counter, cleanup } = await makeCounter()
      try {
        await counter.hit('a', 1000, 5000)
        await counter.hit('a', 1000, 5500)
        assert.deepStrictEqual(await counter.hit('a', 1000, 6000), { count: 1, resetInMs: 1000 })
      } finally {
        await cleanup()
      }
    })

    it('counts concurrent hits of one key each once', async () => {
      const { counter, cleanup } = await makeCounter()
      try {
        const hits = await Promise.all(Array.from({ length: 50 }, () => counter.hit('a', 60_000, 1000)))
        assert.deepStrictEqual(hits.map((hit) => hit.count).sort((x, y) => x - y), Array.from({ length: 50 }, (_, index) => index + 1))
      } finally {
        await cleanup()
      }
    })
  })
}
