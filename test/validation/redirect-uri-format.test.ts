import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { redirectUriFormat } from '../../src/validation/validators/redirect-uri-format.ts'
import { redirectUriProblem } from '../../src/validation/redirect-uri.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { PROFILE_NAMES } from '../../src/config/schema.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const SSA_URIS = ['https://acme-fin.example.co.uk/ob/callback', 'https://acme-fin.example.co.uk/ob/callback2']
const ssa = (uris: unknown = SSA_URIS) => ({ software_id: '7Hq2LmN9pXvR4tYb8Kc1Zs', software_redirect_uris: uris })
const withRequestUris = (uris: unknown) => makeContext({ request: { redirect_uris: uris }, ssa: ssa() })

describe('redirect-uri-format', () => {
  it('passes the UK sample request and SSA', async () => {
    await expectPass(redirectUriFormat, makeContext({ request: { redirect_uris: ['https://acme-fin.example.co.uk/ob/callback'] }, ssa: ssa() }))
  })

  it('passes a request without redirect_uris (the SSA list is still checked)', async () => {
    await expectPass(redirectUriFormat, makeContext({ request: {}, ssa: ssa() }))
    await expectFailure(redirectUriFormat, makeContext({ request: {}, ssa: ssa(['http://acme-fin.example.co.uk/cb']) }), {
      error: 'invalid_redirect_uri',
      claim: 'software_redirect_uris',
      mentions: ['http://acme-fin.example.co.uk/cb', 'https'],
    })
  })

  it('checks the request list when there is no SSA', async () => {
    await expectPass(redirectUriFormat, makeContext({ request: { redirect_uris: ['https://app.example/cb'] } }))
    await expectFailure(redirectUriFormat, makeContext({ request: { redirect_uris: ['https://localhost/cb'] } }), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
  })

  it('uses the profile\'s SSA redirect URI claim', async () => {
    const config = testConfig({ ssa: { redirectUrisClaim: 'redirect_uris' } })
    await expectFailure(redirectUriFormat, makeContext({ config, request: {}, ssa: { redirect_uris: ['https://127.0.0.1/cb'] } }), { error: 'invalid_redirect_uri', claim: 'redirect_uris', mentions: ['software statement'] })
  })

  // Valid syntax: other validators (redirect-uri-subset) decide whether the SSA allows them.
  for (const uri of [
    'HTTPS://APP.EXAMPLE/cb',
    'https://app.example/cb?next=https://evil.example',
    'https://app.example/cb/../../evil',
    'https://app.example:8443/cb',
    'https://93.184.216.34/cb',
    'https://[2001:db8::1]/cb',
  ]) {
    it(`accepts the well-formed public https URI ${uri}`, async () => {
      await expectPass(redirectUriFormat, withRequestUris([uri]))
    })
  }

  const refused: Array<[string, string, string]> = [
    ['an http redirect URI', 'http://acme-fin.example.co.uk/cb', 'scheme must be https'],
    ['a javascript: URI', 'javascript:alert(1)', 'scheme must be https'],
    ['a relative URI', '/ob/callback', 'not an absolute URL'],
    ['a scheme-relative URI', '//app.example/cb', 'not an absolute URL'],
    ['an https URI without //', 'https:app.example/cb', 'https://'],
    ['a fragment', 'https://app.example/cb#frag', 'fragment'],
    ['an empty fragment', 'https://app.example/cb#', 'fragment'],
    ['userinfo', 'https://app.example@evil.example/cb', 'user information'],
    ['empty userinfo', 'https://@app.example/cb', 'user information'],
    ['a wildcard host', 'https://*.app.example/cb', 'wildcard'],
    ['a space', 'https://app.example/c b', 'whitespace'],
    ['a tab', 'https://app.example/\tcb', 'whitespace'],
    ['a newline', 'https://app.example/cb\n', 'whitespace'],
    ['a NUL character', 'https://app.example/cb\u0000', 'control'],
    ['a backslash', 'https://app.example\\@evil.example/cb', 'backslash'],
    ['a percent-encoded host', 'https://app%2eexample/cb', 'percent-encoding'],
    ['localhost', 'https://localhost/cb', 'localhost'],
    ['LOCALHOST in capitals', 'https://LOCALHOST/cb', 'localhost'],
    ['localhost with a trailing dot', 'https://localhost./cb', 'localhost'],
    ['a *.localhost host', 'https://app.localhost/cb', 'localhost'],
    ['a loopback IPv4 literal', 'https://127.0.0.1/cb', 'loopback'],
    ['a short loopback IPv4 literal', 'https://127.1/cb', 'loopback'],
    ['a decimal loopback literal', 'https://2130706433/cb', 'loopback'],
    ['a hex loopback literal', 'https://0x7f.1/cb', 'loopback'],
    ['an octal loopback literal', 'https://0177.0.0.1/cb', 'loopback'],
    ['an IPv6 loopback literal', 'https://[::1]/cb', 'loopback'],
    ['an IPv4-mapped IPv6 loopback literal', 'https://[::ffff:127.0.0.1]/cb', 'loopback'],
    ['an IPv4-compatible IPv6 loopback literal', 'https://[::127.0.0.1]/cb', 'local-host'],
    ['the unspecified IPv4 address', 'https://0.0.0.0/cb', 'local-host'],
    ['the unspecified IPv6 address', 'https://[::]/cb', 'local-host'],
    ['a 10/8 private literal', 'https://10.0.0.5/cb', 'private'],
    ['a 172.16/12 private literal', 'https://172.20.1.1/cb', 'private'],
    ['a 192.168/16 private literal', 'https://192.168.1.10/cb', 'private'],
    ['a CGNAT literal', 'https://100.64.0.1/cb', 'private'],
    ['an IPv4-mapped private literal', 'https://[::ffff:10.0.0.5]/cb', 'private'],
    ['an fc00::/7 unique-local literal', 'https://[fd12:3456::1]/cb', 'private'],
    ['an IPv4 link-local literal (cloud metadata)', 'https://169.254.169.254/latest', 'link-local'],
    ['an fe80::/10 link-local literal', 'https://[fe80::1]/cb', 'link-local'],
    ['a multicast literal', 'https://224.0.0.1/cb', 'multicast'],
  ]
  for (const [what, uri, reason] of refused) {
    it(`rejects ${what}`, async () => {
      const error = await expectFailure(redirectUriFormat, withRequestUris(['https://acme-fin.example.co.uk/ob/callback', uri]), { error: 'invalid_redirect_uri', claim: 'redirect_uris', mentions: [reason] })
      assert.ok(error.message.includes(JSON.stringify(uri)), `description names the URI: ${error.message}`)
    })
  }

  it('rejects a redirect URI longer than maxLength (256 by default)', async () => {
    const uri = `https://app.example/${'a'.repeat(237)}`
    assert.equal(uri.length, 257)
    await expectPass(redirectUriFormat, withRequestUris([uri.slice(0, 256)]))
    await expectFailure(redirectUriFormat, withRequestUris([uri]), { error: 'invalid_redirect_uri', claim: 'redirect_uris', mentions: ['257 characters', 'at most 256'] })
  })

  it('rejects more redirect URIs than maxCount', async () => {
    const config = testConfig({ validators: { 'redirect-uri-format': { maxCount: 2 } } })
    const uris = ['https://app.example/1', 'https://app.example/2', 'https://app.example/3']
    await expectPass(redirectUriFormat, makeContext({ config, request: { redirect_uris: uris.slice(0, 2) } }))
    await expectFailure(redirectUriFormat, makeContext({ config, request: { redirect_uris: uris } }), { error: 'invalid_redirect_uri', claim: 'redirect_uris', mentions: ['3 redirect URIs', 'at most 2'] })
  })

  it('rejects 5,000 redirect URIs without looking at each', async () => {
    await expectFailure(redirectUriFormat, withRequestUris(Array.from({ length: 5000 }, (_, i) => `https://app.example/${i}`)), { error: 'invalid_redirect_uri', claim: 'redirect_uris', mentions: ['5000'] })
  })

  it('rejects redirect_uris that is not an array of strings', async () => {
    await expectFailure(redirectUriFormat, withRequestUris('https://app.example/cb'), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
    await expectFailure(redirectUriFormat, withRequestUris(['https://app.example/cb', 42]), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
  })

  it('rejects an empty redirect_uris array', async () => {
    await expectFailure(redirectUriFormat, withRequestUris([]), { error: 'invalid_redirect_uri', claim: 'redirect_uris', mentions: ['empty'] })
  })

  it('rejects a software statement whose redirect URI claim is not an array as invalid_software_statement', async () => {
    await expectFailure(redirectUriFormat, makeContext({ request: {}, ssa: ssa('https://app.example/cb') }), { error: 'invalid_software_statement', claim: 'software_redirect_uris' })
  })

  it('rejects a bad URI in the SSA naming the SSA claim', async () => {
    await expectFailure(redirectUriFormat, makeContext({ request: {}, ssa: ssa([...SSA_URIS, 'https://[::1]/cb']) }), { error: 'invalid_redirect_uri', claim: 'software_redirect_uris', mentions: ['https://[::1]/cb', 'software statement'] })
  })

  it('escapes control characters and shortens long URIs in the description', async () => {
    const error = await expectFailure(redirectUriFormat, makeContext({ config: testConfig({ validators: { 'redirect-uri-format': { maxLength: 2048 } } }), request: { redirect_uris: [`https://app.example/${'x'.repeat(300)}\u0007`] } }), { error: 'invalid_redirect_uri', claim: 'redirect_uris' })
    assert.ok(!error.message.includes('\u0007'))
    assert.ok(error.message.length < 300, error.message)
  })
})

// Issue 13 item 8: host names no SSA constrains were accepted and stopped only, if at all, by hostname-consistency.
describe('redirect-uri-format refuses malformed and homograph host names in every profile (SEC-25, SEC-26)', () => {
  const refusedHosts: Array<[string, string, string]> = [
    ['a single-label host (resolved through /etc/hosts or a search domain)', 'https://intranet/cb', 'single label'],
    ['a single-label host with a port', 'https://payments:8443/cb', 'single label'],
    ['an empty authority (https:///cb, which parses as https://cb/)', 'https:///cb', 'no host'],
    ['a host that is only a dot', 'https://./cb', 'is empty'],
    ['a trailing dot', 'https://app.example./cb', 'ends with a dot'],
    ['a trailing dot before a port', 'https://app.example.:8443/cb', 'ends with a dot'],
    ['a trailing dot on an IPv4 literal', 'https://93.184.216.34./cb', 'ends with a dot'],
    ['port 0', 'https://app.example:0/cb', 'port is 0'],
    ['port 0 written with leading zeros', 'https://app.example:000/cb', 'port is 0'],
    ['a label starting and ending with a hyphen', 'https://-x-.example/cb', 'not a DNS label'],
    ['a label ending with a hyphen', 'https://app-.example/cb', 'not a DNS label'],
    ['an underscore in a label', 'https://a_b.example/cb', 'not a DNS label'],
    ['an empty label', 'https://app..example/cb', 'empty label'],
    ['a label of 64 characters', `https://${'a'.repeat(64)}.example/cb`, 'not a DNS label'],
    ['an xn-- label that is not valid punycode', 'https://xn--zz.example/cb', 'not valid punycode'],
    ['a label mixing Cyrillic and Latin (written in Unicode)', 'https://аpp.example/cb', 'mixes the scripts Cyrillic and Latin'],
    ['a label mixing Cyrillic and Latin (written as punycode)', 'https://xn--pp-8kc.example/cb', 'mixes the scripts Cyrillic and Latin'],
    ['a label mixing Greek and Latin', 'https://οk.example/cb', 'mixes the scripts Greek and Latin'],
    ['a mixed-script label below a Latin one', 'https://login.bаnk.example/cb', 'mixes the scripts Cyrillic and Latin'],
    ['a label mixing Hangul and Cyrillic', 'https://한국д.example/cb', 'mixes the scripts Cyrillic and Hangul'],
  ]
  const acceptedHosts: Array<[string, string]> = [
    ['a normal host', 'https://app.example/cb'],
    ['a deep host', 'https://acme-fin.example.co.uk/ob/callback'],
    ['digits and inner hyphens', 'https://a1--b2.3ds.example/cb'],
    ['a label of 63 characters', `https://${'a'.repeat(63)}.example/cb`],
    ['an explicit port', 'https://app.example:8443/cb'],
    ['the default port written out', 'https://app.example:443/cb'],
    ['the highest port', 'https://app.example:65535/cb'],
    ['an IDN in Latin only', 'https://münchen.de/cb'],
    ['an IDN in Latin only, as punycode', 'https://xn--mnchen-3ya.de/cb'],
    ['an IDN in Cyrillic only', 'https://пример.рф/cb'],
    ['an IDN in Greek only', 'https://παράδειγμα.δοκιμή/cb'],
    ['an IDN in Han only', 'https://東京.jp/cb'],
    ['Han with Hiragana (Japanese, UTS #39 highly restrictive)', 'https://例え.テスト/cb'],
    ['Latin with Katakana (Japanese, UTS #39 highly restrictive)', 'https://abcテスト.jp/cb'],
    ['Hangul only', 'https://한국.kr/cb'],
    ['a public IPv4 literal with a port', 'https://93.184.216.34:8443/cb'],
  ]
  const profiles = PROFILE_NAMES.map((profile) => {
    const config = testConfig({ profile, validators: { 'software-status': { enabled: false } } })
    return { profile, config, ssaClaim: config.ssa.redirectUrisClaim }
  })

  for (const [what, uri, reason] of refusedHosts) {
    it(`refuses ${what}: ${uri}`, async () => {
      for (const { profile, config, ssaClaim } of profiles) {
        const requested = await expectFailure(redirectUriFormat, makeContext({ config, request: { redirect_uris: [uri] } }), { error: 'invalid_redirect_uri', claim: 'redirect_uris', mentions: [JSON.stringify(uri), reason] })
        assert.ok(requested.message.startsWith(`redirect URI ${JSON.stringify(uri)} in redirect_uris of the request is refused: `), `${profile}: ${requested.message}`)
        await expectFailure(redirectUriFormat, makeContext({ config, request: {}, ssa: { [ssaClaim]: [uri] } }), { error: 'invalid_redirect_uri', claim: ssaClaim, mentions: [JSON.stringify(uri), reason, 'software statement'] })
      }
      assert.match(redirectUriProblem(uri, { maxLength: 256 }) ?? '', new RegExp(reason))
    })
  }
  for (const [what, uri] of acceptedHosts) {
    it(`accepts ${what}: ${uri}`, async () => {
      for (const { config, ssaClaim } of profiles) {
        await expectPass(redirectUriFormat, makeContext({ config, request: { redirect_uris: [uri] }, ssa: { [ssaClaim]: [uri] } }))
      }
    })
  }

  it('refuses a host longer than 253 characters even within a longer maxLength', async () => {
    const host = `${Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.')}.examples`
    assert.equal(host.length, 252)
    const config = testConfig({ validators: { 'redirect-uri-format': { maxLength: 2048 } } })
    await expectPass(redirectUriFormat, makeContext({ config, request: { redirect_uris: [`https://${host}/cb`] } }))
    await expectFailure(redirectUriFormat, makeContext({ config, request: { redirect_uris: [`https://aa${host}/cb`] } }), { error: 'invalid_redirect_uri', claim: 'redirect_uris', mentions: ['254 characters', 'at most 253'] })
  })
})

describe('redirectUriProblem', () => {
  it('returns undefined for an acceptable URI and a reason otherwise', () => {
    assert.equal(redirectUriProblem('https://acme-fin.example.co.uk/ob/callback', { maxLength: 256 }), undefined)
    assert.equal(redirectUriProblem('http://acme-fin.example.co.uk/ob/callback', { maxLength: 256 }), 'the scheme must be https, not http:')
  })

  it('sees through the WHATWG normalisation of IPv4 literals', () => {
    // The parser turns these into 127.0.0.1 before the address check runs.
    for (const host of ['2130706433', '0x7f.1', '0x7f000001', '0177.1', '127.0.1']) {
      assert.equal(new URL(`https://${host}/`).hostname, '127.0.0.1')
      assert.match(redirectUriProblem(`https://${host}/cb`, { maxLength: 256 }) ?? '', /loopback/)
    }
  })
})
