import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { X509Certificate } from 'node:crypto'
import { tokenEndpointAuth } from '../../src/validation/validators/token-endpoint-auth.ts'
import { createCertificateAuthority, type IssuedCertificate } from '../../src/sandbox/ca.ts'
import type { ClientCertificate } from '../../src/trust/types.ts'
import type { Claims } from '../../src/lib/claims.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { certificateWithSans } from '../helpers/certificate-with-sans.ts'
import { ConfigError } from '../../src/config/fields.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const UK_SUBJECT = 'CN=7Hq2LmN9pXvR4tYb8Kc1Zs,OU=0015800001ZEc3hAAD,O=OpenBanking,C=GB'
const PRIVATE_KEY_JWT = { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256' }
const TLS_CLIENT_AUTH = { token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: UK_SUBJECT }

const presented = (issued: { certificate: X509Certificate }): ClientCertificate => ({ certificate: issued.certificate, intermediates: [], thumbprint: 'x', source: 'tls' })


describe('token-endpoint-auth', () => {
  let ukClient: IssuedCertificate
  let otherClient: IssuedCertificate
  let serverWithSans: IssuedCertificate
  let uriAndEmail: X509Certificate

  before(async () => {
    const ca = await createCertificateAuthority('open-dcr test CA')
    ukClient = await ca.issueClient({ subject: UK_SUBJECT })
    otherClient = await ca.issueClient({ subject: 'CN=9ZzOtherSoftware00000,OU=0015800001ZEc3hAAD,O=OpenBanking,C=GB' })
    serverWithSans = await ca.issueServer({ commonName: 'tpp.example', dnsNames: ['tpp.example', 'Mixed.Case.Example'], ipAddresses: ['203.0.113.7', '2001:db8::7'] })
    uriAndEmail = await certificateWithSans([
      { type: 'url', value: 'https://tpp.example/clients/1' },
      { type: 'url', value: 'https://tpp.example/a,b' },
      { type: 'email', value: 'ops@tpp.example' },
    ])
  })

  const run = (request: Claims, certificate?: ClientCertificate, config = testConfig()) => makeContext({ config, request, ...(certificate ? { certificate } : {}) })

  describe('method', () => {
    it('passes private_key_jwt with PS256 (UK sample request)', async () => {
      await expectPass(tokenEndpointAuth, run(PRIVATE_KEY_JWT))
      await expectPass(tokenEndpointAuth, run({ ...PRIVATE_KEY_JWT, token_endpoint_auth_signing_alg: 'ES256' }))
    })

    it('rejects a request without token_endpoint_auth_method', async () => {
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_signing_alg: 'PS256' }), { error: 'invalid_client_metadata', claim: 'token_endpoint_auth_method', mentions: ['required'] })
    })

    for (const method of ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'none', 'self_signed_tls_client_auth', 'bogus']) {
      it(`rejects the method ${method}, not in the FAPI default set`, async () => {
        await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: method, token_endpoint_auth_signing_alg: 'PS256' }), {
          error: 'invalid_client_metadata',
          claim: 'token_endpoint_auth_method',
          mentions: [`"${method}"`, 'private_key_jwt, tls_client_auth'],
        })
      })
    }

    it('shortens a huge refused method in the description (UK-DCR-43: at most 500 characters)', async () => {
      const error = await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'x'.repeat(60_000) }), { error: 'invalid_client_metadata', claim: 'token_endpoint_auth_method' })
      assert.ok(error.message.length <= 500, `${error.message.length} characters`)
    })

    it('rejects a token_endpoint_auth_method that is not a string', async () => {
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: ['private_key_jwt'] }), { error: 'invalid_client_metadata', claim: 'token_endpoint_auth_method' })
    })
  })

  describe('signing algorithm (UK-DCR-25)', () => {
    it('rejects private_key_jwt without token_endpoint_auth_signing_alg', async () => {
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'private_key_jwt' }), { error: 'invalid_client_metadata', claim: 'token_endpoint_auth_signing_alg', mentions: ['private_key_jwt', 'PS256, ES256'] })
    })

    it('cannot be configured to accept a method the token endpoint does not implement', () => {
      for (const method of ['client_secret_jwt', 'client_secret_basic', 'client_secret_post', 'none']) {
        assert.throws(() => testConfig({ validators: { 'token-endpoint-auth': { methods: ['private_key_jwt', method] } } }), (error: unknown) => {
          assert.ok(error instanceof ConfigError, `${method}: a ConfigError`)
          assert.equal(error.key, 'validators.token-endpoint-auth.methods')
          assert.ok(error.message.includes(`unsupported value(s) ${method} (supported: private_key_jwt, tls_client_auth, self_signed_tls_client_auth)`), error.message)
          return true
        })
      }
    })

    for (const alg of ['RS256', 'HS256', 'none', 'ps256']) {
      it(`rejects token_endpoint_auth_signing_alg ${alg}`, async () => {
        await expectFailure(tokenEndpointAuth, run({ ...PRIVATE_KEY_JWT, token_endpoint_auth_signing_alg: alg }), { error: 'invalid_client_metadata', claim: 'token_endpoint_auth_signing_alg', mentions: [`"${alg}"`] })
      })
    }

    it('rejects a refused signing alg even with a method that does not need one', async () => {
      await expectFailure(tokenEndpointAuth, run({ ...TLS_CLIENT_AUTH, token_endpoint_auth_signing_alg: 'HS256' }, presented(ukClient)), { error: 'invalid_client_metadata', claim: 'token_endpoint_auth_signing_alg' })
    })
  })

  describe('jwks (RFC7591-10)', () => {
    it('rejects jwks and jwks_uri together', async () => {
      await expectFailure(tokenEndpointAuth, run({ ...PRIVATE_KEY_JWT, jwks: { keys: [] }, jwks_uri: 'https://tpp.example/jwks' }), { error: 'invalid_client_metadata', claim: 'jwks', mentions: ['jwks_uri'] })
    })

    it('passes either one alone where keys by value are accepted (rfc7591)', async () => {
      await expectPass(tokenEndpointAuth, run({ ...PRIVATE_KEY_JWT, jwks_uri: 'https://tpp.example/jwks' }))
      await expectPass(tokenEndpointAuth, run({ ...PRIVATE_KEY_JWT, jwks: { keys: [] } }, undefined, testConfig({ validators: { 'token-endpoint-auth': { allowJwksByValue: true } } })))
    })

    it('refuses jwks alone in the UK profile, whose keys come from the directory (issue 13 item 3)', async () => {
      await expectFailure(tokenEndpointAuth, run({ ...PRIVATE_KEY_JWT, jwks: { keys: [] } }), { error: 'invalid_client_metadata', claim: 'jwks', mentions: ['software_jwks_endpoint'] })
    })
  })

  describe('tls_client_auth subject DN (UK-DCR-26, RFC8705-2)', () => {
    it('passes the UK tls_client_auth sample with the matching transport certificate', async () => {
      await expectPass(tokenEndpointAuth, run(TLS_CLIENT_AUTH, presented(ukClient)))
    })

    it('matches attribute by attribute: spacing, case of values and OID type names do not matter', async () => {
      for (const dn of ['CN=7Hq2LmN9pXvR4tYb8Kc1Zs, OU=0015800001ZEc3hAAD, O=OpenBanking, C=GB', 'cn=7hq2lmn9pxvr4tyb8kc1zs,ou=0015800001zec3haad,o=openbanking,c=gb', '2.5.4.3=7Hq2LmN9pXvR4tYb8Kc1Zs,2.5.4.11=0015800001ZEc3hAAD,2.5.4.10=OpenBanking,2.5.4.6=GB']) {
        await expectPass(tokenEndpointAuth, run({ ...TLS_CLIENT_AUTH, tls_client_auth_subject_dn: dn }, presented(ukClient)))
      }
    })

    it('rejects tls_client_auth without a certificate identity', async () => {
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth' }, presented(ukClient)), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn', mentions: ['tls_client_auth_san_dns'] })
    })

    it('rejects a subject DN and a SAN together', async () => {
      await expectFailure(tokenEndpointAuth, run({ ...TLS_CLIENT_AUTH, tls_client_auth_san_dns: 'tpp.example' }, presented(ukClient)), {
        error: 'invalid_client_metadata',
        claim: 'tls_client_auth_san_dns',
        mentions: ['tls_client_auth_subject_dn, tls_client_auth_san_dns', 'exactly one'],
      })
    })

    it('rejects a subject DN that is not an RFC 4514 string', async () => {
      for (const dn of ['7Hq2LmN9pXvR4tYb8Kc1Zs', '', 'CN=a,=b']) {
        await expectFailure(tokenEndpointAuth, run({ ...TLS_CLIENT_AUTH, tls_client_auth_subject_dn: dn }, presented(ukClient)), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn', mentions: ['RFC 4514'] })
      }
    })

    it('rejects a subject DN that is not a string', async () => {
      await expectFailure(tokenEndpointAuth, run({ ...TLS_CLIENT_AUTH, tls_client_auth_subject_dn: { CN: 'x' } }, presented(ukClient)), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn' })
    })

    it('rejects a subject DN of another certificate, naming the presented subject', async () => {
      await expectFailure(tokenEndpointAuth, run(TLS_CLIENT_AUTH, presented(otherClient)), {
        error: 'invalid_client_metadata',
        claim: 'tls_client_auth_subject_dn',
        mentions: [UK_SUBJECT, 'CN=9ZzOtherSoftware00000,OU=0015800001ZEc3hAAD,O=OpenBanking,C=GB'],
      })
    })

    it('rejects a subject DN with the attributes in another order or one missing', async () => {
      for (const dn of ['C=GB,O=OpenBanking,OU=0015800001ZEc3hAAD,CN=7Hq2LmN9pXvR4tYb8Kc1Zs', 'CN=7Hq2LmN9pXvR4tYb8Kc1Zs,OU=0015800001ZEc3hAAD,O=OpenBanking']) {
        await expectFailure(tokenEndpointAuth, run({ ...TLS_CLIENT_AUTH, tls_client_auth_subject_dn: dn }, presented(ukClient)), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn' })
      }
    })

    it('rejects tls_client_auth when no certificate was presented', async () => {
      await expectFailure(tokenEndpointAuth, run(TLS_CLIENT_AUTH), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn', mentions: ['no client certificate'] })
    })

    it('does not compare with the certificate when matchSubjectDn is off', async () => {
      const config = testConfig({ validators: { 'token-endpoint-auth': { matchSubjectDn: false } } })
      await expectPass(tokenEndpointAuth, run(TLS_CLIENT_AUTH, undefined, config))
      await expectPass(tokenEndpointAuth, run(TLS_CLIENT_AUTH, presented(otherClient), config))
      // The DN must still be well formed, and exactly one identity given.
      await expectFailure(tokenEndpointAuth, run({ ...TLS_CLIENT_AUTH, tls_client_auth_subject_dn: 'not a dn' }, undefined, config), { error: 'invalid_client_metadata', claim: 'tls_client_auth_subject_dn' })
    })
  })

  describe('tls_client_auth SAN variants (RFC8705-2)', () => {
    it('passes a DNS SAN the certificate carries (case-insensitive)', async () => {
      await expectPass(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'tpp.example' }, presented(serverWithSans)))
      await expectPass(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'mixed.case.example' }, presented(serverWithSans)))
    })

    it('rejects a DNS SAN that node:crypto cannot compare (a NUL) as not carried', async () => {
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'tpp.example\u0000.evil' }, presented(serverWithSans)), { error: 'invalid_client_metadata', claim: 'tls_client_auth_san_dns', mentions: ['\\u0000'] })
    })

    it('rejects a DNS SAN the certificate does not carry', async () => {
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'evil.example' }, presented(serverWithSans)), {
        error: 'invalid_client_metadata',
        claim: 'tls_client_auth_san_dns',
        mentions: ['evil.example', 'subjectAltName'],
      })
    })

    it('does not take the subject CN for a DNS SAN', async () => {
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: '7Hq2LmN9pXvR4tYb8Kc1Zs' }, presented(ukClient)), { error: 'invalid_client_metadata', claim: 'tls_client_auth_san_dns' })
    })

    it('compares IP SANs as addresses', async () => {
      await expectPass(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_ip: '203.0.113.7' }, presented(serverWithSans)))
      await expectPass(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_ip: '2001:DB8:0::7' }, presented(serverWithSans)))
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_ip: '203.0.113.8' }, presented(serverWithSans)), { error: 'invalid_client_metadata', claim: 'tls_client_auth_san_ip' })
    })

    it('rejects an IP SAN that is not an IP address', async () => {
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_ip: 'tpp.example' }, presented(serverWithSans)), { error: 'invalid_client_metadata', claim: 'tls_client_auth_san_ip', mentions: ['not an IP address'] })
    })

    it('compares URI SANs exactly, including ones with commas', async () => {
      assert.match(uriAndEmail.subjectAltName ?? '', /URI:"/, 'node quotes the URI with a comma')
      await expectPass(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_uri: 'https://tpp.example/clients/1' }, presented({ certificate: uriAndEmail })))
      await expectPass(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_uri: 'https://tpp.example/a,b' }, presented({ certificate: uriAndEmail })))
      for (const uri of ['https://tpp.example/clients/2', 'https://tpp.example/a', 'https://TPP.example/clients/1']) {
        await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_uri: uri }, presented({ certificate: uriAndEmail })), { error: 'invalid_client_metadata', claim: 'tls_client_auth_san_uri' })
      }
    })

    it('compares e-mail SANs', async () => {
      await expectPass(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_email: 'ops@tpp.example' }, presented({ certificate: uriAndEmail })))
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_email: 'admin@tpp.example' }, presented({ certificate: uriAndEmail })), { error: 'invalid_client_metadata', claim: 'tls_client_auth_san_email' })
    })

    it('rejects a SAN variant when no certificate was presented', async () => {
      await expectFailure(tokenEndpointAuth, run({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'tpp.example' }), { error: 'invalid_client_metadata', claim: 'tls_client_auth_san_dns', mentions: ['no client certificate'] })
    })
  })
})
