import { describe, it } from 'node:test'
import { applicationType } from '../../src/validation/validators/application-type.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

describe('application-type', () => {
  it('passes web (UK sample), mobile (UK v3.2/3.3) and native (UK v3.4)', async () => {
    for (const type of ['web', 'mobile', 'native']) await expectPass(applicationType, makeContext({ request: { application_type: type } }))
  })

  it('treats an absent application_type as web', async () => {
    await expectPass(applicationType, makeContext({ request: {} }))
    const config = testConfig({ validators: { 'application-type': { allowed: ['native'] } } })
    await expectFailure(applicationType, makeContext({ config, request: {} }), { error: 'invalid_client_metadata', claim: 'application_type', mentions: ['"web"', 'absent means web', 'native'] })
  })

  it('rejects an application type the profile does not accept (CDR: web only)', async () => {
    const config = testConfig({ validators: { 'application-type': { allowed: ['web'] } } })
    await expectFailure(applicationType, makeContext({ config, request: { application_type: 'native' } }), { error: 'invalid_client_metadata', claim: 'application_type', mentions: ['"native"', 'web'] })
  })

  it('rejects an unknown application type', async () => {
    await expectFailure(applicationType, makeContext({ request: { application_type: 'desktop' } }), { error: 'invalid_client_metadata', claim: 'application_type', mentions: ['"desktop"'] })
  })

  it('compares case-sensitively', async () => {
    await expectFailure(applicationType, makeContext({ request: { application_type: 'Web' } }), { error: 'invalid_client_metadata', claim: 'application_type' })
  })

  it('rejects an application_type that is not a string', async () => {
    await expectFailure(applicationType, makeContext({ request: { application_type: ['web'] } }), { error: 'invalid_client_metadata', claim: 'application_type' })
  })
})
