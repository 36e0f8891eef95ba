/** Writes the generated reference docs (docs/configuration.md, docs/validation.md, docs/errors.md) from the code. */
import { writeFileSync } from 'node:fs'
import { renderConfigurationDoc } from '../src/docs/configuration.ts'
import { renderErrorsDoc } from '../src/docs/errors.ts'
import { renderValidationDoc } from '../src/docs/validation.ts'

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigurationDoc())
writeFileSync(new URL('../docs/validation.md', import.meta.url), renderValidationDoc())
writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc())
console.log('wrote docs/configuration.md, docs/validation.md and docs/errors.md')
