/** package.json declares Apache-2.0; LICENSE holds that licence's text, unaltered (issue 12 item 20). */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'

/** SHA-256 of https://www.apache.org/licenses/LICENSE-2.0.txt. */
const APACHE_2_0_SHA256 = 'c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4'

it('LICENSE is the Apache License 2.0 text that package.json declares', () => {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { license?: string }
  assert.equal(packageJson.license, 'Apache-2.0')
  const text = readFileSync(new URL('../../LICENSE', import.meta.url), 'utf8')
  assert.deepEqual(text.split('\n').slice(0, 3).map((line) => line.trim()), ['Apache License', 'Version 2.0, January 2004', 'http://www.apache.org/licenses/'])
  for (let section = 1; section <= 9; section++) assert.match(text, new RegExp(`^ {3}${section}\\. [A-Z]`, 'm'), `section ${section}`)
  assert.match(text, /END OF TERMS AND CONDITIONS/)
  assert.equal(createHash('sha256').update(text).digest('hex'), APACHE_2_0_SHA256, 'the standard text, unaltered')
})
