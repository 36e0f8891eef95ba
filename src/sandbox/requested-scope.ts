/**
 * The scope a TPP asks for, read from its software statement rather than fixed: UK, the scopes of the SSA's
 * `software_roles` (UK-DCR-28: AISP → accounts, PISP → payments, CBPII → fundsconfirmations, with openid);
 * plain RFC 7591, the statement's own `scope` (RFC7591-13). A CDR request asks for none (the Register's SSA
 * grants them, CDR-DCR-16) and a Brazil request leaves it out, so the bank grants the full set of the active
 * roles (BR-DCR-21). Undefined: leave `scope` out of the request.
 */
import type { JWTPayload } from 'jose'
import type { SsaShape } from './ssa-shapes.ts'

/** UK-DCR-28. */
const UK_ROLE_SCOPES: Readonly<Record<string, string>> = { AISP: 'accounts', PISP: 'payments', CBPII: 'fundsconfirmations' }

export function requestedScope(shape: SsaShape, ssa: JWTPayload | undefined): string | undefined {
  if (ssa === undefined) return undefined
  switch (shape) {
    case 'uk': {
      const roles = Array.isArray(ssa.software_roles) ? ssa.software_roles : []
      const scopes = [...new Set(roles.flatMap((role) => (typeof role === 'string' && Object.hasOwn(UK_ROLE_SCOPES, role) ? [UK_ROLE_SCOPES[role]!] : [])))]
      return scopes.length === 0 ? undefined : ['openid', ...scopes].join(' ')
    }
    case 'rfc7591':
      return typeof ssa.scope === 'string' && ssa.scope.trim() !== '' ? ssa.scope : undefined
    case 'cdr':
    case 'brazil':
      return undefined
  }
}
