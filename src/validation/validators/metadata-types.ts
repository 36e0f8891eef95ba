/**
 * metadata-types: every client metadata field of the request and every software statement claim that becomes
 * metadata has its declared type and bounds (validation/metadata-schema.ts; RFC 7591 §2, OIDC Registration §2,
 * RFC 8705, SEC-19, SEC-22), so that an object where a name belongs, a string where a JWK Set belongs or a
 * 40 KB array is refused rather than stored and echoed. A `jwks_uri` must pass the outbound policy
 * (trust/outbound-url.ts: https, allowed hosts, no private address literal) here, not first at /token.
 * A new registration must not send what only the server issues (client_id, client_secret,
 * registration_access_token, ...: RFC 7591 §3.2.1); an update's are checked by update-request.
 * Members open-dcr does not know are dropped from the request (`metadataPolicy.dropUnknownMetadata`) or, when
 * kept, and always for the software statement, bounded in number and size (`metadataPolicy.maxUnknownMembers`,
 * `maxUnknownMemberBytes`).
 */
import type { Config } from '../../config/schema.ts'
import type { Claims } from '../../lib/claims.ts'
import { checkOutboundUrl } from '../../trust/outbound-url.ts'
import type { BuiltInValidator, ValidationContext } from '../context.ts'
import { ValidationError, type RegistrationErrorCode } from '../errors.ts'
import { fieldTypeOf, SERVER_ISSUED_METADATA, SSA_CLAIM_TYPES, typeProblem, type FieldType } from '../metadata-schema.ts'

const ID = 'metadata-types'

/** JWT claims that describe the JWT, not the client: typed by the checks that read them (freshness, audience, jti-replay). */
const ENVELOPE: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'iat', 'exp', 'nbf', 'jti', 'software_statement'])

type Part = { readonly claims: Claims; readonly where: string; readonly error: RegistrationErrorCode }

const refuse = (error: RegistrationErrorCode, claim: string, description: string): never => {
  throw new ValidationError(error, ID, description, { claim })
}

/** The type a software statement claim has as metadata: its own name's, the metadata it is taken as (`fromSsa`), or the regime's (`ssa.*`). */
function ssaClaimType(config: Config, name: string): FieldType | undefined {
  const own = fieldTypeOf(name)
  if (own !== undefined) return own
  for (const [metadata, claim] of Object.entries(config.metadataPolicy.fromSsa)) {
    if (claim === name) return fieldTypeOf(metadata)
  }
  if (name === config.ssa.redirectUrisClaim) return fieldTypeOf('redirect_uris')
  if (config.ssa.uriClaims.includes(name)) return SSA_CLAIM_TYPES.uriClaims
  for (const key of ['softwareIdClaim', 'orgIdClaim', 'jwksUriClaim', 'revokedJwksUriClaim'] as const) {
    if (config.ssa[key] === name) return SSA_CLAIM_TYPES[key]
  }
  return undefined
}

function checkType(ctx: ValidationContext, part: Part, name: string, value: unknown, type: FieldType): void {
  const problem = typeProblem(value, type)
  if (problem !== undefined) {
    // RFC 7591 §3.2.2: a bad redirect_uris value answers invalid_redirect_uri.
    const error = part.error === 'invalid_client_metadata' && name === 'redirect_uris' ? 'invalid_redirect_uri' : part.error
    refuse(error, name, `${name} in the ${part.where} ${problem}`)
  }
  if (type.kind === 'fetched-url') {
    const check = checkOutboundUrl(value as string, ctx.config.outbound)
    if (!check.ok) refuse(part.error, name, `${name} in the ${part.where} ${check.message}: the server fetches the client's keys from it (outbound policy)`)
  }
}

/** Refuses more unknown members than `maxUnknownMembers`, or one larger than `maxUnknownMemberBytes` as JSON. */
function checkUnknown(config: Config, part: Part, unknown: readonly [string, unknown][]): void {
  const { maxUnknownMembers, maxUnknownMemberBytes } = config.metadataPolicy
  if (unknown.length > maxUnknownMembers) {
    refuse(part.error, unknown[maxUnknownMembers]![0], `the ${part.where} has ${unknown.length} members that are not client metadata this server knows (${unknown[maxUnknownMembers]![0]} and others); at most ${maxUnknownMembers} are kept`)
  }
  for (const [name, value] of unknown) {
    const bytes = Buffer.byteLength(JSON.stringify(value))
    if (bytes > maxUnknownMemberBytes) refuse(part.error, name, `${name} in the ${part.where} is ${bytes} bytes of JSON; a member this server does not know may be at most ${maxUnknownMemberBytes} bytes`)
  }
}

function checkRequest(ctx: ValidationContext): void {
  const part: Part = { claims: ctx.request.claims, where: 'request', error: 'invalid_client_metadata' }
  if (ctx.operation === 'create') {
    for (const name of SERVER_ISSUED_METADATA) {
      if (part.claims[name] !== undefined) refuse(part.error, name, `${name} must not be sent in a registration request: only the server issues it (RFC 7591 section 3.2.1); remove it`)
    }
  }
  const unknown: [string, unknown][] = []
  for (const [name, value] of Object.entries(part.claims)) {
    if (ENVELOPE.has(name) || SERVER_ISSUED_METADATA.includes(name)) continue
    const type = fieldTypeOf(name)
    if (type !== undefined) checkType(ctx, part, name, value, type)
    else if (!ctx.config.metadataPolicy.dropUnknownMetadata) unknown.push([name, value])
  }
  checkUnknown(ctx.config, part, unknown)
}

function checkSoftwareStatement(ctx: ValidationContext, claims: Claims): void {
  const part: Part = { claims, where: 'software statement', error: 'invalid_software_statement' }
  const unknown: [string, unknown][] = []
  for (const [name, value] of Object.entries(claims)) {
    if (ENVELOPE.has(name) || SERVER_ISSUED_METADATA.includes(name)) continue
    const type = ssaClaimType(ctx.config, name)
    if (type !== undefined) checkType(ctx, part, name, value, type)
    else unknown.push([name, value])
  }
  checkUnknown(ctx.config, part, unknown)
}

export const metadataTypes: BuiltInValidator = {
  id: ID,
  operations: ['create', 'update'],
  requirements: ['RFC7591-5', 'RFC7591-6', 'RFC7591-24', 'RFC7591-27', 'OIDCR-5', 'SEC-14', 'SEC-19', 'SEC-22'],
  summary: 'Every known metadata field of the request and of the software statement has its declared type and bounds (metadata-schema.ts), jwks_uri passes the outbound policy, nothing only the server issues is sent, and unknown members kept are bounded.',
  errors: ['invalid_client_metadata', 'invalid_redirect_uri', 'invalid_software_statement'],
  check(ctx) {
    checkRequest(ctx)
    if (ctx.ssa !== undefined) checkSoftwareStatement(ctx, ctx.ssa.claims)
  },
}
