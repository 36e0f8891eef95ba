/**
 * The reference docs are generated from the code; this fails when they drift (run `npm run docs`). docs/cli.md
 * keeps its hand-written walkthrough; its reference section is every command's --help, from the declarations.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { leaves } from '../../src/config/fields.ts'
import { configSchema } from '../../src/config/schema.ts'
import { ALL_HELP } from '../../src/cli/commands.ts'
import { renderHelp } from '../../src/cli/command-help.ts'
import { CLI_REFERENCE_HEADING, renderCliDoc } from '../../src/docs/cli.ts'
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

it("docs/cli.md's reference section is every command's --help, and the walkthrough above it is kept", () => {
  const doc = read('cli.md')
  assert.equal(doc, renderCliDoc(doc), 'run `npm run docs`')
  const walkthrough = doc.slice(0, doc.indexOf(CLI_REFERENCE_HEADING))
  assert.match(walkthrough, /## TPP side: register and manage a client/, 'the walkthrough prose stays')
  const reference = doc.slice(doc.indexOf(CLI_REFERENCE_HEADING))
  for (const help of ALL_HELP) assert.ok(reference.includes(`\`\`\`text\n${renderHelp(help)}\n\`\`\``), `open-dcr ${help.command} --help`)
  assert.equal(ALL_HELP.length, new Set(ALL_HELP.map((help) => help.command)).size, 'one help per command')
})
