/** Profile presets: each resolves to a valid configuration with its regime's values, and any key it sets can be overridden one by one. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError } from '../../src/config/fields.ts'
import { loadConfig, securityWarnings } from '../../src/config/load.ts'
import { profilePresets } from '../../src/config/profiles/index.ts'

const base = {
  issuer: 'https://bank.example.com',
  directories: [{ issuer: 'OpenBanking Ltd', jwksUrl: 'https://keystore.openbankingtest.org.uk/keystore/openbanking.jwks' }],
  server: { mode: 'proxy', proxy: { trustedAddresses: ['10.0.0.1'] } },
}
const cdrBase = { ...base, profile: 'cdr', validators: { 'software-status': { registerBaseUrl: 'https://api.cdr.gov.au' } } }
const load = (values: Record<string, unknown>) => loadConfig({ values })

describe('profile presets', () => {
  it('offers exactly obuk, cdr, brazil and rfc7591', () => {
    assert.deepEqual(Object.keys(profilePresets).sort(), ['brazil', 'cdr', 'obuk', 'rfc7591'])
  })

  it('obuk keeps the UK defaults: JWS media types, several registrations per software, client-credentials management', () => {
    const config = load(base)
    assert.deepEqual(config.registration.mediaTypes, ['application/jose', 'application/jwt', 'application/json'])
    assert.equal(config.registration.allowUnsignedJson, false)
    assert.equal(config.registration.unsupportedMediaTypeStatus, 400)
    assert.equal(config.registration.allowMultiplePerSoftwareId, true)
    assert.equal(config.ssa.redirectUrisClaim, 'software_redirect_uris')
    assert.equal(config.ssa.jwksUriClaim, 'software_jwks_endpoint')
    assert.equal(config.ssa.revokedJwksUriClaim, 'software_jwks_revoked_endpoint', 'UK-DCR-37')
    assert.equal(config.validators['software-status'].enabled, false)
    assert.equal(config.validators['roles-and-scopes'].scopeSource, 'roles')
    assert.equal(config.management.tokenKind, 'client-credentials')
    assert.equal(config.management.requiredScope, '')
  })

  it('cdr: application/jwt only, CDR SSA claim names, PS256 SSAs, private_key_jwt, scopes from the SSA, cdr:registration management', () => {
    const config = load(cdrBase)
    assert.equal(config.profile, 'cdr')
    assert.deepEqual(config.registration.mediaTypes, ['application/jwt'])
    assert.equal(config.registration.allowUnsignedJson, false)
    assert.equal(config.registration.allowMultiplePerSoftwareId, false)
    assert.deepEqual(config.ssa, { softwareIdClaim: 'software_id', orgIdClaim: 'org_id', redirectUrisClaim: 'redirect_uris', jwksUriClaim: 'jwks_uri', revokedJwksUriClaim: '', rolesClaim: 'software_roles', scopeClaim: 'scope', uriClaims: ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] })
    assert.deepEqual(config.validators['ssa-signature'].algorithms, ['PS256'])
    assert.deepEqual(config.validators['transport-certificate'].subjectRules, ['cdr'])
    assert.equal(config.validators['software-status'].enabled, true)
    assert.equal(config.validators.freshness.requireSsaExp, true)
    assert.deepEqual(config.validators['token-endpoint-auth'].methods, ['private_key_jwt'])
    assert.deepEqual(config.validators['application-type'].allowed, ['web'])
    assert.equal(config.validators['grant-and-response-types'].jarmAndHybridClaims, true)
    assert.equal(config.validators['roles-and-scopes'].scopeSource, 'ssa-scope')
    for (const claim of ['token_endpoint_auth_signing_alg', 'id_token_signed_response_alg', 'response_types']) assert.ok(config.validators['required-attributes'].request.includes(claim), claim)
    assert.ok(config.validators['required-attributes'].ssa.includes('legal_entity_id'))
    assert.equal(config.metadataPolicy.scopeFromRoles, false)
    assert.ok(config.metadataPolicy.supportedScopes.includes('cdr:registration'))
    assert.equal(config.errors.duplicateError, 'invalid_software_statement')
    assert.match(String(config.errors.descriptions['duplicate-registration']), /^ERR-DCR-001: /)
    assert.equal(config.management.tokenKind, 'client-credentials')
    assert.equal(config.management.requiredScope, 'cdr:registration')
  })

  it('brazil: plain JSON, directory claim names, SSA at most 5 minutes old, PS256, Brazil DN syntax, registration access tokens that never rotate', () => {
    const config = load({ ...base, profile: 'brazil' })
    assert.deepEqual(config.registration.mediaTypes, ['application/json'])
    assert.equal(config.registration.allowUnsignedJson, true)
    assert.equal(config.registration.allowMultiplePerSoftwareId, false)
    assert.equal(config.ssa.jwksUriClaim, 'software_jwks_uri')
    assert.equal(config.ssa.revokedJwksUriClaim, 'software_jwks_inactive_uri')
    assert.equal(config.ssa.rolesClaim, 'software_statement_roles')
    assert.equal(config.validators.freshness.maxSsaAgeSeconds, 300)
    assert.equal(config.validators['request-signature'].enabled, false)
    assert.equal(config.validators['jti-replay'].requireSsaJti, false)
    assert.deepEqual(config.validators['token-endpoint-auth'].methods, ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'])
    assert.deepEqual(config.validators['token-endpoint-auth'].signingAlgorithms, ['PS256'])
    assert.equal(config.validators['token-endpoint-auth'].subjectDnSyntax, 'brazil')
    assert.equal(config.validators['token-endpoint-auth'].allowJwksByValue, false)
    assert.equal(config.validators['token-endpoint-auth'].jwksUriMatchesSsa, true)
    assert.deepEqual(config.validators.algorithms.allowed, ['PS256'])
    assert.deepEqual(config.validators['roles-and-scopes'].roleScopes.PAGTO, ['openid', 'payments'])
    assert.equal(config.metadataPolicy.fromSsa.jwks_uri, 'software_jwks_uri')
    assert.equal(config.management.tokenKind, 'registration-access-token')
    assert.equal(config.management.rotation, 'on-use', 'RFC 7592 §3: a registration_access_token in every 200')
    assert.equal(config.management.rotationGraceSeconds, 0, 'BR-DCR-28: single use')
  })

  it('rfc7591: plain JSON, optional software statement, no signed-request checks, registration access tokens', () => {
    const config = load({ ...base, profile: 'rfc7591' })
    assert.deepEqual(config.registration.mediaTypes, ['application/json'])
    assert.equal(config.registration.allowUnsignedJson, true)
    assert.equal(config.registration.requireSoftwareStatement, false)
    assert.equal(config.registration.unsupportedMediaTypeStatus, 415)
    assert.equal(config.ssa.revokedJwksUriClaim, '')
    for (const id of ['request-signature', 'audience', 'request-issuer', 'transport-certificate'] as const) assert.equal(config.validators[id].enabled, false, id)
    assert.equal(config.validators['ssa-signature'].enabled, true, 'a statement that is sent is still verified')
    assert.deepEqual(config.validators['required-attributes'].ssa, [])
    assert.deepEqual(config.metadataPolicy.defaults, { grant_types: ['authorization_code'], response_types: ['code'], application_type: 'web' })
    assert.equal(config.management.tokenKind, 'registration-access-token')
  })

  it('lets a file override one key of a preset and keeps the preset\'s others', () => {
    const config = load({ ...cdrBase, registration: { allowMultiplePerSoftwareId: true }, validators: { 'software-status': { registerBaseUrl: 'https://register.example', cacheTtlSeconds: 120 }, 'token-endpoint-auth': { methods: ['private_key_jwt', 'tls_client_auth'] } } })
    assert.equal(config.registration.allowMultiplePerSoftwareId, true)
    assert.deepEqual(config.registration.mediaTypes, ['application/jwt'], 'other registration keys keep the preset')
    assert.deepEqual(config.validators['token-endpoint-auth'].methods, ['private_key_jwt', 'tls_client_auth'])
    assert.deepEqual(config.validators['token-endpoint-auth'].signingAlgorithms, ['PS256', 'ES256'])
    assert.equal(config.validators['software-status'].cacheTtlSeconds, 120)
    assert.equal(config.validators['software-status'].enabled, true)
  })

  it('merges an object-valued preset key member by member (error descriptions)', () => {
    const config = load({ ...cdrBase, errors: { descriptions: { 'redirect-uri-subset': 'custom: {detail}' } } })
    assert.equal(config.errors.descriptions['redirect-uri-subset'], 'custom: {detail}')
    assert.match(String(config.errors.descriptions['duplicate-registration']), /ERR-DCR-001/)
  })

  it('lets the environment switch the profile and override a preset value', () => {
    const config = loadConfig({ values: base, env: { OPEN_DCR_PROFILE: 'brazil', OPEN_DCR_VALIDATORS__FRESHNESS__MAX_SSA_AGE_SECONDS: '240' } })
    assert.equal(config.profile, 'brazil')
    assert.equal(config.validators.freshness.maxSsaAgeSeconds, 240)
  })

  it('refuses the cdr profile without the Register base URL, naming the key', () => {
    assert.throws(() => load({ ...base, profile: 'cdr' }), (error: unknown) => error instanceof ConfigError && error.key === 'validators.software-status.registerBaseUrl')
  })

  it('refuses a non-string fromSsa mapping and a non-string error template, naming the key', () => {
    assert.throws(() => load({ ...base, metadataPolicy: { fromSsa: { client_name: 3 } } }), (error: unknown) => error instanceof ConfigError && error.key === 'metadataPolicy.fromSsa.client_name')
    assert.throws(() => load({ ...base, errors: { descriptions: { 'redirect-uri-subset': false } } }), (error: unknown) => error instanceof ConfigError && error.key === 'errors.descriptions.redirect-uri-subset')
  })

  it('does not warn about checks a profile leaves off, but does about ones the operator turns off', () => {
    assert.deepEqual(securityWarnings(load({ ...base, profile: 'brazil' })), [])
    assert.deepEqual(securityWarnings(load({ ...base, profile: 'rfc7591' })), [])
    assert.deepEqual(securityWarnings(load(cdrBase)), [])
    const warnings = securityWarnings(load({ ...cdrBase, validators: { 'software-status': { enabled: false } } }))
    assert.ok(warnings.some((warning) => warning.startsWith('validator software-status is off')), warnings.join('; '))
  })

  it('warns when the extension service fails open', () => {
    const warnings = securityWarnings(load({ ...base, customValidators: { http: { url: 'https://ext.example/decide', failOpen: true } } }))
    assert.ok(warnings.some((warning) => warning.startsWith('customValidators.http.failOpen is on')), warnings.join('; '))
  })
})

describe('management presets (issue 12, items 6-8)', () => {
  it('turns signed recovery off in every preset', () => {
    for (const profile of ['obuk', 'cdr', 'brazil', 'rfc7591']) {
      assert.equal(load(profile === 'cdr' ? cdrBase : { ...base, profile }).management.allowSignedRecovery, false, profile)
    }
  })

  it('rotates registration access tokens on every GET and PUT without grace where they are used (brazil, rfc7591), and answers CDR unknown clients with invalid_request', () => {
    for (const profile of ['brazil', 'rfc7591']) {
      const { management } = load({ ...base, profile })
      assert.deepEqual([management.tokenKind, management.rotation, management.rotationGraceSeconds], ['registration-access-token', 'on-use', 0], profile)
    }
    assert.equal(load(cdrBase).management.unknownClientError, 'invalid_request')
    assert.equal(load({ ...base, profile: 'obuk' }).management.unknownClientError, 'invalid_token')
  })
})
