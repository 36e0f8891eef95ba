import { describe, it } from 'node:test'
import { redirectUriSubset } from '../../src/validation/validators/redirect-uri-subset.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const SSA_URIS = ['https://acme-fin.example.co.uk/ob/callback', 'https://acme-fin.example.co.uk/ob/callback2', 'https://app.example/cb?next=https://evil.example']
const ssa = { software_id: '7Hq2LmN9pXvR4tYb8Kc1Zs', software_redirect_uris: SSA_URIS }
const requesting = (uris: unknown) => makeContext({ request: { redirect_uris: uris }, ssa })

describe('redirect-uri-subset', () => {
  it('passes a request whose redirect URIs are all in the SSA (UK sample)', async () => {
    await expectPass(redirectUriSubset, requesting(['https://acme-fin.example.co.uk/ob/callback']))
    await expectPass(redirectUriSubset, requesting(SSA_URIS))
  })

  it('passes a request without redirect_uris: the policy registers the SSA list (UK-DCR-24)', async () => {
    await expectPass(redirectUriSubset, makeContext({ request: {}, ssa }))
  })

  it('passes a URI with a query only when the SSA has it exactly', async () => {
    await expectPass(redirectUriSubset, requesting(['https://app.example/cb?next=https://evil.example']))
    await expectFailure(redirectUriSubset, requesting(['https://app.example/cb?next=https://evil2.example']), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
  })

  const outside: Array<[string, string]> = [
    ['a host that extends the SSA host', 'https://acme-fin.example.co.uk.evil.example/cb'],
    ['a URI that only differs in case (SEC-23)', 'HTTPS://ACME-FIN.EXAMPLE.CO.UK/ob/callback'],
    ['a path that only differs in case', 'https://acme-fin.example.co.uk/OB/callback'],
    ['a prefix of an SSA URI', 'https://acme-fin.example.co.uk/ob/'],
    ['an extension of an SSA URI', 'https://acme-fin.example.co.uk/ob/callback/extra'],
    ['a trailing slash variant', 'https://acme-fin.example.co.uk/ob/callback/'],
    ['a dot-segment path that normalises to an SSA URI', 'https://acme-fin.example.co.uk/ob/x/../callback'],
    ['a default-port variant', 'https://acme-fin.example.co.uk:443/ob/callback'],
    ['a Cyrillic look-alike host', 'https://аcme-fin.example.co.uk/ob/callback'],
    ['the punycode of a look-alike host', 'https://xn--cme-fin-5ve.example.co.uk/ob/callback'],
  ]
  for (const [what, uri] of outside) {
    it(`rejects ${what}`, async () => {
      await expectFailure(redirectUriSubset, requesting(['https://acme-fin.example.co.uk/ob/callback', uri]), {
        error: 'invalid_redirect_uri',
        claim: 'redirect_uris',
        mentions: [JSON.stringify(uri), 'software_redirect_uris'],
      })
    })
  }

  it('accepts an upper-case URI only when the SSA has it written that way (SEC-23)', async () => {
    const upper = 'HTTPS://APP.EXAMPLE/cb'
    await expectPass(redirectUriSubset, makeContext({ request: { redirect_uris: [upper] }, ssa: { software_redirect_uris: [upper] } }))
  })

  it('rejects redirect URIs when the request carries no software statement', async () => {
    await expectFailure(redirectUriSubset, makeContext({ request: { redirect_uris: ['https://app.example/cb'] } }), { error: 'invalid_client_metadata', claim: 'software_statement' })
  })

  it('rejects redirect URIs when the SSA has no redirect URI list', async () => {
    await expectFailure(redirectUriSubset, makeContext({ request: { redirect_uris: ['https://app.example/cb'] }, ssa: { software_id: 'x' } }), { error: 'invalid_software_statement', claim: 'software_redirect_uris' })
  })

  it('rejects an SSA redirect URI claim that is not an array of strings', async () => {
    await expectFailure(redirectUriSubset, makeContext({ request: { redirect_uris: ['https://app.example/cb'] }, ssa: { software_redirect_uris: 'https://app.example/cb' } }), { error: 'invalid_software_statement', claim: 'software_redirect_uris' })
  })

  it('rejects request redirect_uris that is not an array', async () => {
    await expectFailure(redirectUriSubset, requesting('https://acme-fin.example.co.uk/ob/callback'), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
  })

  it('uses the profile\'s SSA claim (CDR redirect_uris)', async () => {
    const config = testConfig({ ssa: { redirectUrisClaim: 'redirect_uris' } })
    await expectPass(redirectUriSubset, makeContext({ config, request: { redirect_uris: ['https://adr.example/cb'] }, ssa: { redirect_uris: ['https://adr.example/cb'] } }))
    await expectFailure(redirectUriSubset, makeContext({ config, request: { redirect_uris: ['https://evil.example/cb'] }, ssa: { redirect_uris: ['https://adr.example/cb'] } }), {
      error: 'invalid_redirect_uri',
      claim: 'redirect_uris',
      mentions: ['https://evil.example/cb', "software statement's redirect_uris"],
    })
  })
})
