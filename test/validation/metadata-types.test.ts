/**
 * metadata-types (SEC-19, SEC-22, RFC 7591 §2, OIDC Registration §2): wrong-typed or oversized metadata of the
 * request and of the software statement is refused naming the field and what it breaks; server-issued members
 * are refused in a new registration; jwks_uri passes the outbound policy; unknown members kept are bounded.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { metadataTypes } from '../../src/validation/validators/metadata-types.ts'
import { METADATA_SCHEMA } from '../../src/validation/metadata-schema.ts'
import { KNOWN_METADATA } from '../../src/registration/metadata.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const good = {
  iss: 'soft-1', aud: 'https://bank.example.com', iat: 1, exp: 2, jti: 'j',
  redirect_uris: ['https://tpp.example.com/cb'], client_name: 'ACME', contacts: ['ops@tpp.example.com'], logo_uri: 'https://tpp.example.com/logo.png',
  jwks_uri: 'https://keys.tpp.example.com/jwks', sector_identifier_uri: 'https://tpp.example.com/sector', subject_type: 'pairwise', default_max_age: 3600,
  require_auth_time: true, 'client_name#ja': 'エイシーエムイー', grant_types: ['client_credentials'], scope: 'openid accounts',
}

describe('metadata-types', () => {
  it('passes well-typed metadata in the request and the software statement', async () => {
    await expectPass(metadataTypes, makeContext({ request: good, ssa: { iss: 'OpenBanking Ltd', software_id: 'soft-1', software_redirect_uris: ['https://tpp.example.com/cb'], software_roles: ['AISP'], org_name: 'ACME Ltd' } }))
  })

  it('declares a type for every metadata field the server registers (KNOWN_METADATA)', () => {
    assert.deepEqual([...KNOWN_METADATA].sort(), Object.keys(METADATA_SCHEMA).sort())
    assert.ok(KNOWN_METADATA.has('jwks') && KNOWN_METADATA.has('tls_client_auth_subject_dn'))
  })

  const wrongTyped: Array<[string, unknown, string]> = [
    ['client_name', { en: 'ACME' }, 'client_name in the request must be a string, got an object'],
    ['jwks', 'not-a-jwks', 'jwks in the request must be a JWK Set object {"keys":[...]}, got a string'],
    ['jwks', { keys: 'x' }, 'jwks in the request must be a JWK Set: "keys" must be an array, got a string'],
    ['jwks', { keys: [{ kid: 'no-kty' }] }, 'jwks in the request key 0 must have a string "kty"'],
    ['jwks_uri', 42, 'jwks_uri in the request must be a string, got a number'],
    ['contacts', 'ops@tpp.example.com', 'contacts in the request must be an array of strings, got a string'],
    ['contacts', [1], 'contacts in the request item 0 must be a string, got a number'],
    ['logo_uri', ['https://tpp.example.com/logo.png'], 'logo_uri in the request must be a string, got an array'],
    ['logo_uri', 'javascript:alert(1)', 'logo_uri in the request must be an http or https URL, not "javascript"'],
    ['logo_uri', 'logo.png', 'logo_uri in the request must be an absolute URL'],
    ['sector_identifier_uri', 'http://tpp.example.com/sector', 'sector_identifier_uri in the request must be an https URL, not "http"'],
    ['subject_type', 'secret', 'subject_type in the request must be one of public, pairwise'],
    ['subject_type', true, 'subject_type in the request must be a string, got a boolean'],
    ['default_max_age', '3600', 'default_max_age in the request must be a whole number, got a string'],
    ['default_max_age', -1, 'default_max_age in the request must be from 0 to 2147483647, got -1'],
    ['default_max_age', 1.5, 'default_max_age in the request must be a whole number, got a number'],
    ['require_auth_time', 'yes', 'require_auth_time in the request must be true or false, got a string'],
    ['client_name#ja', 7, 'client_name#ja in the request must be a string, got a number'],
    ['client_name', 'n'.repeat(257), 'client_name in the request must be at most 256 characters, got 257'],
    ['contacts', Array.from({ length: 4000 }, (_, index) => `c${index}@tpp.example.com`), 'contacts in the request must have at most 20 items, got 4000'],
    ['request_uris', ['ftp://tpp.example.com/r'], 'request_uris in the request item 0 must be an http or https URL, not "ftp"'],
  ]
  for (const [name, value, description] of wrongTyped) {
    it(`refuses ${name} as ${JSON.stringify(value).slice(0, 40)} with invalid_client_metadata naming the field`, async () => {
      const error = await expectFailure(metadataTypes, makeContext({ request: { ...good, [name]: value } }), { error: 'invalid_client_metadata', claim: name })
      assert.equal(error.message, description)
    })
  }

  it('refuses redirect_uris of the wrong type, or a 40 KB array of them, with invalid_redirect_uri', async () => {
    const error = await expectFailure(metadataTypes, makeContext({ request: { ...good, redirect_uris: 'https://tpp.example.com/cb' } }), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
    assert.equal(error.message, 'redirect_uris in the request must be an array of strings, got a string')
    const many = Array.from({ length: 1500 }, (_, index) => `https://tpp.example.com/cb/${index}`)
    assert.ok(JSON.stringify(many).length > 40_000)
    await expectFailure(metadataTypes, makeContext({ request: { ...good, redirect_uris: many } }), { error: 'invalid_redirect_uri', claim: 'redirect_uris', mentions: ['at most 200 items, got 1500'] })
  })

  it('refuses client_id, client_secret and registration_access_token in a new registration request (RFC7591-5)', async () => {
    for (const name of ['client_id', 'client_secret', 'registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at']) {
      const error = await expectFailure(metadataTypes, makeContext({ request: { ...good, [name]: 'chosen-by-client' } }), { error: 'invalid_client_metadata', claim: name })
      assert.equal(error.message, `${name} must not be sent in a registration request: only the server issues it (RFC 7591 section 3.2.1); remove it`)
    }
  })

  it('leaves the client_id of an update to update-request (RFC 7592 section 2.2 has the client send it)', async () => {
    await expectPass(metadataTypes, makeContext({ operation: 'update', request: { ...good, client_id: 'client-1' } }))
  })

  it('refuses a jwks_uri the outbound policy forbids: not https, a private address literal, a host off the allow list', async () => {
    const cases: Array<[string, string, string?]> = [
      ['http://keys.tpp.example.com/jwks', 'jwks_uri in the request must use https, got "http" (http://keys.tpp.example.com): the server fetches the client\'s keys from it (outbound policy)'],
      ['https://10.0.0.1/jwks', 'jwks_uri in the request host 10.0.0.1 is a loopback, private, link-local or otherwise reserved address: the server fetches the client\'s keys from it (outbound policy)'],
      ['not a url', 'jwks_uri in the request must be an absolute URL'],
    ]
    for (const [uri, description] of cases) {
      const error = await expectFailure(metadataTypes, makeContext({ request: { ...good, jwks_uri: uri } }), { error: 'invalid_client_metadata', claim: 'jwks_uri' })
      assert.equal(error.message, description)
    }
    const allowList = testConfig({ outbound: { allowedHosts: ['keys.directory.example'] } })
    await expectFailure(metadataTypes, makeContext({ config: allowList, request: good }), { error: 'invalid_client_metadata', claim: 'jwks_uri', mentions: ['is not in outbound.allowedHosts'] })
  })

  it('refuses software statement claims that become metadata with the wrong type, as invalid_software_statement', async () => {
    const ssa = { iss: 'OpenBanking Ltd', software_id: 'soft-1' }
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ software_redirect_uris: 'https://tpp.example.com/cb' }, 'software_redirect_uris', 'software_redirect_uris in the software statement must be an array of strings, got a string'],
      [{ software_logo_uri: { href: 'x' } }, 'software_logo_uri', 'software_logo_uri in the software statement must be a string, got an object'],
      [{ software_jwks_endpoint: 7 }, 'software_jwks_endpoint', 'software_jwks_endpoint in the software statement must be a string, got a number'],
      [{ software_id: ['soft-1'] }, 'software_id', 'software_id in the software statement must be a string, got an array'],
      [{ client_name: 3 }, 'client_name', 'client_name in the software statement must be a string, got a number'],
    ]
    for (const [claims, claim, description] of cases) {
      const error = await expectFailure(metadataTypes, makeContext({ request: good, ssa: { ...ssa, ...claims } }), { error: 'invalid_software_statement', claim })
      assert.equal(error.message, description)
    }
  })

  it('types a software statement claim taken as metadata under metadataPolicy.fromSsa (Brazil software_client_name)', async () => {
    const config = testConfig({ metadataPolicy: { fromSsa: { client_name: 'software_client_name', jwks_uri: 'software_jwks_uri' } } })
    await expectFailure(metadataTypes, makeContext({ config, request: good, ssa: { software_client_name: { pt: 'x' } } }), { error: 'invalid_software_statement', claim: 'software_client_name', mentions: ['must be a string'] })
    await expectFailure(metadataTypes, makeContext({ config, request: good, ssa: { software_jwks_uri: 'http://keys.example/jwks' } }), { error: 'invalid_software_statement', claim: 'software_jwks_uri', mentions: ['must use https'] })
  })

  it('bounds unknown members: dropped from the request by default, else at most maxUnknownMembers of at most maxUnknownMemberBytes', async () => {
    const big = { blob: 'x'.repeat(9000) }
    await expectPass(metadataTypes, makeContext({ request: { ...good, ...big } }))
    const keeping = testConfig({ metadataPolicy: { dropUnknownMetadata: false, maxUnknownMembers: 2 } })
    const error = await expectFailure(metadataTypes, makeContext({ config: keeping, request: { ...good, blob: 'x'.repeat(9000) } }), { error: 'invalid_client_metadata', claim: 'blob' })
    assert.equal(error.message, 'blob in the request is 9002 bytes of JSON; a member this server does not know may be at most 8192 bytes')
    await expectFailure(metadataTypes, makeContext({ config: keeping, request: { ...good, a: 1, b: 2, c: 3 } }), { error: 'invalid_client_metadata', claim: 'c', mentions: ['has 3 members that are not client metadata', 'at most 2 are kept'] })
    await expectFailure(metadataTypes, makeContext({ request: good, ssa: { iss: 'OpenBanking Ltd', org_blob: big } }), { error: 'invalid_software_statement', claim: 'org_blob', mentions: ['at most 8192 bytes'] })
  })
})
