/**
 * What an update (PUT /register/{client_id}) must satisfy beyond the validation pipeline, checked on the
 * verified request: the members only the server sets are not sent (RFC7592-11; open-dcr refuses them
 * rather than ignoring them), a `client_id` if sent names the client of the URL (RFC7592-10, RFC7592-14),
 * no `client_secret` is sent, as open-dcr issues none (RFC7592-12), and the software stays the same
 * (UK-DCR-7, request-issuer): this check holds even when request-issuer is switched off, so a software
 * statement of other software can never take over a registration.
 */
import type { Config } from '../config/schema.ts'
import type { ClientRecord } from '../store/store.ts'
import type { ValidationContext } from '../validation/context.ts'
import { ValidationError } from '../validation/errors.ts'
import { quoted } from '../lib/quoted.ts'

/** Id under which these refusals are reported (docs/management.md). */
export const UPDATE_REQUEST = 'update-request'

/** RFC7592-11: members the server issues, which an update must not carry. */
export const SERVER_ISSUED_MEMBERS = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'] as const

const stringOr = (value: unknown, fallback: string | undefined): string | undefined => (typeof value === 'string' && value !== '' ? value : fallback)

/** The software id a request names: its SSA's, else the request's software_id, else its iss (as registration takes it). */
export function softwareIdOf(ctx: Pick<ValidationContext, 'request' | 'ssa'>, config: Config): string | undefined {
  return stringOr(ctx.ssa?.claims[config.ssa.softwareIdClaim], stringOr(ctx.request.claims.software_id, stringOr(ctx.request.claims.iss, undefined)))
}

/** Throws a ValidationError (`invalid_client_metadata`, validator `update-request`) for an update that may not replace `client`. */
export function assertUpdateRequest(ctx: ValidationContext, client: ClientRecord): void {
  const claims = ctx.request.claims
  for (const member of SERVER_ISSUED_MEMBERS) {
    if (claims[member] !== undefined) {
      throw new ValidationError('invalid_client_metadata', UPDATE_REQUEST, `${member} must not be sent in an update: only the server issues it (RFC 7592 section 2.2); remove it from the request`, { claim: member })
    }
  }
  if (claims.client_secret !== undefined) {
    throw new ValidationError('invalid_client_metadata', UPDATE_REQUEST, 'client_secret must not be sent: this server issues no client secrets; remove it from the request', { claim: 'client_secret' })
  }
  if (claims.client_id !== undefined && claims.client_id !== client.clientId) {
    throw new ValidationError('invalid_client_metadata', UPDATE_REQUEST, 'client_id must equal the client being updated, the {client_id} of the URL', { claim: 'client_id' })
  }
  // A client registered without any software id (plain RFC 7591) is registered for '' and updated without one.
  const softwareId = softwareIdOf(ctx, ctx.config)
  if ((softwareId ?? '') !== client.softwareId) {
    throw new ValidationError('invalid_client_metadata', UPDATE_REQUEST, `software_id cannot change: this client is registered for software_id ${quoted(client.softwareId)}, the request names ${quoted(softwareId)}`, { claim: 'software_id' })
  }
}
