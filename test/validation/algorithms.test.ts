import { describe, it } from 'node:test'
import { algorithms } from '../../src/validation/validators/algorithms.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const UK_ALGS = { id_token_signed_response_alg: 'PS256', request_object_signing_alg: 'PS256' }

describe('algorithms', () => {
  it('passes the UK sample request (PS256)', async () => {
    await expectPass(algorithms, makeContext({ request: UK_ALGS }))
  })

  it('passes ES256 and absent claims', async () => {
    await expectPass(algorithms, makeContext({ request: { id_token_signed_response_alg: 'ES256' } }))
    await expectPass(algorithms, makeContext({ request: {} }))
  })

  it('rejects id_token_signed_response_alg RS256 (UK-DCR-44)', async () => {
    await expectFailure(algorithms, makeContext({ request: { ...UK_ALGS, id_token_signed_response_alg: 'RS256' } }), {
      error: 'invalid_client_metadata',
      claim: 'id_token_signed_response_alg',
      mentions: ['"RS256"', 'PS256, ES256'],
    })
  })

  for (const claim of ['request_object_signing_alg', 'userinfo_signed_response_alg', 'authorization_signed_response_alg', 'introspection_signed_response_alg', 'backchannel_authentication_request_signing_alg']) {
    it(`rejects RS256 in ${claim}`, async () => {
      await expectFailure(algorithms, makeContext({ request: { ...UK_ALGS, [claim]: 'RS256' } }), { error: 'invalid_client_metadata', claim })
    })
  }

  for (const alg of ['none', 'None', 'HS256', 'HS384', 'HS512']) {
    it(`rejects ${alg} (SEC-1, SEC-2)`, async () => {
      await expectFailure(algorithms, makeContext({ request: { ...UK_ALGS, request_object_signing_alg: alg } }), { error: 'invalid_client_metadata', claim: 'request_object_signing_alg', mentions: ['never accepted'] })
    })
  }

  it('compares algorithm names case-sensitively', async () => {
    await expectFailure(algorithms, makeContext({ request: { id_token_signed_response_alg: 'ps256' } }), { error: 'invalid_client_metadata', claim: 'id_token_signed_response_alg' })
  })

  it('rejects an algorithm claim that is not a string', async () => {
    await expectFailure(algorithms, makeContext({ request: { id_token_signed_response_alg: ['PS256'] } }), { error: 'invalid_client_metadata', claim: 'id_token_signed_response_alg' })
    await expectFailure(algorithms, makeContext({ request: { id_token_signed_response_alg: null } }), { error: 'invalid_client_metadata', claim: 'id_token_signed_response_alg' })
  })

  it('follows the configured allowed set and claims', async () => {
    const config = testConfig({ validators: { algorithms: { allowed: ['PS256', 'ES256', 'EdDSA'], claims: ['id_token_signed_response_alg'] } } })
    await expectPass(algorithms, makeContext({ config, request: { id_token_signed_response_alg: 'EdDSA', request_object_signing_alg: 'RS256' } }))
  })

  it('rejects an algorithm outside the configured set even if open-dcr supports it', async () => {
    await expectFailure(algorithms, makeContext({ request: { id_token_signed_response_alg: 'EdDSA' } }), { error: 'invalid_client_metadata', claim: 'id_token_signed_response_alg', mentions: ['not an accepted algorithm'] })
  })
})
