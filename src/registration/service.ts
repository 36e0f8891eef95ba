/**
 * Registration and its management as sequences of small steps. Register (RFC 7591): decode the body, run
 * the validation pipeline, build what the bank registers, then write client, JTIs, registration access
 * token and audit event in one transaction. Read, update and delete (RFC 7592) run after the caller was
 * authorised (management-authorization.ts): update runs the same pipeline for operation `update`, checks
 * what an update may not change (update-request.ts) and replaces the metadata in full (RFC7592-9, UK-DCR-7);
 * delete marks the client deleted and removes its registration access tokens (RFC7592-15, UK-DCR-9).
 * A refused request writes only its audit event (DESIGN.md, Data).
 */
import { configForDirectory, profileConfigs } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import type { AuditEvent, ClientRecord, RegistrationTokenRotation, Store } from '../store/store.ts'
import { StoreConflictError } from '../store/store.ts'
import { InvalidTokenError } from '../tokens/bearer-token-errors.ts'
import { issuesRegistrationToken, newRegistrationToken, rotateRegistrationToken, type RegistrationTokenOperation } from '../tokens/registration-token.ts'
import type { ClientCertificate, Directories, RemoteKeySets } from '../trust/types.ts'
import type { Operation, ValidationContext } from '../validation/context.ts'
import { ValidationError } from '../validation/errors.ts'
import { runPipeline } from '../validation/pipeline.ts'
import { jtisToRecord } from '../validation/validators/jti-replay.ts'
import { NOT_THIS_CLIENT, type ManagementAuthorization } from './management-authorization.ts'
import { registeredMetadata } from './metadata.ts'
import { assertProfileAccepts, decodeRegistration, type DecodedRegistration } from './request.ts'
import { duplicateRegistrationError } from './duplicate-registration.ts'
import type { RegisterStatusReader } from '../trust/register-status.ts'
import type { Validator } from '../validation/context.ts'
import { profileErrorDescription } from '../validation/error-description.ts'
import { clientInformation, registrationClientUri, type ClientInformation } from './response.ts'
import { assertRecoveryCertificate, assertRecoveryTarget } from './signed-recovery.ts'
import { assertUpdateRequest, softwareIdOf } from './update-request.ts'
import { newClientId } from './client-id.ts'

export type RegistrationInput = {
  body: string
  /** Lower-case media type without parameters, already accepted by the HTTP layer. */
  mediaType: string
  certificate: ClientCertificate | undefined
  remoteAddress: string
}

/** The connection facts of a read or delete. */
export type ManagementInput = {
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
  /** CDR Register statuses for software-status; absent where no Register is configured. */
  registerStatus?: RegisterStatusReader | undefined
  /** Custom validators (module and HTTP extension), run after the built-in ones. */
  customValidators?: readonly Validator[]
}

export type RegistrationService = {
  register(input: RegistrationInput): Promise<ClientInformation>
  /** RFC7592-7: the client information of an authorised caller (200), with a new registration access token where rotation asks for one. */
  read(clientId: string, auth: ManagementAuthorization, input: ManagementInput): Promise<ClientInformation>
  /** RFC7592-9..13: replaces the registration with a fresh, fully validated request (200). */
  update(clientId: string, input: RegistrationInput, auth: ManagementAuthorization): Promise<ClientInformation>
  /** RFC7592-15: deletes the registration (204). */
  remove(clientId: string, auth: ManagementAuthorization, input: ManagementInput): Promise<void>
  /** POST /register without an acceptable client certificate: refused and audited like any registration (UK-DCR-42: 201 or 400). */
  refuseWithoutCertificate(description: string, remoteAddress: string): Promise<never>
}

/** Id under which a registration without an acceptable client certificate is refused; not a switchable validator. */
export const CLIENT_CERTIFICATE = 'client-certificate'

const stringOr = (value: unknown, fallback: string | undefined): string | undefined => (typeof value === 'string' && value !== '' ? value : fallback)

/** The registration was deleted (or never existed) after the caller was authorised. */
const clientGone = (): InvalidTokenError => new InvalidTokenError('wrong-client', NOT_THIS_CLIENT)

export function createRegistrationService(deps: RegistrationDependencies): RegistrationService {
  const { config, store } = deps
  const clock = deps.clock ?? Date.now
  const usesRegistrationTokens = config.management.tokenKind === 'registration-access-token'
  const anyUnsignedJson = profileConfigs(config).some((profile) => profile.registration.allowUnsignedJson)

  /** Decodes the body and picks the configuration of the SSA's directory (its profile), which must accept the body. */
  function decode(input: RegistrationInput): { decoded: DecodedRegistration; profile: Config } {
    const decoded = decodeRegistration(input.body, input.mediaType, { allowUnsignedJson: anyUnsignedJson })
    const profile = configForDirectory(config, decoded.ssa?.claims.iss)
    assertProfileAccepts(profile, decoded, input.mediaType)
    return { decoded, profile }
  }

  /** The refusal as the client sees it: the profile's wording of the description (errors.descriptions, CDR-DCR-24). */
  const worded = (error: unknown, profile: Config): unknown =>
    error instanceof ValidationError ? new ValidationError(error.error, error.validator, profileErrorDescription(error, profile), { ...(error.claim ? { claim: error.claim } : {}), cause: error }) : error

  async function refuse(error: unknown, audit: AuditEvent): Promise<never> {
    if (error instanceof ValidationError) {
      await store.recordAudit({ ...audit, outcome: 'rejected', errorCode: error.error, validator: error.validator, detail: error.message.slice(0, 500) })
    } else if (error instanceof InvalidTokenError) {
      await store.recordAudit({ ...audit, outcome: 'rejected', errorCode: error.error, validator: 'management-authorization', detail: `${error.reason}: ${error.message}`.slice(0, 500) })
    } else {
      await store.recordAudit({ ...audit, outcome: 'error', detail: 'internal error' })
    }
    throw error
  }

  /** RFC7592-1: in registration-access-token mode every answer names the configuration endpoint, and carries a token just issued. */
  function information(client: ClientRecord, issuedToken?: string): ClientInformation {
    if (!usesRegistrationTokens) return clientInformation(client)
    return clientInformation(client, { registrationClientUri: registrationClientUri(config.issuer, client.clientId), registrationAccessToken: issuedToken })
  }

  /** A new token for `operation`, if registration access tokens are in use and the rotation policy issues one. */
  function nextToken(operation: RegistrationTokenOperation, now: number): { token: string; rotation: RegistrationTokenRotation } | undefined {
    if (!usesRegistrationTokens || !issuesRegistrationToken(config.management.rotation, operation)) return undefined
    return rotateRegistrationToken(now, config.management.rotationGraceSeconds, operation)
  }

  function validationContext(profile: Config, operation: Operation, decoded: DecodedRegistration, certificate: ClientCertificate | undefined, nowMs: number, client: ClientRecord | undefined): ValidationContext {
    const now = Math.floor(nowMs / 1000)
    return {
      operation,
      config: profile,
      registerStatus: deps.registerStatus,
      now,
      request: decoded.request,
      ssa: decoded.ssa,
      directory: undefined,
      certificate,
      directories: deps.directories,
      remoteKeySets: deps.remoteKeySets,
      isJtiUsed: (issuer, jti) => store.isJtiUsed(issuer, jti, now),
      client,
    }
  }

  async function activeClient(clientId: string): Promise<ClientRecord | undefined> {
    const client = await store.getClient(clientId)
    return client?.status === 'active' ? client : undefined
  }

  async function register(input: RegistrationInput): Promise<ClientInformation> {
    const nowMs = clock()
    const audit: AuditEvent = { at: nowMs, operation: 'create', outcome: 'success', certificateThumbprint: input.certificate?.thumbprint, remoteAddress: input.remoteAddress }
    let ctx: ValidationContext | undefined
    let profile = config
    try {
      const chosen = decode(input)
      profile = chosen.profile
      ctx = validationContext(profile, 'create', chosen.decoded, input.certificate, nowMs, undefined)
      await runPipeline(ctx, deps.customValidators)
    } catch (error) {
      const ssaSoftwareId = ctx?.ssa?.claims[profile.ssa.softwareIdClaim]
      return refuse(worded(error, profile), { ...audit, softwareId: typeof ssaSoftwareId === 'string' ? ssaSoftwareId.slice(0, 64) : undefined })
    }

    const ssaClaims = ctx.ssa?.claims
    const client: ClientRecord = {
      clientId: newClientId(profile.registration.clientIdBytes, nowMs),
      softwareId: softwareIdOf(ctx, profile) ?? '',
      orgId: stringOr(ssaClaims?.[profile.ssa.orgIdClaim], undefined),
      directoryIssuer: ctx.directory?.issuer,
      metadata: registeredMetadata(profile, ctx.request.claims, ssaClaims, ctx.extensionMetadata ?? {}),
      softwareStatement: ctx.ssa?.compact,
      certificateThumbprint: input.certificate?.thumbprint,
      status: 'active',
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }
    const jtis = profile.validators['jti-replay'].enabled ? jtisToRecord(ctx) : []
    const success: AuditEvent = { ...audit, clientId: client.clientId, softwareId: client.softwareId }
    const first = usesRegistrationTokens ? newRegistrationToken() : undefined
    try {
      await store.createClient(client, jtis, success, { exclusiveSoftwareId: !profile.registration.allowMultiplePerSoftwareId, registrationTokenHash: first?.hash })
    } catch (error) {
      return refuse(worded(conflictAsValidationError(error, client.softwareId, ctx.ssa?.claims.iss, profile), profile), { ...audit, softwareId: client.softwareId })
    }
    return information(client, first?.token)
  }

  async function read(clientId: string, auth: ManagementAuthorization, input: ManagementInput): Promise<ClientInformation> {
    const nowMs = clock()
    const now = Math.floor(nowMs / 1000)
    const audit: AuditEvent = { at: nowMs, operation: 'read', outcome: 'success', clientId, certificateThumbprint: input.certificate?.thumbprint, remoteAddress: input.remoteAddress }
    // The authorizer has just read the active registration; a read answers that snapshot.
    const client = auth.kind === 'signed-recovery' ? await activeClient(clientId) : auth.client
    if (client === undefined) return refuse(clientGone(), audit)
    const success: AuditEvent = { ...audit, softwareId: client.softwareId }
    const next = auth.kind === 'registration-access-token' ? nextToken('read', now) : undefined
    try {
      if (next === undefined) await store.recordAudit(success)
      else await store.rotateRegistrationToken(clientId, next.rotation, now, success)
    } catch (error) {
      if (await activeClient(clientId)) throw error
      return refuse(clientGone(), audit)
    }
    return information(client, next?.token)
  }

  async function update(clientId: string, input: RegistrationInput, auth: ManagementAuthorization): Promise<ClientInformation> {
    const nowMs = clock()
    const audit: AuditEvent = { at: nowMs, operation: 'update', outcome: 'success', clientId, certificateThumbprint: input.certificate?.thumbprint, remoteAddress: input.remoteAddress }
    const recovery = auth.kind === 'signed-recovery'
    let ctx: ValidationContext
    let client: ClientRecord | undefined
    let profile = config
    try {
      const chosen = decode(input)
      profile = chosen.profile
      client = await activeClient(clientId)
      if (recovery) assertRecoveryTarget(client, chosen.decoded, profile)
      else if (client === undefined) throw clientGone()
      ctx = validationContext(profile, 'update', chosen.decoded, input.certificate, nowMs, client)
      await runPipeline(ctx, deps.customValidators)
      assertUpdateRequest(ctx, client)
      if (recovery) assertRecoveryCertificate(client, input.certificate, ctx.ssa?.claims, profile)
    } catch (error) {
      return refuse(worded(error, profile), { ...audit, softwareId: client?.softwareId })
    }

    const ssaClaims = ctx.ssa?.claims
    const replaced: ClientRecord = {
      ...client,
      orgId: stringOr(ssaClaims?.[profile.ssa.orgIdClaim], client.orgId),
      directoryIssuer: ctx.directory?.issuer ?? client.directoryIssuer,
      metadata: registeredMetadata(profile, ctx.request.claims, ssaClaims, ctx.extensionMetadata ?? {}),
      // A profile where the statement is optional keeps the registered one when an update sends none.
      softwareStatement: ctx.ssa?.compact ?? client.softwareStatement,
      // The registration follows the certificate of the latest proven update (e.g. after a certificate renewal).
      certificateThumbprint: input.certificate?.thumbprint ?? client.certificateThumbprint,
      updatedAt: ctx.now,
    }
    const jtis = profile.validators['jti-replay'].enabled ? jtisToRecord(ctx) : []
    const next = auth.kind === 'access-token' ? undefined : nextToken(recovery ? 'recovery' : 'update', ctx.now)
    const success: AuditEvent = { ...audit, softwareId: client.softwareId, ...(recovery ? { detail: 'signed recovery' } : {}) }
    try {
      await store.updateClient(replaced, jtis, success, { registrationToken: next?.rotation })
    } catch (error) {
      if (!(error instanceof StoreConflictError) && !(await activeClient(clientId))) return refuse(clientGone(), { ...audit, softwareId: client.softwareId })
      return refuse(worded(conflictAsValidationError(error, client.softwareId, ssaClaims?.iss, profile), profile), { ...audit, softwareId: client.softwareId })
    }
    return information(replaced, next?.token)
  }

  async function remove(clientId: string, _auth: ManagementAuthorization, input: ManagementInput): Promise<void> {
    const nowMs = clock()
    const audit: AuditEvent = { at: nowMs, operation: 'delete', outcome: 'success', clientId, certificateThumbprint: input.certificate?.thumbprint, remoteAddress: input.remoteAddress }
    const client = await activeClient(clientId)
    if (client === undefined) return refuse(clientGone(), audit)
    try {
      await store.deleteClient(clientId, Math.floor(nowMs / 1000), { ...audit, softwareId: client.softwareId })
    } catch (error) {
      if (await activeClient(clientId)) throw error
      return refuse(clientGone(), { ...audit, softwareId: client.softwareId })
    }
  }

  function refuseWithoutCertificate(description: string, remoteAddress: string): Promise<never> {
    const error = new ValidationError('unapproved_software_statement', CLIENT_CERTIFICATE, description)
    return refuse(worded(error, config), { at: clock(), operation: 'create', outcome: 'rejected', remoteAddress })
  }

  return { register, read, update, remove, refuseWithoutCertificate }
}

/** A unique-key conflict at commit is the same refusal the validators give, raced by another request (SEC-11, SEC-37). */
function conflictAsValidationError(error: unknown, softwareId: string, ssaIssuer: unknown, profile: Config): unknown {
  if (!(error instanceof StoreConflictError)) return error
  if (error.conflict === 'software_id') return duplicateRegistrationError(profile, softwareId)
  if (error.issuer !== undefined && error.issuer === ssaIssuer) {
    return new ValidationError('invalid_software_statement', 'jti-replay', 'the software statement jti has already been used: obtain a new software statement from the directory', { claim: 'jti' })
  }
  return new ValidationError('invalid_client_metadata', 'jti-replay', 'the request jti has already been used: sign a new request with a fresh jti', { claim: 'jti' })
}
