/**
 * software-status against the real mock CDR Register over https (CDR-DCR-25..28): active recipient and
 * product pass; an inactive product, a suspended recipient and unknown ones are refused; a Register outage
 * is survived with a fresh cache and fails closed with a stale one.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it, type TestContext } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { startMockRegister, type MockRegister } from '../../src/sandbox/mock-register.ts'
import { CDR_SANDBOX_RECIPIENT } from '../../src/sandbox/ssa-shapes.ts'
import { createBoundedFetch } from '../../src/trust/outbound-http.ts'
import { createRegisterStatusClient, type RegisterStatusReader } from '../../src/trust/register-status.ts'
import type { ValidationContext } from '../../src/validation/context.ts'
import type { Claims } from '../../src/lib/claims.ts'
import { softwareStatus } from '../../src/validation/validators/software-status.ts'
import { makeContext } from '../helpers/context.ts'
import { temporaryFile } from '../helpers/loopback-servers.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const { legalEntityId, softwareId } = CDR_SANDBOX_RECIPIENT
const ssa: Claims = { iss: 'cdr-register', software_id: softwareId, legal_entity_id: legalEntityId, org_id: CDR_SANDBOX_RECIPIENT.orgId }

const ca = await createCertificateAuthority('software-status test CA')
let register: MockRegister
before(async () => {
  register = await startMockRegister({ ca })
})
after(() => register.close())

function setup(t: TestContext, options: Record<string, unknown> = {}): { config: Config; reader: RegisterStatusReader; time: { now: number }; ctx: (claims?: Claims) => ValidationContext } {
  const config = loadConfig({
    values: {
      issuer: 'https://bank.example.com',
      profile: 'cdr',
      directories: [{ issuer: 'cdr-register', jwksUrl: register.jwksUrl }],
      server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } },
      outbound: { caFiles: [temporaryFile(t, 'ca.pem', ca.certificatePem)], allowPrivateAddresses: true },
      validators: { 'software-status': { registerBaseUrl: register.url, cacheTtlSeconds: 60, ...options } },
    },
  })
  const time = { now: Date.now() }
  const reader = createRegisterStatusClient({ config: config.validators['software-status'], fetch: createBoundedFetch(config.outbound), clock: () => time.now })
  const ctx = (claims: Claims = ssa): ValidationContext => ({ ...makeContext({ config, ssa: claims }), registerStatus: reader })
  return { config, reader, time, ctx }
}

const active = () => {
  register.setAvailable(true)
  register.setDataRecipientStatus(legalEntityId, 'ACTIVE')
  register.setSoftwareProductStatus(softwareId, 'ACTIVE')
}

describe('software-status (CDR-DCR-25..28)', () => {
  it('passes when the data recipient and the software product are ACTIVE at the Register', async (t) => {
    active()
    await expectPass(softwareStatus, setup(t).ctx())
  })

  it('rejects a software product that is INACTIVE (CDR negative fixture)', async (t) => {
    active()
    register.setSoftwareProductStatus(softwareId, 'INACTIVE')
    await expectFailure(softwareStatus, setup(t).ctx(), { error: 'unapproved_software_statement', claim: 'software_id', mentions: [softwareId, 'INACTIVE'] })
  })

  it('rejects a data recipient that is SUSPENDED', async (t) => {
    active()
    register.setDataRecipientStatus(legalEntityId, 'SUSPENDED')
    await expectFailure(softwareStatus, setup(t).ctx(), { error: 'unapproved_software_statement', claim: 'legal_entity_id', mentions: [legalEntityId, 'SUSPENDED'] })
  })

  it('rejects a product or recipient the Register does not know', async (t) => {
    active()
    const { ctx } = setup(t)
    await expectFailure(softwareStatus, ctx({ ...ssa, software_id: 'UNKNOWN-PRODUCT' }), { error: 'unapproved_software_statement', claim: 'software_id', mentions: ['not known'] })
    await expectFailure(softwareStatus, ctx({ ...ssa, legal_entity_id: 'UNKNOWN-ENTITY' }), { error: 'unapproved_software_statement', claim: 'legal_entity_id', mentions: ['not known'] })
  })

  it('rejects a software statement without legal_entity_id or software_id', async (t) => {
    const { ctx } = setup(t)
    await expectFailure(softwareStatus, ctx({ ...ssa, legal_entity_id: undefined }), { error: 'invalid_software_statement', claim: 'legal_entity_id' })
    await expectFailure(softwareStatus, ctx({ ...ssa, software_id: undefined }), { error: 'invalid_software_statement', claim: 'software_id' })
  })

  it('passes while the Register is down if the cached statuses are fresh', async (t) => {
    active()
    const { ctx, time } = setup(t)
    await expectPass(softwareStatus, ctx())
    register.setAvailable(false)
    t.after(() => register.setAvailable(true))
    time.now += 30_000
    await expectPass(softwareStatus, ctx())
  })

  it('fails closed while the Register is down and the cached statuses are stale', async (t) => {
    active()
    const { ctx, time } = setup(t)
    await expectPass(softwareStatus, ctx())
    register.setAvailable(false)
    t.after(() => register.setAvailable(true))
    time.now += 61_000
    const error = await expectFailure(softwareStatus, ctx(), { error: 'unapproved_software_statement', claim: 'software_id', mentions: ['cannot be reached', 'try again later'] })
    assert.match(error.message, /last statuses are from \d{4}-/)
  })

  it('sees a status change once the cache has expired', async (t) => {
    active()
    const { ctx, time } = setup(t)
    await expectPass(softwareStatus, ctx())
    register.setSoftwareProductStatus(softwareId, 'REMOVED')
    await expectPass(softwareStatus, ctx())
    time.now += 61_000
    await expectFailure(softwareStatus, ctx(), { error: 'unapproved_software_statement', claim: 'software_id', mentions: ['REMOVED'] })
  })

  it('is a server fault, not a refusal, when no status client is wired', async () => {
    await assert.rejects(async () => softwareStatus.check(makeContext({ ssa })), (error: unknown) => error instanceof Error && error.name === 'Error' && /no CDR Register status client/.test(error.message))
  })
})
