/**
 * Validator options the CDR profile turns on (au-cdr-dcr.md): scopes granted by the SSA's own `scope`
 * (CDR-DCR-16), the JARM / hybrid companion claims (CDR-DCR-13), PS256-only SSAs (CDR-DCR-8), and an SSA
 * that must carry exp (CDR-DCR-10), each with the CDR sample values.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Claims } from '../../src/lib/claims.ts'
import { freshness } from '../../src/validation/validators/freshness.ts'
import { grantAndResponseTypes } from '../../src/validation/validators/grant-and-response-types.ts'
import { rolesAndScopes } from '../../src/validation/validators/roles-and-scopes.ts'
import { ssaSignature } from '../../src/validation/validators/ssa-signature.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { directoriesOf, keySetOf, makeDirectory, makeSigner } from '../helpers/jws-fixtures.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const cdrConfig = testConfig({ profile: 'cdr', validators: { 'software-status': { registerBaseUrl: 'https://register.example' } } })
const SSA_SCOPE = 'openid profile bank:accounts.basic:read bank:transactions:read common:customer.basic:read cdr:registration'
const cdrSsa = { iss: 'cdr-register', software_id: 'C6327F87-687A-4369-99A4-EAACD3BB8210', software_roles: 'data-recipient-software-product', scope: SSA_SCOPE }

describe('CDR profile: roles-and-scopes with scopeSource ssa-scope (CDR-DCR-16)', () => {
  const asking = (scope: string, ssa: Claims = cdrSsa) => makeContext({ config: cdrConfig, request: { scope }, ssa })

  it('passes scopes the SSA scope grants', async () => {
    await expectPass(rolesAndScopes, asking('openid profile bank:accounts.basic:read cdr:registration'))
  })

  it('passes a request without scope: the SSA scope is registered', async () => {
    await expectPass(rolesAndScopes, makeContext({ config: cdrConfig, request: {}, ssa: cdrSsa }))
  })

  it('rejects a scope the SSA scope does not grant, whatever the roles say', async () => {
    await expectFailure(rolesAndScopes, asking('openid bank:payees:read'), { error: 'invalid_client_metadata', claim: 'scope', mentions: ['bank:payees:read', 'bank:transactions:read'] })
  })

  it('rejects scopes when the SSA has no scope claim', async () => {
    await expectFailure(rolesAndScopes, asking('bank:accounts.basic:read', { ...cdrSsa, scope: undefined }), { error: 'invalid_software_statement', claim: 'scope' })
  })

  it('rejects a non-string SSA scope', async () => {
    await expectFailure(rolesAndScopes, asking('bank:accounts.basic:read', { ...cdrSsa, scope: ['bank:accounts.basic:read'] }), { error: 'invalid_software_statement', claim: 'scope' })
  })

  it('rejects scopes without a software statement, naming the SSA scope claim', async () => {
    await expectFailure(rolesAndScopes, makeContext({ config: cdrConfig, request: { scope: 'bank:accounts.basic:read' } }), { error: 'invalid_client_metadata', claim: 'software_statement', mentions: ['scope'] })
  })
})

describe('CDR profile: JARM and hybrid claims (CDR-DCR-13)', () => {
  const TYPES = { grant_types: ['client_credentials', 'authorization_code', 'refresh_token'] }
  const ACF = { ...TYPES, response_types: ['code'], authorization_signed_response_alg: 'PS256', authorization_encrypted_response_alg: 'RSA-OAEP', authorization_encrypted_response_enc: 'A128CBC-HS256' }
  const HYBRID = { ...TYPES, response_types: ['code id_token'], id_token_encrypted_response_alg: 'RSA-OAEP', id_token_encrypted_response_enc: 'A256GCM' }
  const run = (request: Claims) => makeContext({ config: cdrConfig, request })

  it('passes the CDR sample ACF + JARM request and the hybrid variant', async () => {
    await expectPass(grantAndResponseTypes, run(ACF))
    await expectPass(grantAndResponseTypes, run(HYBRID))
    await expectPass(grantAndResponseTypes, run({ ...ACF, ...HYBRID, response_types: ['code', 'code id_token'] }))
  })

  it('rejects response type code without authorization_signed_response_alg (CDR negative fixture)', async () => {
    await expectFailure(grantAndResponseTypes, run({ ...ACF, authorization_signed_response_alg: undefined }), { error: 'invalid_client_metadata', claim: 'authorization_signed_response_alg', mentions: ['"code"'] })
  })

  it('rejects code id_token without id_token_encrypted_response_alg', async () => {
    await expectFailure(grantAndResponseTypes, run({ ...HYBRID, id_token_encrypted_response_alg: undefined }), { error: 'invalid_client_metadata', claim: 'id_token_encrypted_response_alg', mentions: ['code id_token'] })
  })

  it('rejects code id_token without id_token_encrypted_response_enc', async () => {
    await expectFailure(grantAndResponseTypes, run({ ...HYBRID, id_token_encrypted_response_enc: undefined }), { error: 'invalid_client_metadata', claim: 'id_token_encrypted_response_enc' })
  })

  it('rejects an unsupported id_token encryption algorithm or encoding', async () => {
    await expectFailure(grantAndResponseTypes, run({ ...HYBRID, id_token_encrypted_response_alg: 'RSA1_5' }), { error: 'invalid_client_metadata', claim: 'id_token_encrypted_response_alg', mentions: ['RSA1_5', 'RSA-OAEP-256'] })
    await expectFailure(grantAndResponseTypes, run({ ...HYBRID, id_token_encrypted_response_enc: 'A128GCM' }), { error: 'invalid_client_metadata', claim: 'id_token_encrypted_response_enc', mentions: ['A128GCM'] })
  })

  it('rejects authorization_encrypted_response_enc without its alg, and an unsupported JARM encryption', async () => {
    await expectFailure(grantAndResponseTypes, run({ ...ACF, authorization_encrypted_response_alg: undefined }), { error: 'invalid_client_metadata', claim: 'authorization_encrypted_response_alg', mentions: ['authorization_encrypted_response_enc'] })
    await expectFailure(grantAndResponseTypes, run({ ...ACF, authorization_encrypted_response_alg: 'dir' }), { error: 'invalid_client_metadata', claim: 'authorization_encrypted_response_alg', mentions: ['"dir"'] })
  })

  it('leaves the companion claims alone where the profile does not ask for them (UK)', async () => {
    await expectPass(grantAndResponseTypes, makeContext({ request: { ...TYPES, response_types: ['code'] } }))
  })
})

describe('CDR profile: PS256-only SSAs (CDR-DCR-8) and SSA exp (CDR-DCR-10)', async () => {
  const ps = await makeSigner('PS256', 'register-ps')
  const es = await makeSigner('ES256', 'register-es')
  // A directory configured loosely: the profile still narrows it to PS256.
  const register = makeDirectory('cdr-register', keySetOf(ps, es), { algorithms: ['PS256', 'ES256'] })
  const directories = directoriesOf(register)
  const claims = { ...cdrSsa, iat: 1767225000, exp: 1767225600, jti: 'j' }

  it('passes a PS256 Register SSA', async () => {
    await expectPass(ssaSignature, makeContext({ config: cdrConfig, ssa: claims, ssaCompact: await ps.sign(claims), directory: register, directories }))
  })

  it('rejects an ES256 SSA although the directory lists ES256', async () => {
    const error = await expectFailure(ssaSignature, makeContext({ config: cdrConfig, ssa: claims, ssaCompact: await es.sign(claims), directory: register, directories }), { error: 'invalid_software_statement', claim: 'software_statement', mentions: ['ES256'] })
    assert.match(error.message, /accepted: PS256\)/)
  })

  it('rejects an SSA without exp', async () => {
    const now = 1767225100
    await expectFailure(freshness, makeContext({ config: cdrConfig, now, ssa: { ...claims, exp: undefined } }), { error: 'invalid_software_statement', claim: 'exp' })
    await expectPass(freshness, makeContext({ config: cdrConfig, now, ssa: claims }))
  })
})
