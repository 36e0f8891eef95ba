/**
 * The CDR Register status client against the mock Register over real https on loopback (CDR-DCR-25..29):
 * version headers, caching for the TTL, one fetch for concurrent reads, last known status kept for missing
 * or unknown values, stale cache within the grace period, and failing closed after it.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it, type TestContext } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import { createCertificateAuthority, type CertificateAuthority } from '../../src/sandbox/ca.ts'
import { startMockRegister, type MockRegister } from '../../src/sandbox/mock-register.ts'
import { createBoundedFetch } from '../../src/trust/outbound-http.ts'
import { createRegisterStatusClient, RegisterUnavailableError } from '../../src/trust/register-status.ts'
import { temporaryFile } from '../helpers/loopback-servers.ts'

const LEGAL_ENTITY = '18B75A76-5821-4C9E-B465-4709291CF0F4'
const PRODUCT = 'C6327F87-687A-4369-99A4-EAACD3BB8210'

let ca: CertificateAuthority
let register: MockRegister
before(async () => {
  ca = await createCertificateAuthority('register status test CA')
  register = await startMockRegister({ ca })
})
after(() => register.close())

/** A status client trusting the test CA, with a clock the test moves. */
function clientFor(t: TestContext, options: Record<string, unknown> = {}) {
  const caFile = temporaryFile(t, 'ca.pem', ca.certificatePem)
  const config = loadConfig({
    values: {
      issuer: 'https://bank.example.com',
      profile: 'cdr',
      directories: [{ issuer: 'cdr-register', jwksUrl: register.jwksUrl }],
      server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } },
      outbound: { caFiles: [caFile], allowPrivateAddresses: true },
      validators: { 'software-status': { registerBaseUrl: register.url, ...options } },
    },
  })
  const time = { now: 1_767_225_000_000 }
  const client = createRegisterStatusClient({ config: config.validators['software-status'], fetch: createBoundedFetch(config.outbound), clock: () => time.now })
  return { client, time }
}

const statusRequests = () => register.requests.filter((request) => request.path.endsWith('/status'))

describe('CDR Register status client (CDR-DCR-25..29)', () => {
  it('fetches both status lists with x-v 3 and x-min-v 2 and reads the x-v 3 shape', async (t) => {
    register.setDataRecipientStatus(LEGAL_ENTITY, 'ACTIVE')
    register.setSoftwareProductStatus(PRODUCT, 'ACTIVE')
    const before = statusRequests().length
    const { client } = clientFor(t)
    const statuses = await client.statuses()
    assert.equal(statuses.dataRecipients.get(LEGAL_ENTITY), 'ACTIVE')
    assert.equal(statuses.softwareProducts.get(PRODUCT), 'ACTIVE')
    const sent = statusRequests().slice(before)
    assert.deepEqual(sent.map((request) => request.path).sort(), ['/cdr-register/v1/all/data-recipients/brands/software-products/status', '/cdr-register/v1/all/data-recipients/status'])
    for (const request of sent) {
      assert.equal(request.headers['x-v'], '3')
      assert.equal(request.headers['x-min-v'], '2')
    }
  })

  it('serves reads from the cache until the TTL, then fetches again', async (t) => {
    const { client, time } = clientFor(t, { cacheTtlSeconds: 60 })
    await client.statuses()
    const afterFirst = statusRequests().length
    time.now += 59_000
    await client.statuses()
    assert.equal(statusRequests().length, afterFirst, 'no fetch within the TTL')
    time.now += 2_000
    await client.statuses()
    assert.equal(statusRequests().length, afterFirst + 2, 'both lists fetched again after the TTL')
  })

  it('shares one fetch between concurrent reads', async (t) => {
    const { client } = clientFor(t)
    const before = statusRequests().length
    await Promise.all([client.statuses(), client.statuses(), client.refresh()])
    assert.equal(statusRequests().length, before + 2)
  })

  it('keeps the last known status of a product the Register stops listing or gives an undefined status (CDR-DCR-28)', async (t) => {
    const { client } = clientFor(t)
    register.setSoftwareProductStatus(PRODUCT, 'INACTIVE')
    assert.equal((await client.refresh()).softwareProducts.get(PRODUCT), 'INACTIVE')
    register.setSoftwareProductStatus(PRODUCT, undefined)
    assert.equal((await client.refresh()).softwareProducts.get(PRODUCT), 'INACTIVE')
    register.setSoftwareProductStatus(PRODUCT, 'SOMETHING-NEW')
    assert.equal((await client.refresh()).softwareProducts.get(PRODUCT), 'INACTIVE')
    register.setSoftwareProductStatus(PRODUCT, 'ACTIVE')
    assert.equal((await client.refresh()).softwareProducts.get(PRODUCT), 'ACTIVE')
  })

  it('uses stale statuses within maxStaleSeconds while the Register is down, then fails closed', async (t) => {
    const { client, time } = clientFor(t, { cacheTtlSeconds: 60, maxStaleSeconds: 120 })
    await client.statuses()
    register.setAvailable(false)
    t.after(() => register.setAvailable(true))
    time.now += 100_000
    assert.equal((await client.statuses()).softwareProducts.get(PRODUCT), 'ACTIVE', 'stale but within the grace period')
    time.now += 100_000
    await assert.rejects(client.statuses(), (error: unknown) => error instanceof RegisterUnavailableError && /HTTP 503/.test(error.message) && error.lastFetchedAt === 1_767_225_000_000)
  })

  it('fails closed at once when nothing was ever fetched and the Register is down', async (t) => {
    register.setAvailable(false)
    t.after(() => register.setAvailable(true))
    const { client } = clientFor(t)
    await assert.rejects(client.statuses(), (error: unknown) => error instanceof RegisterUnavailableError && error.lastFetchedAt === undefined)
  })

  it('fails when the Register refuses the version range (406) or no x-v is sent (400)', async (t) => {
    const { client } = clientFor(t, { apiVersion: '1', minApiVersion: '' })
    await assert.rejects(client.statuses(), (error: unknown) => error instanceof RegisterUnavailableError && /HTTP 406/.test(error.message))
    const { client: withoutVersion } = clientFor(t, { apiVersion: '', minApiVersion: '' })
    await assert.rejects(withoutVersion.statuses(), (error: unknown) => error instanceof RegisterUnavailableError && /HTTP 400/.test(error.message))
  })
})
