/**
 * docs/operations.md's minimal production configuration is one `open-dcr serve` accepts: it loads, and it names
 * the database and the token signing keys, which serve requires (never the sandbox's `.open-dcr/`). An `http:`
 * issuer is refused there, naming the key, and accepted only when the sandbox starts the server.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { parse } from 'yaml'
import { ConfigError } from '../../src/config/fields.ts'
import { loadConfig } from '../../src/config/load.ts'

const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8')
const minimal = (): Record<string, unknown> => {
  const block = /A minimal production configuration[^\n]*\n\n```yaml\n([\s\S]*?)\n```/.exec(doc)
  assert.ok(block, 'docs/operations.md has the minimal configuration block')
  return parse(block[1]!) as Record<string, unknown>
}

it("docs/operations.md's minimal configuration loads and names the database and the signing-key file", () => {
  const config = loadConfig({ values: minimal() })
  assert.equal(config.store.path, '/var/lib/open-dcr/open-dcr.db')
  assert.equal(config.tokens.signingKeysFile, '/var/lib/open-dcr/signing-keys.json')
})

it('an http issuer is refused outside the sandbox with a ConfigError naming issuer, and accepted when the sandbox starts the server', () => {
  const values = { ...minimal(), issuer: 'http://auth.examplebank.co.uk' }
  assert.throws(() => loadConfig({ values }), (error: unknown) => error instanceof ConfigError && error.key === 'issuer' && /must be an https URL/.test(error.message))
  assert.equal(loadConfig({ values, sandbox: true }).issuer, 'http://auth.examplebank.co.uk')
})
