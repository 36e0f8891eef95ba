/** The reference docs are generated from the code; this fails when they drift (run `npm run docs`). */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { leaves } from '../../src/config/fields.ts'
import { configSchema } from '../../src/config/schema.ts'
import { renderConfigurationDoc } from '../../src/docs/configuration.ts'
import { renderErrorsDoc } from '../../src/docs/errors.ts'
import { ERROR_CODES } from '../../src/lib/error-table.ts'
import { renderValidationDoc } from '../../src/docs/validation.ts'
import { builtInValidators } from '../../src/validation/pipeline.ts'

const read = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8')

it('docs/configuration.md is up to date and lists every key', () => {
  const doc = read('configuration.md')
  assert.equal(doc, renderConfigurationDoc(), 'run `npm run docs`')
  for (const { key } of leaves(configSchema)) assert.ok(doc.includes(`\`${key}\``), key)
})

it('docs/validation.md is up to date and lists every validator with its errors', () => {
  const doc = read('validation.md')
  assert.equal(doc, renderValidationDoc(), 'run `npm run docs`')
  for (const validator of builtInValidators) {
    assert.ok(doc.includes(`\`${validator.id}\``), validator.id)
    assert.ok(validator.errors.length > 0, `${validator.id} declares its errors`)
  }
})

it('docs/errors.md is up to date and has a row per error code', () => {
  const doc = read('errors.md')
  assert.equal(doc, renderErrorsDoc(), 'run `npm run docs`')
  for (const code of ERROR_CODES) assert.ok(doc.includes(`| \`${code}\` |`), code)
})
