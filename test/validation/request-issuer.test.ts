import { describe, it } from 'node:test'
import type { ClientRecord } from '../../src/store/store.ts'
import { requestIssuer } from '../../src/validation/validators/request-issuer.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const SOFTWARE_ID = '7Hq2LmN9pXvR4tYb8Kc1Zs'
const ssa = { iss: 'OpenBanking Ltd', software_id: SOFTWARE_ID }
const client: ClientRecord = {
  clientId: 'c1',
  softwareId: SOFTWARE_ID,
  orgId: 'org-1',
  directoryIssuer: 'OpenBanking Ltd',
  metadata: {},
  softwareStatement: undefined,
  certificateThumbprint: undefined,
  status: 'active',
  createdAt: 1,
  updatedAt: 1,
}
const updating = (request: Record<string, unknown>, ssaClaims: Record<string, unknown>, registered: ClientRecord | undefined) => ({
  ...makeContext({ operation: 'update', request, ssa: ssaClaims }),
  client: registered,
})

describe('request-issuer (UK-DCR-19, UK-DCR-27)', () => {
  it('passes when iss and software_id equal the SSA software_id', async () => {
    await expectPass(requestIssuer, makeContext({ request: { iss: SOFTWARE_ID }, ssa }))
    await expectPass(requestIssuer, makeContext({ request: { iss: SOFTWARE_ID, software_id: SOFTWARE_ID }, ssa }))
  })

  it('rejects a missing iss', async () => {
    await expectFailure(requestIssuer, makeContext({ request: {}, ssa }), { error: 'invalid_client_metadata', claim: 'iss', mentions: ['is required', SOFTWARE_ID] })
  })

  it('rejects an iss other than the SSA software_id', async () => {
    await expectFailure(requestIssuer, makeContext({ request: { iss: 'OtherSoftware' }, ssa }), { error: 'invalid_client_metadata', claim: 'iss', mentions: ['"OtherSoftware"', `"${SOFTWARE_ID}"`] })
    await expectFailure(requestIssuer, makeContext({ request: { iss: SOFTWARE_ID.toLowerCase() }, ssa }), { error: 'invalid_client_metadata', claim: 'iss' })
  })

  it('rejects an iss that is not a string', async () => {
    await expectFailure(requestIssuer, makeContext({ request: { iss: [SOFTWARE_ID] }, ssa }), { error: 'invalid_client_metadata', claim: 'iss', mentions: ['must be a string'] })
  })

  it('rejects a request software_id other than the SSA software_id', async () => {
    await expectFailure(requestIssuer, makeContext({ request: { iss: SOFTWARE_ID, software_id: 'OtherSoftware' }, ssa }), { error: 'invalid_client_metadata', claim: 'software_id', mentions: ['"OtherSoftware"'] })
  })

  it('rejects a software statement without software_id, or no software statement', async () => {
    await expectFailure(requestIssuer, makeContext({ request: { iss: SOFTWARE_ID }, ssa: { iss: 'OpenBanking Ltd' } }), { error: 'invalid_software_statement', claim: 'software_id' })
    await expectFailure(requestIssuer, makeContext({ request: { iss: SOFTWARE_ID } }), { error: 'invalid_client_metadata', claim: 'software_statement' })
  })

  it('reads the profile software id claim', async () => {
    const config = testConfig({ ssa: { softwareIdClaim: 'software_product_id' } })
    await expectPass(requestIssuer, makeContext({ config, request: { iss: 'p-1' }, ssa: { software_product_id: 'p-1' } }))
    await expectFailure(requestIssuer, makeContext({ config, request: { iss: SOFTWARE_ID }, ssa }), { error: 'invalid_software_statement', claim: 'software_product_id' })
  })

  describe('on update', () => {
    it('passes when the SSA names the software the client was registered for', async () => {
      await expectPass(requestIssuer, updating({ iss: SOFTWARE_ID }, ssa, client))
    })

    it('rejects an SSA of other software (software_id cannot change)', async () => {
      await expectFailure(requestIssuer, updating({ iss: 'OtherSoftware' }, { software_id: 'OtherSoftware' }, client), { error: 'invalid_client_metadata', claim: 'software_id', mentions: ['cannot change', `"${SOFTWARE_ID}"`, '"OtherSoftware"'] })
    })

    it('rejects an update without the registered client', async () => {
      await expectFailure(requestIssuer, updating({ iss: SOFTWARE_ID }, ssa, undefined), { error: 'invalid_client_metadata', claim: 'software_id' })
    })
  })
})
