/**
 * Claims given on the command line: `--claims FILE` (a JSON object), then each `--claim name=value` in
 * order, then each `--omit name`. A value that parses as JSON is taken as JSON (`["https://a/cb"]`, `600`,
 * `true`, `null`, `"quoted"`), anything else as a string. An omitted claim maps to `undefined`, which the
 * sandbox builders read as "leave this claim out" (for negative tests).
 */
import { isPrototypeKey } from '../lib/claims.ts'
import { readFile } from 'node:fs/promises'
import { UsageError } from './usage-error.ts'

export type ClaimArguments = {
  /** `--claims FILE`: a JSON object of claims. */
  claimsFile?: string | undefined
  /** `--claim name=value`, repeatable. */
  claim?: readonly string[] | undefined
  /** `--omit name`, repeatable. */
  omit?: readonly string[] | undefined
}

const CLAIM_NAME = /^[A-Za-z0-9_.:-]{1,128}$/
const isClaimName = (name: string): boolean => CLAIM_NAME.test(name) && !isPrototypeKey(name)

/** A `--claim` value: JSON when it parses, else the text itself. */
export function claimValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** The claims the arguments describe; `undefined` values mean "leave out". Throws UsageError on a malformed argument. */
export async function claimsFromArguments({ claimsFile, claim = [], omit = [] }: ClaimArguments): Promise<Record<string, unknown>> {
  const claims: Record<string, unknown> = {}
  if (claimsFile !== undefined) {
    let parsed: unknown
    try {
      parsed = JSON.parse(await readFile(claimsFile, 'utf8'))
    } catch (error) {
      throw new UsageError(`--claims ${claimsFile} is not a readable JSON file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--claims ${claimsFile} must hold a JSON object of claims`)
    for (const [name, value] of Object.entries(parsed)) {
      if (isPrototypeKey(name)) continue
      claims[name] = value
    }
  }
  for (const argument of claim) {
    const equals = argument.indexOf('=')
    const name = equals < 0 ? argument : argument.slice(0, equals)
    if (equals < 0 || !isClaimName(name)) throw new UsageError(`--claim takes name=value (e.g. --claim 'software_roles=["AISP"]'), got "${argument.slice(0, 80)}"`)
    claims[name] = claimValue(argument.slice(equals + 1))
  }
  for (const name of omit) {
    if (!isClaimName(name)) throw new UsageError(`--omit takes a claim name, got "${name.slice(0, 80)}"`)
    claims[name] = undefined
  }
  return claims
}
