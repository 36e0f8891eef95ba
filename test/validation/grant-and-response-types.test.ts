import { describe, it } from 'node:test'
import { grantAndResponseTypes } from '../../src/validation/validators/grant-and-response-types.ts'
import type { Claims } from '../../src/lib/claims.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const UK_TYPES = { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], response_types: ['code id_token'] }
const CIBA = 'urn:openid:params:grant-type:ciba'
const CIBA_POLL = { grant_types: ['client_credentials', CIBA], backchannel_token_delivery_mode: 'poll', backchannel_authentication_request_signing_alg: 'PS256' }
const CIBA_PING = { ...CIBA_POLL, backchannel_token_delivery_mode: 'ping', backchannel_client_notification_endpoint: 'https://tpp.example/ciba/notify' }
/** A profile that also accepts the implicit flow, to exercise the RFC7591-9 consistency rules. */
const implicitConfig = testConfig({
  validators: { 'grant-and-response-types': { grantTypes: ['authorization_code', 'implicit', 'refresh_token'], responseTypes: ['code', 'code id_token', 'token', 'id_token', 'id_token token'] } },
})
const run = (request: Claims, config = testConfig()) => makeContext({ config, request })

describe('grant-and-response-types', () => {
  describe('allowed values', () => {
    it('passes the UK sample (hybrid code id_token with authorization_code only)', async () => {
      await expectPass(grantAndResponseTypes, run(UK_TYPES))
    })

    it('passes code, a reordered "id_token code", and absent response_types', async () => {
      await expectPass(grantAndResponseTypes, run({ ...UK_TYPES, response_types: ['code'] }))
      await expectPass(grantAndResponseTypes, run({ ...UK_TYPES, response_types: ['id_token code'] }))
      await expectPass(grantAndResponseTypes, run({ grant_types: ['client_credentials'] }))
    })

    it('treats absent grant_types as the RFC 7591 default authorization_code', async () => {
      await expectPass(grantAndResponseTypes, run({ response_types: ['code'] }))
      const config = testConfig({ validators: { 'grant-and-response-types': { grantTypes: ['client_credentials'] } } })
      await expectFailure(grantAndResponseTypes, run({}, config), { error: 'invalid_client_metadata', claim: 'grant_types', mentions: ['authorization_code'] })
    })

    for (const grant of ['implicit', 'password', 'urn:ietf:params:oauth:grant-type:device_code']) {
      it(`rejects the grant ${grant}, not in the default set`, async () => {
        await expectFailure(grantAndResponseTypes, run({ ...UK_TYPES, grant_types: ['authorization_code', grant] }), { error: 'invalid_client_metadata', claim: 'grant_types', mentions: [`"${grant}"`] })
      })
    }

    for (const responseType of ['token', 'id_token', 'code token', 'code id_token token', 'none']) {
      it(`rejects the response type "${responseType}", not in the default set`, async () => {
        await expectFailure(grantAndResponseTypes, run({ ...UK_TYPES, response_types: [responseType] }), { error: 'invalid_client_metadata', claim: 'response_types', mentions: [`"${responseType}"`] })
      })
    }

    it('rejects empty grant_types', async () => {
      await expectFailure(grantAndResponseTypes, run({ grant_types: [] }), { error: 'invalid_client_metadata', claim: 'grant_types', mentions: ['empty'] })
    })

    it('rejects grant_types and response_types that are not arrays of strings', async () => {
      await expectFailure(grantAndResponseTypes, run({ grant_types: 'authorization_code' }), { error: 'invalid_client_metadata', claim: 'grant_types' })
      await expectFailure(grantAndResponseTypes, run({ ...UK_TYPES, response_types: 'code' }), { error: 'invalid_client_metadata', claim: 'response_types' })
    })
  })

  describe('consistency (RFC7591-9)', () => {
    it('rejects response type code without the grant authorization_code', async () => {
      await expectFailure(grantAndResponseTypes, run({ grant_types: ['client_credentials'], response_types: ['code id_token'] }), {
        error: 'invalid_client_metadata',
        claim: 'grant_types',
        mentions: ['"code id_token"', 'authorization_code'],
      })
    })

    it('rejects response_types ["code"] with grant_types ["implicit"] (RFC 7591 negative fixture)', async () => {
      await expectFailure(grantAndResponseTypes, run({ grant_types: ['implicit'], response_types: ['code'] }, implicitConfig), { error: 'invalid_client_metadata', claim: 'grant_types', mentions: ['authorization_code'] })
    })

    it('rejects the grant authorization_code with only non-code response types', async () => {
      await expectFailure(grantAndResponseTypes, run({ grant_types: ['authorization_code', 'implicit'], response_types: ['token'] }, implicitConfig), { error: 'invalid_client_metadata', claim: 'response_types', mentions: ['code'] })
    })

    it('rejects the grant authorization_code with an empty response_types', async () => {
      await expectFailure(grantAndResponseTypes, run({ grant_types: ['authorization_code'], response_types: [] }), { error: 'invalid_client_metadata', claim: 'response_types' })
    })

    it('rejects response type token without the grant implicit', async () => {
      await expectFailure(grantAndResponseTypes, run({ grant_types: ['authorization_code'], response_types: ['code', 'token'] }, implicitConfig), { error: 'invalid_client_metadata', claim: 'grant_types', mentions: ['"token"', 'implicit'] })
    })

    it('rejects the grant implicit without an implicit response type', async () => {
      await expectFailure(grantAndResponseTypes, run({ grant_types: ['authorization_code', 'implicit'], response_types: ['code'] }, implicitConfig), { error: 'invalid_client_metadata', claim: 'response_types', mentions: ['implicit'] })
    })

    it('passes consistent implicit and code registrations where the profile allows them', async () => {
      await expectPass(grantAndResponseTypes, run({ grant_types: ['implicit'], response_types: ['id_token token'] }, implicitConfig))
      await expectPass(grantAndResponseTypes, run({ grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'token'] }, implicitConfig))
    })
  })

  describe('CIBA (UK-DCR-29)', () => {
    it('passes poll mode and ping mode with an https notification endpoint', async () => {
      await expectPass(grantAndResponseTypes, run(CIBA_POLL))
      await expectPass(grantAndResponseTypes, run({ ...CIBA_PING, backchannel_user_code_parameter_supported: false }))
      await expectPass(grantAndResponseTypes, run({ ...CIBA_POLL, backchannel_authentication_request_signing_alg: 'ES256' }))
    })

    it('rejects a CIBA grant without a delivery mode', async () => {
      await expectFailure(grantAndResponseTypes, run({ ...CIBA_POLL, backchannel_token_delivery_mode: undefined }), { error: 'invalid_client_metadata', claim: 'backchannel_token_delivery_mode', mentions: ['poll or ping'] })
    })

    it('rejects push mode', async () => {
      await expectFailure(grantAndResponseTypes, run({ ...CIBA_PING, backchannel_token_delivery_mode: 'push' }), { error: 'invalid_client_metadata', claim: 'backchannel_token_delivery_mode', mentions: ['"push"'] })
    })

    it('rejects ping mode without a notification endpoint', async () => {
      await expectFailure(grantAndResponseTypes, run({ ...CIBA_PING, backchannel_client_notification_endpoint: undefined }), { error: 'invalid_client_metadata', claim: 'backchannel_client_notification_endpoint' })
    })

    for (const [what, endpoint] of [
      ['an http notification endpoint', 'http://tpp.example/notify'],
      ['a loopback notification endpoint', 'https://127.0.0.1/notify'],
      ['a relative notification endpoint', '/notify'],
      ['a notification endpoint longer than 256 characters', `https://tpp.example/${'n'.repeat(240)}`],
    ]) {
      it(`rejects ${what}`, async () => {
        await expectFailure(grantAndResponseTypes, run({ ...CIBA_PING, backchannel_client_notification_endpoint: endpoint }), { error: 'invalid_client_metadata', claim: 'backchannel_client_notification_endpoint' })
      })
    }

    for (const alg of [undefined, 'RS256', 'HS256', 'none']) {
      it(`rejects backchannel_authentication_request_signing_alg ${alg ?? '(absent)'}`, async () => {
        await expectFailure(grantAndResponseTypes, run({ ...CIBA_POLL, backchannel_authentication_request_signing_alg: alg }), { error: 'invalid_client_metadata', claim: 'backchannel_authentication_request_signing_alg', mentions: ['PS256 or ES256'] })
      })
    }

    for (const value of [true, 'false', 0]) {
      it(`rejects backchannel_user_code_parameter_supported ${JSON.stringify(value)}`, async () => {
        await expectFailure(grantAndResponseTypes, run({ ...CIBA_POLL, backchannel_user_code_parameter_supported: value }), { error: 'invalid_client_metadata', claim: 'backchannel_user_code_parameter_supported', mentions: ['false'] })
      })
    }

    it('rejects CIBA claims without the CIBA grant', async () => {
      await expectFailure(grantAndResponseTypes, run({ ...UK_TYPES, backchannel_token_delivery_mode: 'poll' }), { error: 'invalid_client_metadata', claim: 'backchannel_token_delivery_mode', mentions: [CIBA] })
      await expectFailure(grantAndResponseTypes, run({ ...UK_TYPES, backchannel_user_code_parameter_supported: false }), { error: 'invalid_client_metadata', claim: 'backchannel_user_code_parameter_supported' })
    })

    it('rejects the CIBA grant where the profile does not accept it', async () => {
      const config = testConfig({ validators: { 'grant-and-response-types': { grantTypes: ['authorization_code', 'client_credentials'] } } })
      await expectFailure(grantAndResponseTypes, run(CIBA_POLL, config), { error: 'invalid_client_metadata', claim: 'grant_types', mentions: [CIBA] })
    })
  })
})
