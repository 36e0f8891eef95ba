/** Writes the generated reference docs (docs/configuration.md, docs/validation.md) from the code. */
import { writeFileSync } from 'node:fs'
import { renderConfigurationDoc } from '../src/docs/configuration.ts'
import { renderValidationDoc } from '../src/docs/validation.ts'

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigurationDoc())
writeFileSync(new URL('../docs/validation.md', import.meta.url), renderValidationDoc())
console.log('wrote docs/configuration.md and docs/validation.md')
