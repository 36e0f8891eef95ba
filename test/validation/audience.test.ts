import { describe, it } from 'node:test'
import { audience } from '../../src/validation/validators/audience.ts'
import { makeContext, testConfig, TEST_ISSUER } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const FAIL = { error: 'invalid_client_metadata', claim: 'aud' } as const
const withAudiences = testConfig({ audiences: ['0015800001041RHAAY'] })

describe('audience (UK-DCR-21, SEC-8)', () => {
  it('passes when aud is the issuer, as a string or in an array', async () => {
    await expectPass(audience, makeContext({ request: { aud: TEST_ISSUER } }))
    await expectPass(audience, makeContext({ request: { aud: ['https://other.example', TEST_ISSUER] } }))
  })

  it('passes when aud is one of the configured audiences (ASPSP org id)', async () => {
    await expectPass(audience, makeContext({ config: withAudiences, request: { aud: '0015800001041RHAAY' } }))
  })

  it('rejects a missing or empty aud, saying what to set', async () => {
    await expectFailure(audience, makeContext({ request: {} }), { ...FAIL, mentions: ['is required', TEST_ISSUER] })
    await expectFailure(audience, makeContext({ request: { aud: [] } }), FAIL)
  })

  it('rejects an aud naming another server', async () => {
    await expectFailure(audience, makeContext({ config: withAudiences, request: { aud: 'https://other-bank.example.com' } }), { ...FAIL, mentions: ['does not name this server', TEST_ISSUER, '0015800001041RHAAY'] })
  })

  it('rejects an aud that only resembles the issuer', async () => {
    for (const aud of [`${TEST_ISSUER}/`, TEST_ISSUER.toUpperCase(), `${TEST_ISSUER}.evil.example`]) await expectFailure(audience, makeContext({ request: { aud } }), FAIL)
  })

  it('rejects an aud that is not a string or array of strings', async () => {
    await expectFailure(audience, makeContext({ request: { aud: 42 } }), { ...FAIL, mentions: ['array of strings'] })
    await expectFailure(audience, makeContext({ request: { aud: [TEST_ISSUER, 1] } }), FAIL)
  })
})
