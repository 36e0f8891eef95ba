/**
 * What the bank registers: the verified request metadata, the SSA's claims flattened to top-level members
 * (UK-DCR-5, CDR-DCR-20, RFC7591-21), metadata taken from differently named SSA claims with the SSA winning
 * (`fromSsa`, BR-DCR-22/23), metadata an extension service asked for, and the bank's metadata policy
 * (defaults, overrides), which may register different values than asked and returns what it registered
 * (UK-DCR-31..33, RFC7591-4/20). Scopes the bank does not support are left out silently (CDR-DCR-16).
 */
import type { Config } from '../config/schema.ts'
import type { Claims } from '../lib/claims.ts'
import { readRoles, scopesOfRoles } from '../validation/ssa-roles.ts'
import { METADATA_SCHEMA } from '../validation/metadata-schema.ts'

/** Client metadata names open-dcr registers: those of the declared schema (RFC 7591 §2, OIDC Registration §2, RFC 8705, UK CIBA, CDR JARM). */
export const KNOWN_METADATA: ReadonlySet<string> = new Set(Object.keys(METADATA_SCHEMA))

/** JWT envelope claims: they describe the JWT, not the client, so they are never registered. */
const ENVELOPE = new Set(['iss', 'sub', 'aud', 'iat', 'exp', 'nbf', 'jti'])

/** Members only the server sets (RFC7591-5, RFC7592-11); a client cannot choose them. */
const SERVER_CONTROLLED = new Set(['client_id', 'client_secret', 'client_id_issued_at', 'client_secret_expires_at', 'registration_access_token', 'registration_client_uri', 'software_statement'])

/** Request members the request may narrow below the SSA's value, so the SSA does not override them. */
const NARROWED_BY_REQUEST = new Set(['redirect_uris', 'scope'])

const isKnown = (name: string): boolean => KNOWN_METADATA.has(name.split('#')[0]!)

/** Scopes the SSA's active roles allow, with the always-allowed ones first (UK-DCR-28/33, BR-DCR-9/21). */
function scopesFromRoles(config: Config, ssa: Claims): string[] {
  const { roleScopes, alwaysAllowed } = config.validators['roles-and-scopes']
  const reading = readRoles(ssa[config.ssa.rolesClaim])
  const roles = reading.kind === 'roles' ? reading.roles : []
  return [...new Set([...alwaysAllowed, ...scopesOfRoles(roles, roleScopes)])]
}

/** CDR-DCR-16: only scopes the bank supports are registered; an empty list filters nothing. */
function supportedOnly(scope: unknown, supported: readonly string[]): unknown {
  if (supported.length === 0 || typeof scope !== 'string') return scope
  return scope
    .split(' ')
    .filter((value) => value !== '' && supported.includes(value))
    .join(' ')
}

/**
 * The metadata to register (without client_id, client_id_issued_at and software_statement). `extension` is
 * what an HTTP extension service asked for (ctx.extensionMetadata): only known client metadata is taken from it.
 */
export function registeredMetadata(config: Config, request: Claims, ssa: Claims | undefined, extension: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const policy = config.metadataPolicy
  const metadata: Record<string, unknown> = { ...structuredClone(policy.defaults) }
  for (const [name, value] of Object.entries(request)) {
    if (ENVELOPE.has(name) || SERVER_CONTROLLED.has(name)) continue
    if (policy.dropUnknownMetadata && !isKnown(name)) continue
    metadata[name] = value
  }
  if (ssa !== undefined) {
    for (const [name, value] of Object.entries(ssa)) {
      if (ENVELOPE.has(name) || SERVER_CONTROLLED.has(name)) continue
      if (NARROWED_BY_REQUEST.has(name) && request[name] !== undefined) continue
      metadata[name] = value // RFC7591-15: the statement wins over the same member sent in the request
    }
    if (policy.redirectUrisFromSsa && metadata.redirect_uris === undefined && Array.isArray(ssa[config.ssa.redirectUrisClaim])) {
      metadata.redirect_uris = ssa[config.ssa.redirectUrisClaim]
    }
    for (const [name, claim] of Object.entries(policy.fromSsa)) {
      if (typeof claim !== 'string' || ssa[claim] === undefined) continue
      if (NARROWED_BY_REQUEST.has(name) && request[name] !== undefined) continue
      metadata[name] = ssa[claim] // BR-DCR-22: the statement's value wins over the request's
    }
    if (policy.scopeFromRoles && metadata.scope === undefined) metadata.scope = scopesFromRoles(config, ssa).join(' ')
  }
  for (const [name, value] of Object.entries(extension)) {
    if (ENVELOPE.has(name) || SERVER_CONTROLLED.has(name) || !isKnown(name)) continue
    metadata[name] = structuredClone(value)
  }
  applyDefaultsWhenRegistered(metadata, policy.defaultsWhenRegistered)
  if (!Object.hasOwn(request, 'response_types') && (ssa === undefined || !Object.hasOwn(ssa, 'response_types'))) alignResponseTypes(metadata)
  Object.assign(metadata, structuredClone(policy.overrides))
  if (metadata.scope !== undefined) metadata.scope = supportedOnly(metadata.scope, policy.supportedScopes)
  return metadata
}

/** `{"<member>": {"<other>": value}}`: `<other>` defaults to value where `<member>` is registered (OIDC Registration §2, JARM §3). */
function applyDefaultsWhenRegistered(metadata: Record<string, unknown>, rules: Readonly<Record<string, unknown>>): void {
  for (const [member, defaults] of Object.entries(rules)) {
    if (metadata[member] === undefined || typeof defaults !== 'object' || defaults === null) continue
    for (const [other, value] of Object.entries(defaults)) if (metadata[other] === undefined) metadata[other] = structuredClone(value)
  }
}

/** Grants that use the authorization endpoint, and so response types (RFC 7591 §2.1). */
const REDIRECT_GRANTS: readonly string[] = ['authorization_code', 'implicit']

/**
 * RFC 7591 §2.1: response types go with the grants that use them. A default `response_types` is not
 * registered for a client none of whose grants uses the authorization endpoint (e.g. client_credentials only).
 */
function alignResponseTypes(metadata: Record<string, unknown>): void {
  const grants = metadata.grant_types
  if (!Array.isArray(grants) || grants.some((grant) => REDIRECT_GRANTS.includes(grant as string))) return
  metadata.response_types = []
}
