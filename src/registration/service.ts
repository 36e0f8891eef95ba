/**
 * Registration as a sequence of small steps: decode the body, run the validation pipeline, build what the
 * bank registers, then write client, JTIs and audit event in one transaction. A refused request writes
 * only its audit event (DESIGN.md, Data).
 */
import { randomBytes } from 'node:crypto'
import type { Config } from '../config/schema.ts'
import type { AuditEvent, ClientRecord, Store } from '../store/store.ts'
import { StoreConflictError } from '../store/store.ts'
import type { ClientCertificate, Directories, RemoteKeySets } from '../trust/types.ts'
import type { ValidationContext } from '../validation/context.ts'
import { ValidationError } from '../validation/errors.ts'
import { runPipeline } from '../validation/pipeline.ts'
import { jtisToRecord } from '../validation/validators/jti-replay.ts'
import { registeredMetadata } from './metadata.ts'
import { decodeRegistration } from './request.ts'
import { clientInformation, type ClientInformation } from './response.ts'

export type RegistrationInput = {
  body: string
  /** Lower-case media type without parameters, already accepted by the HTTP layer. */
  mediaType: string
  certificate: ClientCertificate | undefined
  remoteAddress: string
}

export type RegistrationDependencies = {
  config: Config
  store: Store
  directories: Directories
  remoteKeySets: RemoteKeySets
  /** Epoch milliseconds; tests freeze it. */
  clock?: () => number
}

export type RegistrationService = {
  register(input: RegistrationInput): Promise<ClientInformation>
}

const stringOr = (value: unknown, fallback: string | undefined): string | undefined => (typeof value === 'string' && value !== '' ? value : fallback)

export function createRegistrationService(deps: RegistrationDependencies): RegistrationService {
  const { config, store } = deps
  const clock = deps.clock ?? Date.now

  async function refuse(error: unknown, audit: AuditEvent): Promise<never> {
    if (error instanceof ValidationError) {
      await store.recordAudit({ ...audit, outcome: 'rejected', errorCode: error.error, validator: error.validator, detail: error.message.slice(0, 500) })
    } else {
      await store.recordAudit({ ...audit, outcome: 'error', detail: 'internal error' })
    }
    throw error
  }

  async function register(input: RegistrationInput): Promise<ClientInformation> {
    const nowMs = clock()
    const audit: AuditEvent = { at: nowMs, operation: 'create', outcome: 'success', certificateThumbprint: input.certificate?.thumbprint, remoteAddress: input.remoteAddress }
    let ctx: ValidationContext | undefined
    try {
      const decoded = decodeRegistration(input.body, input.mediaType, config)
      ctx = {
        operation: 'create',
        config,
        now: Math.floor(nowMs / 1000),
        request: decoded.request,
        ssa: decoded.ssa,
        directory: undefined,
        certificate: input.certificate,
        directories: deps.directories,
        remoteKeySets: deps.remoteKeySets,
        isJtiUsed: (issuer, jti) => store.isJtiUsed(issuer, jti, Math.floor(nowMs / 1000)),
        client: undefined,
      }
      await runPipeline(ctx)
    } catch (error) {
      const ssaSoftwareId = ctx?.ssa?.claims[config.ssa.softwareIdClaim]
      return refuse(error, { ...audit, softwareId: typeof ssaSoftwareId === 'string' ? ssaSoftwareId.slice(0, 64) : undefined })
    }

    const ssaClaims = ctx.ssa?.claims
    const softwareId = stringOr(ssaClaims?.[config.ssa.softwareIdClaim], stringOr(ctx.request.claims.software_id, stringOr(ctx.request.claims.iss, undefined)))
    const client: ClientRecord = {
      clientId: randomBytes(config.registration.clientIdBytes).toString('base64url'),
      softwareId: softwareId ?? '',
      orgId: stringOr(ssaClaims?.[config.ssa.orgIdClaim], undefined),
      directoryIssuer: ctx.directory?.issuer,
      metadata: registeredMetadata(config, ctx.request.claims, ssaClaims),
      softwareStatement: ctx.ssa?.compact,
      certificateThumbprint: input.certificate?.thumbprint,
      status: 'active',
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }
    const jtis = config.validators['jti-replay'].enabled ? jtisToRecord(ctx) : []
    const success: AuditEvent = { ...audit, clientId: client.clientId, softwareId: client.softwareId }
    try {
      await store.createClient(client, jtis, success, { exclusiveSoftwareId: !config.registration.allowMultiplePerSoftwareId })
    } catch (error) {
      return refuse(conflictAsValidationError(error, client.softwareId, ctx.ssa?.claims.iss), { ...audit, softwareId: client.softwareId })
    }
    return clientInformation(client)
  }

  return { register }
}

/** A unique-key conflict at commit is the same refusal the validators give, raced by another request (SEC-11, SEC-37). */
function conflictAsValidationError(error: unknown, softwareId: string, ssaIssuer: unknown): unknown {
  if (!(error instanceof StoreConflictError)) return error
  if (error.conflict === 'software_id') {
    return new ValidationError('invalid_client_metadata', 'duplicate-registration', `software_id ${softwareId} is already registered; update that registration with PUT /register/{client_id} or delete it first`, { claim: 'software_id' })
  }
  if (error.issuer !== undefined && error.issuer === ssaIssuer) {
    return new ValidationError('invalid_software_statement', 'jti-replay', 'the software statement jti has already been used: obtain a new software statement from the directory', { claim: 'jti' })
  }
  return new ValidationError('invalid_client_metadata', 'jti-replay', 'the request jti has already been used: sign a new request with a fresh jti', { claim: 'jti' })
}
