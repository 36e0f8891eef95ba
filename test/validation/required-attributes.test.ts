import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { requiredAttributes } from '../../src/validation/validators/required-attributes.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

/** The UK sample request and SSA (uk-obie-dcr.md §7), trimmed to what the defaults require. */
const UK_REQUEST = {
  iss: '7Hq2LmN9pXvR4tYb8Kc1Zs',
  iat: 1767225060,
  exp: 1767225360,
  aud: '0015800001041RHAAY',
  jti: '8C2A9E4B-1F3D-4A6B-9C8D-7E5F3A1B2C4D',
  redirect_uris: ['https://acme-fin.example.co.uk/ob/callback'],
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'PS256',
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code id_token'],
  scope: 'openid accounts payments',
  application_type: 'web',
  id_token_signed_response_alg: 'PS256',
  request_object_signing_alg: 'PS256',
  software_statement: 'eyJhbGciOiJQUzI1NiJ9.e30.c2ln',
}
const UK_SSA = {
  iss: 'OpenBanking Ltd',
  iat: 1767225000,
  jti: '3f7c2a90e1b84d5c',
  software_id: '7Hq2LmN9pXvR4tYb8Kc1Zs',
  org_id: '0015800001ZEc3hAAD',
  software_redirect_uris: ['https://acme-fin.example.co.uk/ob/callback'],
  software_jwks_endpoint: 'https://keystore.openbankingtest.org.uk/0015800001ZEc3hAAD/7Hq2LmN9pXvR4tYb8Kc1Zs.jwks',
  software_roles: ['AISP', 'PISP'],
  software_on_behalf_of_org: null,
}
const context = (request: Record<string, unknown>, ssa: Record<string, unknown> = UK_SSA) => makeContext({ request, ssa })

describe('required-attributes', () => {
  it('passes the UK sample request and SSA', async () => {
    await expectPass(requiredAttributes, context(UK_REQUEST))
  })

  it('passes without optional claims (redirect_uris falls back to the SSA, UK-DCR-24)', async () => {
    await expectPass(requiredAttributes, context({ ...UK_REQUEST, redirect_uris: undefined, response_types: undefined }))
  })

  for (const claim of ['iss', 'exp', 'jti', 'token_endpoint_auth_method', 'grant_types', 'software_statement', 'application_type', 'id_token_signed_response_alg', 'request_object_signing_alg']) {
    it(`rejects a request without ${claim}`, async () => {
      await expectFailure(requiredAttributes, context({ ...UK_REQUEST, [claim]: undefined }), { error: 'invalid_client_metadata', claim })
    })
  }

  for (const [what, value] of [['null', null], ['an empty string', ''], ['an empty array', []]] as const) {
    it(`rejects a required request claim that is ${what}`, async () => {
      await expectFailure(requiredAttributes, context({ ...UK_REQUEST, grant_types: value }), { error: 'invalid_client_metadata', claim: 'grant_types' })
    })
  }

  it('accepts falsy values that are still values (0, false)', async () => {
    const config = testConfig({ validators: { 'required-attributes': { request: ['default_max_age', 'require_auth_time'], ssa: [] } } })
    await expectPass(requiredAttributes, makeContext({ config, request: { default_max_age: 0, require_auth_time: false, grant_types: ['client_credentials'] } }))
  })

  it('lists every missing request claim in one message', async () => {
    const error = await expectFailure(requiredAttributes, context({ ...UK_REQUEST, aud: undefined, scope: undefined, grant_types: [], application_type: '' }), {
      error: 'invalid_client_metadata',
      claim: 'aud',
      mentions: ['aud, grant_types, application_type'],
    })
    assert.ok(!error.message.includes('scope'), 'scope is not required by default')
  })

  it('rejects a request that lacks the scope when the profile requires it', async () => {
    const config = testConfig({ validators: { 'required-attributes': { request: ['scope'] } } })
    await expectFailure(requiredAttributes, makeContext({ config, request: {}, ssa: UK_SSA }), { error: 'invalid_client_metadata', claim: 'scope' })
  })

  it('reports the request before the SSA', async () => {
    await expectFailure(requiredAttributes, context({ ...UK_REQUEST, jti: undefined }, { ...UK_SSA, org_id: undefined }), { error: 'invalid_client_metadata', claim: 'jti' })
  })

  for (const claim of ['software_id', 'org_id', 'software_redirect_uris', 'software_jwks_endpoint', 'software_roles', 'jti']) {
    it(`rejects an SSA without ${claim}`, async () => {
      await expectFailure(requiredAttributes, context(UK_REQUEST, { ...UK_SSA, [claim]: undefined }), { error: 'invalid_software_statement', claim })
    })
  }

  it('lists every missing SSA claim in one message', async () => {
    await expectFailure(requiredAttributes, context(UK_REQUEST, { ...UK_SSA, org_id: '', software_roles: [] }), {
      error: 'invalid_software_statement',
      claim: 'org_id',
      mentions: ['org_id, software_roles'],
    })
  })

  it('rejects a request without a software statement when the profile requires SSA claims', async () => {
    await expectFailure(requiredAttributes, makeContext({ request: UK_REQUEST }), { error: 'invalid_client_metadata', claim: 'software_statement', mentions: ['software_id'] })
  })

  it('passes without a software statement when the profile requires no SSA claims', async () => {
    const config = testConfig({ validators: { 'required-attributes': { request: ['redirect_uris'], ssa: [] } } })
    await expectPass(requiredAttributes, makeContext({ config, request: { redirect_uris: ['https://app.example/cb'] } }))
  })
})
