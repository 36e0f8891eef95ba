/**
 * The roles a software statement grants, whatever shape its roles claim has: an array of role names (UK
 * `software_roles`, UK-DCR-28), one space-separated string (CDR `software_roles`), or an array of
 * `{role, status, ...}` objects of which only those with status Active count (Brazil
 * `software_statement_roles`, BR-DCR-9). Shared by the roles-and-scopes check and the metadata policy, so the
 * scopes that are checked and the scopes that are registered come from the same roles.
 */

/** Status of a Brazil role object that counts (BR-DCR-9); compared case-insensitively. */
const ACTIVE_STATUS = 'active'

export type RolesReading =
  | { kind: 'absent' }
  | { kind: 'malformed' }
  /** `roles`: the active roles; `inactive`: role names listed with another status, for messages. */
  | { kind: 'roles'; roles: string[]; inactive: string[] }

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Reads a roles claim value; never throws. */
export function readRoles(value: unknown): RolesReading {
  if (value === undefined) return { kind: 'absent' }
  if (typeof value === 'string') return { kind: 'roles', roles: value.split(' ').filter((role) => role !== ''), inactive: [] }
  if (!Array.isArray(value)) return { kind: 'malformed' }
  const roles: string[] = []
  const inactive: string[] = []
  for (const item of value) {
    if (typeof item === 'string') {
      roles.push(item)
    } else if (isRecord(item) && typeof item.role === 'string' && typeof item.status === 'string') {
      ;(item.status.toLowerCase() === ACTIVE_STATUS ? roles : inactive).push(item.role)
    } else {
      return { kind: 'malformed' }
    }
  }
  return { kind: 'roles', roles, inactive }
}

/** The scopes `roles` grant through `roleScopes`; a role the map does not know grants nothing. */
export function scopesOfRoles(roles: readonly string[], roleScopes: Readonly<Record<string, readonly string[]>>): string[] {
  return [...new Set(roles.flatMap((role) => (Object.hasOwn(roleScopes, role) ? (roleScopes[role] ?? []) : [])))]
}
