/**
 * What each profile registers (registration/metadata.ts): Brazil takes metadata from software_* claims with
 * the SSA winning (BR-DCR-22/23) and scopes from Active roles only (BR-DCR-21); the CDR registers the SSA's
 * scope without the scopes the bank does not support (CDR-DCR-16); metadata an extension service asks for is
 * registered if it is known client metadata; the UK result is unchanged.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { registeredMetadata } from '../../src/registration/metadata.ts'
import { testConfig } from '../helpers/context.ts'

const brazil = testConfig({ profile: 'brazil' })
const cdr = testConfig({ profile: 'cdr', validators: { 'software-status': { registerBaseUrl: 'https://register.example' } } })

const brazilSsa = {
  iss: 'Open Finance Open Finance Brasil sandbox SSA issuer',
  software_id: 'soft',
  software_client_name: 'Tucano Financas',
  software_jwks_uri: 'https://keystore.example.br/soft/application.jwks',
  software_logo_uri: 'https://app.example.br/logo.png',
  software_redirect_uris: ['https://app.example.br/cb', 'https://app.example.br/cb2'],
  software_statement_roles: [
    { role: 'DADOS', authorisation_domain: 'Open Banking', status: 'Active' },
    { role: 'PAGTO', authorisation_domain: 'Open Banking', status: 'Inactive' },
  ],
}

describe('registered metadata per profile', () => {
  it('Brazil: software_* claims become metadata and win over the request (BR-DCR-22, BR-DCR-23)', () => {
    const metadata = registeredMetadata(brazil, { client_name: 'Something Else', redirect_uris: ['https://app.example.br/cb'], token_endpoint_auth_method: 'private_key_jwt' }, brazilSsa)
    assert.equal(metadata.client_name, 'Tucano Financas')
    assert.equal(metadata.jwks_uri, brazilSsa.software_jwks_uri)
    assert.equal(metadata.logo_uri, brazilSsa.software_logo_uri)
    assert.deepEqual(metadata.redirect_uris, ['https://app.example.br/cb'], 'the request may narrow the redirect URIs')
    assert.equal(metadata.id_token_signed_response_alg, 'PS256', 'strongest crypto default')
    assert.equal(metadata.tls_client_certificate_bound_access_tokens, true)
  })

  it('Brazil: without scope, the scopes of the Active roles only (BR-DCR-21)', () => {
    const metadata = registeredMetadata(brazil, {}, brazilSsa)
    const scopes = String(metadata.scope).split(' ')
    assert.ok(scopes.includes('accounts') && scopes.includes('consents'))
    assert.ok(!scopes.includes('payments'), 'PAGTO is Inactive')
  })

  it('CDR: the SSA scope, without the scopes the bank does not support (CDR-DCR-16)', () => {
    const ssa = { iss: 'cdr-register', software_id: 'p', scope: 'openid profile bank:accounts.basic:read energy:accounts.basic:read cdr:registration', software_roles: 'data-recipient-software-product' }
    const metadata = registeredMetadata(cdr, { token_endpoint_auth_method: 'private_key_jwt' }, ssa)
    assert.equal(metadata.scope, 'openid profile bank:accounts.basic:read cdr:registration')
    assert.equal(metadata.software_roles, 'data-recipient-software-product', 'SSA claims are returned top-level (CDR-DCR-20)')
    assert.equal(metadata.application_type, 'web')
  })

  it('takes known metadata from an extension service, never server-controlled members', () => {
    const metadata = registeredMetadata(testConfig(), { client_name: 'A' }, undefined, { default_max_age: 300, client_id: 'chosen', registration_access_token: 'x', made_up_member: 1 })
    assert.equal(metadata.default_max_age, 300)
    assert.equal(metadata.client_id, undefined)
    assert.equal(metadata.registration_access_token, undefined)
    assert.equal(metadata.made_up_member, undefined)
  })

  it('UK: unchanged, scopes from the roles and no scope filter', () => {
    const metadata = registeredMetadata(testConfig(), { token_endpoint_auth_method: 'private_key_jwt' }, { software_roles: ['AISP', 'PISP'], software_redirect_uris: ['https://a.example/cb'] })
    assert.equal(metadata.scope, 'openid accounts payments')
    assert.deepEqual(metadata.response_types, ['code id_token'])
    assert.deepEqual(metadata.redirect_uris, ['https://a.example/cb'])
  })
})

describe('metadata policy defaults and overrides', () => {
  it('registers fresh copies: changing one registration changes neither the policy nor the next registration', () => {
    const config = testConfig({ metadataPolicy: { defaults: { response_types: ['code id_token'], default_acr_values: [{ nested: ['a'] }] }, overrides: { contacts: ['ops@bank.example'] } } })
    const first = registeredMetadata(config, {}, undefined)
    ;(first.response_types as string[]).push('code')
    ;((first.default_acr_values as Array<{ nested: string[] }>)[0]!.nested).push('b')
    ;(first.contacts as string[]).push('someone@else.example')
    const second = registeredMetadata(config, {}, undefined)
    assert.deepEqual(second.response_types, ['code id_token'])
    assert.deepEqual(second.default_acr_values, [{ nested: ['a'] }])
    assert.deepEqual(second.contacts, ['ops@bank.example'])
    assert.deepEqual(config.metadataPolicy.defaults, { response_types: ['code id_token'], default_acr_values: [{ nested: ['a'] }] })
    assert.equal(Object.getPrototypeOf(second), Object.prototype)
  })
})
