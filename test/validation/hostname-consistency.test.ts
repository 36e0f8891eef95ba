import { describe, it } from 'node:test'
import { hostnameConsistency } from '../../src/validation/validators/hostname-consistency.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

/** The URI claims of the UK sample SSA (uk-obie-dcr.md §7). */
const UK_SSA = {
  software_id: '7Hq2LmN9pXvR4tYb8Kc1Zs',
  software_client_uri: 'https://acme-fin.example.co.uk',
  software_redirect_uris: ['https://acme-fin.example.co.uk/ob/callback', 'https://acme-fin.example.co.uk/ob/callback2'],
  software_logo_uri: 'https://acme-fin.example.co.uk/logo.png',
  software_policy_uri: 'https://acme-fin.example.co.uk/policy',
  software_tos_uri: 'https://acme-fin.example.co.uk/tos',
  // Not a user-facing URI of the software: never compared.
  software_jwks_endpoint: 'https://keystore.openbankingtest.org.uk/0015800001ZEc3hAAD/7Hq2LmN9pXvR4tYb8Kc1Zs.jwks',
  ob_registry_tos: 'https://registry.openbanking.org.uk/tos.html',
}
const withSsa = (changes: Record<string, unknown>) => makeContext({ request: {}, ssa: { ...UK_SSA, ...changes } })

describe('hostname-consistency', () => {
  it('passes the UK sample SSA', async () => {
    await expectPass(hostnameConsistency, withSsa({}))
  })

  it('passes when optional URI claims are absent', async () => {
    await expectPass(hostnameConsistency, withSsa({ software_logo_uri: undefined, software_tos_uri: undefined, software_policy_uri: undefined, software_client_uri: undefined }))
  })

  it('ignores ports and paths: only the host is compared', async () => {
    await expectPass(hostnameConsistency, withSsa({ software_logo_uri: 'https://acme-fin.example.co.uk:8443/static/logo.png' }))
  })

  it('rejects a logo URI on another host, naming both hosts and claims', async () => {
    await expectFailure(hostnameConsistency, withSsa({ software_logo_uri: 'https://cdn.example.net/logo.png' }), {
      error: 'invalid_software_statement',
      claim: 'software_logo_uri',
      mentions: ['cdn.example.net', 'acme-fin.example.co.uk', 'software_redirect_uris'],
    })
  })

  it('rejects a redirect URI on another host than the other redirect URIs', async () => {
    await expectFailure(hostnameConsistency, withSsa({ software_redirect_uris: ['https://acme-fin.example.co.uk/cb', 'https://evil.example/cb'] }), {
      error: 'invalid_software_statement',
      claim: 'software_redirect_uris',
      mentions: ['evil.example', 'acme-fin.example.co.uk'],
    })
  })

  it('rejects a host that merely ends with the redirect host (no endsWith, SEC-27)', async () => {
    await expectFailure(hostnameConsistency, withSsa({ software_tos_uri: 'https://evil-acme-fin.example.co.uk/tos' }), { error: 'invalid_software_statement', claim: 'software_tos_uri' })
    await expectFailure(hostnameConsistency, withSsa({ software_policy_uri: 'https://acme-fin.example.co.uk.evil.com/policy' }), { error: 'invalid_software_statement', claim: 'software_policy_uri' })
  })

  it('rejects a subdomain of the redirect host', async () => {
    await expectFailure(hostnameConsistency, withSsa({ software_client_uri: 'https://www.acme-fin.example.co.uk' }), { error: 'invalid_software_statement', claim: 'software_client_uri', mentions: ['www.acme-fin.example.co.uk'] })
  })

  it('rejects a Cyrillic look-alike host, reported as its punycode A-label (SEC-26)', async () => {
    await expectFailure(hostnameConsistency, withSsa({ software_logo_uri: 'https://аcme-fin.example.co.uk/logo.png' }), {
      error: 'invalid_software_statement',
      claim: 'software_logo_uri',
      mentions: ['xn--'],
    })
  })

  it('treats a Unicode host and its A-label as the same host', async () => {
    await expectPass(hostnameConsistency, makeContext({ request: {}, ssa: { software_redirect_uris: ['https://bücher.example/cb'], software_logo_uri: 'https://xn--bcher-kva.example/logo.png' } }))
  })

  it('compares host names case-insensitively, as the parser lower-cases them', async () => {
    await expectPass(hostnameConsistency, withSsa({ software_logo_uri: 'https://ACME-FIN.example.co.uk/logo.png' }))
  })

  it('rejects a URI claim that is not an absolute URL', async () => {
    await expectFailure(hostnameConsistency, withSsa({ software_logo_uri: '/logo.png' }), { error: 'invalid_software_statement', claim: 'software_logo_uri', mentions: ['/logo.png'] })
  })

  it('rejects a URI claim of the wrong type', async () => {
    await expectFailure(hostnameConsistency, withSsa({ software_logo_uri: ['https://acme-fin.example.co.uk/logo.png'] }), { error: 'invalid_software_statement', claim: 'software_logo_uri' })
  })

  it('fails when the request carries no software statement', async () => {
    await expectFailure(hostnameConsistency, makeContext({ request: {} }), { error: 'invalid_client_metadata', claim: 'software_statement' })
  })

  it('uses the profile\'s claim names (CDR)', async () => {
    const config = testConfig({ ssa: { redirectUrisClaim: 'redirect_uris', uriClaims: ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] } })
    const cdrSsa = { redirect_uris: ['https://adr.example/cb'], client_uri: 'https://adr.example', logo_uri: 'https://adr.example/logo.png' }
    await expectPass(hostnameConsistency, makeContext({ config, request: {}, ssa: cdrSsa }))
    await expectFailure(hostnameConsistency, makeContext({ config, request: {}, ssa: { ...cdrSsa, logo_uri: 'https://other.example/logo.png' } }), { error: 'invalid_software_statement', claim: 'logo_uri' })
  })
})
