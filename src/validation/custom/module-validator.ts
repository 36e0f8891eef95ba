/**
 * Custom validators from modules (`customValidators.modules`): each path is imported once at start and its
 * default export must be a validator with the built-in contract (`{ id, operations, requirements, summary,
 * errors, check(ctx) }`, validation/context.ts) or an array of them. A module that cannot be loaded or does not
 * fit the contract stops start-up with a ConfigError naming the module, so a typo never silently drops a
 * check. The validators run after the built-in ones (examples/custom-validator.ts shows one).
 */
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigError } from '../../config/fields.ts'
import { VALIDATOR_IDS } from '../../config/schema.ts'
import type { Validator } from '../context.ts'
import type { RegistrationErrorCode } from '../errors.ts'

const OPERATIONS: readonly string[] = ['create', 'update']
const ERROR_CODES: readonly RegistrationErrorCode[] = ['invalid_client_metadata', 'invalid_redirect_uri', 'invalid_software_statement', 'unapproved_software_statement']
/** Ids reserved for checks that are not modules: the built-in ones, refusals outside the pipeline, the HTTP extension. */
const RESERVED_IDS: ReadonlySet<string> = new Set([...VALIDATOR_IDS, 'request-format', 'duplicate-registration', 'http-extension'])

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string')

/** Why `candidate` is not a validator, or undefined when it is one. */
function contractProblem(candidate: unknown): string | undefined {
  if (typeof candidate !== 'object' || candidate === null) return 'is not an object'
  const v = candidate as Record<string, unknown>
  if (typeof v.id !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(v.id)) return 'needs an `id` of lower-case letters, digits and dashes'
  if (RESERVED_IDS.has(v.id)) return `has id "${v.id}", which a built-in check uses`
  if (!isStringArray(v.operations) || v.operations.length === 0 || !v.operations.every((operation) => OPERATIONS.includes(operation))) return `"${v.id}" needs \`operations\`: a non-empty list of create, update`
  if (!isStringArray(v.requirements)) return `"${v.id}" needs \`requirements\`: a list of requirement ids (may be empty)`
  if (typeof v.summary !== 'string' || v.summary === '') return `"${v.id}" needs a \`summary\` line`
  if (!isStringArray(v.errors) || v.errors.length === 0 || !v.errors.every((code) => (ERROR_CODES as readonly string[]).includes(code))) return `"${v.id}" needs \`errors\`: the RFC 7591 codes it answers with (${ERROR_CODES.join(', ')})`
  if (typeof v.check !== 'function') return `"${v.id}" needs a \`check(ctx)\` function`
  return undefined
}

/**
 * Imports every module and returns their validators in configuration order. `baseDir` resolves relative
 * paths (default the working directory). Throws ConfigError (`customValidators.modules[<i>]`).
 */
export async function loadValidatorModules(paths: readonly string[], baseDir: string = process.cwd()): Promise<Validator[]> {
  const validators: Validator[] = []
  const seen = new Set<string>()
  for (const [index, path] of paths.entries()) {
    const key = `customValidators.modules[${index}]`
    const absolute = isAbsolute(path) ? path : resolve(baseDir, path)
    let loaded: { default?: unknown }
    try {
      loaded = (await import(pathToFileURL(absolute).href)) as { default?: unknown }
    } catch (error) {
      throw new ConfigError(key, `cannot load ${absolute}: ${(error as Error).message}`)
    }
    if (loaded.default === undefined) throw new ConfigError(key, `${absolute} has no default export; export default a validator or an array of validators`)
    const candidates = Array.isArray(loaded.default) ? loaded.default : [loaded.default]
    if (candidates.length === 0) throw new ConfigError(key, `${absolute} exports an empty list of validators`)
    for (const candidate of candidates) {
      const problem = contractProblem(candidate)
      if (problem !== undefined) throw new ConfigError(key, `the validator exported by ${absolute} ${problem}`)
      const validator = candidate as Validator
      if (seen.has(validator.id)) throw new ConfigError(key, `validator id "${validator.id}" is exported twice`)
      seen.add(validator.id)
      validators.push(validator)
    }
  }
  return validators
}
