/**
 * authorizationServerMetadata: the whole document for the UK defaults, and each field following the
 * configuration key that drives it (UK-DCR-30, RFC8705-8, RFC8705-9, BR-DCR-2). docs/discovery.md must name
 * every field the function can produce.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { authorizationServerMetadata } from '../../src/discovery/metadata.ts'
import { testConfig, TEST_ISSUER } from '../helpers/context.ts'

describe('authorizationServerMetadata', () => {
  it('describes the UK defaults completely', () => {
    assert.deepEqual(authorizationServerMetadata(testConfig()), {
      issuer: TEST_ISSUER,
      registration_endpoint: `${TEST_ISSUER}/register`,
      token_endpoint: `${TEST_ISSUER}/token`,
      jwks_uri: `${TEST_ISSUER}/jwks`,
      mtls_endpoint_aliases: { token_endpoint: `${TEST_ISSUER}/token`, registration_endpoint: `${TEST_ISSUER}/register` },
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'tls_client_auth'],
      token_endpoint_auth_signing_alg_values_supported: ['PS256', 'ES256'],
      id_token_signing_alg_values_supported: ['PS256', 'ES256'],
      request_object_signing_alg_values_supported: ['PS256', 'ES256'],
      userinfo_signing_alg_values_supported: ['PS256', 'ES256'],
      authorization_signing_alg_values_supported: ['PS256', 'ES256'],
      introspection_signing_alg_values_supported: ['PS256', 'ES256'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:openid:params:grant-type:ciba'],
      response_types_supported: ['code', 'code id_token'],
      scopes_supported: ['openid', 'accounts', 'payments', 'fundsconfirmations'],
      tls_client_certificate_bound_access_tokens: true,
    })
  })

  it('builds endpoint URLs without doubling the slash of an issuer that ends with one', () => {
    const document = authorizationServerMetadata(testConfig({ issuer: 'https://bank.example.com/dcr/' }))
    assert.equal(document.issuer, 'https://bank.example.com/dcr/', 'the issuer is advertised exactly as configured')
    assert.equal(document.registration_endpoint, 'https://bank.example.com/dcr/register')
    assert.equal(document.token_endpoint, 'https://bank.example.com/dcr/token')
    assert.equal(document.jwks_uri, 'https://bank.example.com/dcr/jwks')
  })

  it('advertises the token endpoint auth methods and signing algorithms of validators.token-endpoint-auth', () => {
    const document = authorizationServerMetadata(testConfig({ validators: { 'token-endpoint-auth': { methods: ['private_key_jwt'], signingAlgorithms: ['ES256'] } } }))
    assert.deepEqual(document.token_endpoint_auth_methods_supported, ['private_key_jwt'])
    assert.deepEqual(document.token_endpoint_auth_signing_alg_values_supported, ['ES256'])
  })

  it('advertises validators.algorithms.allowed only for the claims that validator checks', () => {
    const document = authorizationServerMetadata(testConfig({ validators: { algorithms: { allowed: ['ES256', 'EdDSA'], claims: ['id_token_signed_response_alg', 'authorization_signed_response_alg'] } } }))
    assert.deepEqual(document.id_token_signing_alg_values_supported, ['ES256', 'EdDSA'])
    assert.deepEqual(document.authorization_signing_alg_values_supported, ['ES256', 'EdDSA'])
    for (const unchecked of ['request_object_signing_alg_values_supported', 'userinfo_signing_alg_values_supported', 'introspection_signing_alg_values_supported']) {
      assert.equal(Object.hasOwn(document, unchecked), false, `${unchecked} is not invented for an unchecked claim`)
    }
  })

  it('never advertises backchannel_authentication_request_signing_alg_values_supported from algorithms.allowed', () => {
    const document = authorizationServerMetadata(testConfig({ validators: { algorithms: { allowed: ['EdDSA'] } } }))
    assert.equal(Object.hasOwn(document, 'backchannel_authentication_request_signing_alg_values_supported'), false)
  })

  it('advertises the grant and response types of validators.grant-and-response-types', () => {
    const document = authorizationServerMetadata(testConfig({ validators: { 'grant-and-response-types': { grantTypes: ['client_credentials'], responseTypes: ['code'] } } }))
    assert.deepEqual(document.grant_types_supported, ['client_credentials'])
    assert.deepEqual(document.response_types_supported, ['code'])
  })

  it('lists each scope once: always-allowed, then each role in order, then the management scope', () => {
    const config = testConfig({
      validators: { 'roles-and-scopes': { alwaysAllowed: ['openid', 'profile'], roleScopes: { DADOS: ['openid', 'accounts', 'consents'], PAGTO: ['openid', 'payments', 'consents'] } } },
      management: { tokenKind: 'client-credentials', requiredScope: 'cdr:registration' },
    })
    assert.deepEqual(authorizationServerMetadata(config).scopes_supported, ['openid', 'profile', 'accounts', 'consents', 'payments', 'cdr:registration'])
  })

  it('leaves out management.requiredScope when management uses registration access tokens, which carry no scope', () => {
    const config = testConfig({ management: { tokenKind: 'registration-access-token', requiredScope: 'cdr:registration' } })
    assert.deepEqual(authorizationServerMetadata(config).scopes_supported, ['openid', 'accounts', 'payments', 'fundsconfirmations'])
  })

  it('advertises tls_client_certificate_bound_access_tokens from tokens.certificateBound', () => {
    assert.equal(authorizationServerMetadata(testConfig({ tokens: { certificateBound: false } })).tls_client_certificate_bound_access_tokens, false)
  })

  it('returns copies: changing the document does not change the configuration', () => {
    const config = testConfig()
    const document = authorizationServerMetadata(config)
    ;(document.token_endpoint_auth_methods_supported as string[]).push('none')
    ;(document.grant_types_supported as string[]).push('implicit')
    ;(document.id_token_signing_alg_values_supported as string[]).push('RS256')
    assert.deepEqual(config.validators['token-endpoint-auth'].methods, ['private_key_jwt', 'tls_client_auth'])
    assert.equal(config.validators['grant-and-response-types'].grantTypes.includes('implicit'), false)
    assert.deepEqual(config.validators.algorithms.allowed, ['PS256', 'ES256'])
  })

  it('is documented: docs/discovery.md names every field the document can carry', () => {
    const doc = readFileSync(new URL('../../docs/discovery.md', import.meta.url), 'utf8')
    const document = authorizationServerMetadata(testConfig())
    for (const field of [...Object.keys(document), ...Object.keys(document.mtls_endpoint_aliases as object)]) {
      assert.ok(doc.includes(`\`${field}\``), `docs/discovery.md does not name ${field}`)
    }
  })
})
