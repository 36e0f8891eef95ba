/** Writes the generated reference docs (docs/configuration.md, docs/validation.md, docs/errors.md, docs/cli.md's --help section) from the code. */
import { readFileSync, writeFileSync } from 'node:fs'
import { renderCliDoc } from '../src/docs/cli.ts'
import { renderConfigurationDoc } from '../src/docs/configuration.ts'
import { renderErrorsDoc } from '../src/docs/errors.ts'
import { renderValidationDoc } from '../src/docs/validation.ts'

const doc = (name: string) => new URL(`../docs/${name}`, import.meta.url)

writeFileSync(doc('configuration.md'), renderConfigurationDoc())
writeFileSync(doc('validation.md'), renderValidationDoc())
writeFileSync(doc('errors.md'), renderErrorsDoc())
writeFileSync(doc('cli.md'), renderCliDoc(readFileSync(doc('cli.md'), 'utf8')))
console.log("wrote docs/configuration.md, docs/validation.md, docs/errors.md and docs/cli.md's --help reference")
