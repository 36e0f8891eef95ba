/**
 * roles-and-scopes: the scopes the request asks for are among those its software statement grants, plus the
 * ones every client may have (`alwaysAllowed`, e.g. openid). Where the statement grants them depends on the
 * profile (`scopeSource`):
 * - `roles` (UK-DCR-28, BR-DCR-9, BR-DCR-21): through its roles claim and `roleScopes` (AISP → accounts,
 *   DADOS → accounts ...). The roles are an array of strings (UK), one space-separated string, or Brazil's
 *   `{role, status}` objects, of which only the Active ones count; a role the configuration does not know
 *   grants nothing.
 * - `ssa-scope` (CDR-DCR-16, CDR SSA table): the statement's own `scope` claim (`ssa.scopeClaim`).
 * A request without `scope` passes: the metadata policy then assigns the granted scopes (UK-DCR-33, BR-DCR-21).
 */
import type { ValidationContext, BuiltInValidator } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { readScope, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'
import { readRoles, scopesOfRoles } from '../ssa-roles.ts'

const id = 'roles-and-scopes'
const SSA: ClaimSource = { validator: id, error: 'invalid_software_statement', where: 'software statement' }

type Grant = { granted: string[]; /** How the refusal names what the statement grants. */ by: string }

function grantedByRoles(ctx: ValidationContext, ssa: Claims, beyondDefaults: readonly string[]): Grant {
  const rolesClaim = ctx.config.ssa.rolesClaim
  const reading = readRoles(ssa[rolesClaim])
  if (reading.kind === 'malformed') {
    throw new ValidationError('invalid_software_statement', id, `${rolesClaim} in the software statement must be a role string, an array of role names or an array of {role, status} objects`, { claim: rolesClaim })
  }
  if (reading.kind === 'absent') {
    throw new ValidationError('invalid_software_statement', id, `the software statement has no ${rolesClaim}, so it grants none of the requested scopes ${quoted(beyondDefaults.join(' '))}; use a software statement that carries its roles`, { claim: rolesClaim })
  }
  const inactive = reading.inactive.length > 0 ? ` (not Active: ${reading.inactive.join(' ')})` : ''
  return { granted: scopesOfRoles(reading.roles, ctx.config.validators[id].roleScopes), by: `${rolesClaim} ${quoted(reading.roles.join(' '))}${inactive}` }
}

function grantedByScope(ctx: ValidationContext, ssa: Claims, beyondDefaults: readonly string[]): Grant {
  const scopeClaim = ctx.config.ssa.scopeClaim
  const granted = readScope(ssa, scopeClaim, SSA)
  if (granted === undefined) {
    throw new ValidationError('invalid_software_statement', id, `the software statement has no ${scopeClaim}, so it grants none of the requested scopes ${quoted(beyondDefaults.join(' '))}; use a software statement that carries its scope`, { claim: scopeClaim })
  }
  return { granted, by: scopeClaim }
}

export const rolesAndScopes: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-28', 'UK-DCR-33', 'BR-DCR-9', 'BR-DCR-21', 'CDR-DCR-16'],
  summary: "Requested scopes are within those the software statement grants (through its active roles, or its own scope claim), plus the always-allowed ones.",
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  check(ctx) {
    const options = ctx.config.validators[id]
    const requested = readScope(ctx.request.claims, 'scope', { validator: id, error: 'invalid_client_metadata', where: 'request' })
    if (requested === undefined) return
    const beyondDefaults = requested.filter((scope) => !options.alwaysAllowed.includes(scope))
    // Only scopes beyond the always-allowed ones need the statement; those cannot be judged without it.
    if (beyondDefaults.length === 0) return
    const source = options.scopeSource === 'ssa-scope' ? ctx.config.ssa.scopeClaim : ctx.config.ssa.rolesClaim
    if (ctx.ssa === undefined) {
      throw new ValidationError('invalid_client_metadata', id, `the request asks for scopes ${quoted(beyondDefaults.join(' '))} but carries no software statement whose ${source} could grant them; send a software_statement`, { claim: 'software_statement' })
    }
    const { granted, by } = options.scopeSource === 'ssa-scope' ? grantedByScope(ctx, ctx.ssa.claims, beyondDefaults) : grantedByRoles(ctx, ctx.ssa.claims, beyondDefaults)
    const grantedSet = new Set(granted)
    const refused = beyondDefaults.filter((scope) => !grantedSet.has(scope))
    if (refused.length > 0) {
      const allowed = [...new Set([...options.alwaysAllowed, ...granted])]
      const verb = options.scopeSource === 'ssa-scope' ? 'does not grant' : 'do not grant'
      throw new ValidationError('invalid_client_metadata', id, `scope asks for ${quoted(refused.join(' '))}, which the software statement's ${by} ${verb}; request only ${allowed.join(' ')}`, { claim: 'scope' })
    }
  },
}
