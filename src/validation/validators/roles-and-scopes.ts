/**
 * roles-and-scopes: the scopes the request asks for are among those its software statement's roles grant
 * (`roleScopes`, e.g. AISP → accounts) plus the ones every client may have (`alwaysAllowed`, e.g. openid)
 * (UK-DCR-28). A request without `scope` passes: the metadata policy then assigns the roles' scopes
 * (UK-DCR-33). The roles are an array of strings (UK, Brazil) or one space-separated string (CDR); a role the
 * configuration does not know grants nothing.
 */
import type { Validator } from '../context.ts'
import { readScope, readStringArray } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../quoted.ts'

const id = 'roles-and-scopes'

export const rolesAndScopes: Validator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-28', 'UK-DCR-33'],
  summary: "Requested scopes are within those granted by the software statement's roles, plus the always-allowed ones.",
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  check(ctx) {
    const options = ctx.config.validators[id]
    const requested = readScope(ctx.request.claims, 'scope', { validator: id, error: 'invalid_client_metadata', where: 'request' })
    if (requested === undefined) return
    const beyondDefaults = requested.filter((scope) => !options.alwaysAllowed.includes(scope))
    // Only scopes beyond the always-allowed ones need the roles; those cannot be judged without them.
    if (beyondDefaults.length === 0) return
    const rolesClaim = ctx.config.ssa.rolesClaim
    if (ctx.ssa === undefined) {
      throw new ValidationError('invalid_software_statement', id, `the request asks for scopes ${quoted(beyondDefaults.join(' '))} but carries no software statement whose ${rolesClaim} could grant them; send a software_statement`, { claim: 'software_statement' })
    }
    const rawRoles = ctx.ssa.claims[rolesClaim]
    const roles =
      typeof rawRoles === 'string'
        ? rawRoles.split(' ').filter((role) => role !== '')
        : readStringArray(ctx.ssa.claims, rolesClaim, { validator: id, error: 'invalid_software_statement', where: 'software statement' })
    if (roles === undefined) {
      throw new ValidationError('invalid_software_statement', id, `the software statement has no ${rolesClaim}, so it grants none of the requested scopes ${quoted(beyondDefaults.join(' '))}; use a software statement that carries its roles`, { claim: rolesClaim })
    }
    const granted = new Set(roles.flatMap((role) => (Object.hasOwn(options.roleScopes, role) ? (options.roleScopes[role] ?? []) : [])))
    const refused = beyondDefaults.filter((scope) => !granted.has(scope))
    if (refused.length > 0) {
      const allowed = [...options.alwaysAllowed, ...granted]
      throw new ValidationError(
        'invalid_client_metadata',
        id,
        `scope asks for ${quoted(refused.join(' '))}, which the software statement's ${rolesClaim} ${quoted(roles.join(' '))} do not grant; request only ${allowed.join(' ')}`,
        { claim: 'scope' },
      )
    }
  },
}
