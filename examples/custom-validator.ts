/**
 * An example custom validator, loaded with `customValidators.modules: ["examples/custom-validator.ts"]`.
 * It refuses client names that pretend to be the bank (RFC7591-28: a client must not register metadata that
 * impersonates someone else), looking at the request's `client_name` and the statement's display names.
 * A custom validator has the contract of the built-in ones (src/validation/context.ts) and refuses by
 * throwing a ValidationError that names the claim and says what to fix.
 */
import type { Validator } from '../src/validation/context.ts'
import { ValidationError } from '../src/validation/errors.ts'

/** Names only the bank itself may use, compared case-insensitively. */
const PROTECTED_NAMES = ['example bank', 'examplebank']

const DISPLAY_NAME_CLAIMS = ['client_name', 'software_client_name', 'org_name'] as const
const ID = 'client-name-not-impersonating'

const clientNameNotImpersonating: Validator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['RFC7591-28'],
  summary: "Display names in the request and the software statement do not use the bank's own name.",
  errors: ['invalid_client_metadata'],
  check(ctx) {
    const sources = [
      { where: 'request', claims: ctx.request.claims },
      { where: 'software statement', claims: ctx.ssa?.claims ?? {} },
    ]
    for (const { where, claims } of sources) {
      for (const claim of DISPLAY_NAME_CLAIMS) {
        const value = claims[claim]
        if (typeof value !== 'string') continue
        const protectedName = PROTECTED_NAMES.find((name) => value.toLowerCase().includes(name))
        if (protectedName !== undefined) {
          throw new ValidationError('invalid_client_metadata', ID, `${claim} in the ${where} uses the bank's name "${protectedName}"; register a name of your own product`, { claim })
        }
      }
    }
  },
}

export default clientNameNotImpersonating
