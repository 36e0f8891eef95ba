/**
 * What open-dcr keeps, behind one interface that the embedded SQLite store and the PostgreSQL store both
 * implement; test/store/contract.ts is the suite any store must pass. Every method that writes does so in
 * one transaction: a registration, its JTIs and its audit event land together or not at all.
 */

export type ClientStatus = 'active' | 'deleted'

export type ClientRecord = {
  /** Random, unguessable (SEC-34). */
  clientId: string
  softwareId: string
  orgId: string | undefined
  /** The `iss` of the directory that signed the SSA, when there was one. */
  directoryIssuer: string | undefined
  /** Registered metadata as returned to the client, without client_id and client_id_issued_at. */
  metadata: Record<string, unknown>
  /** The SSA as received (RFC7591-21 returns it unmodified). */
  softwareStatement: string | undefined
  /** x5t#S256 of the transport certificate the client registered with. */
  certificateThumbprint: string | undefined
  status: ClientStatus
  /** Epoch seconds. */
  createdAt: number
  updatedAt: number
}

/** A JWT id kept until it expires, so that the same JWT is never accepted twice (SEC-11). */
export type UsedJti = {
  /** The JWT's `iss` (request: the software id; SSA: the directory). */
  issuer: string
  jti: string
  /** Epoch seconds after which the JWT can no longer be accepted, so the row may go. */
  expiresAt: number
}

export type AuditOperation = 'create' | 'read' | 'update' | 'delete' | 'token'
export type AuditOutcome = 'success' | 'rejected' | 'error'

/** One attempt, never with keys, secrets or whole tokens (SEC-35). */
export type AuditEvent = {
  /** Epoch milliseconds. */
  at: number
  operation: AuditOperation
  outcome: AuditOutcome
  clientId?: string | undefined
  softwareId?: string | undefined
  /** RFC 7591 / RFC 6750 error code of a refusal. */
  errorCode?: string | undefined
  /** Stable id of the check that refused, e.g. `redirect-uri-subset`. */
  validator?: string | undefined
  certificateThumbprint?: string | undefined
  remoteAddress?: string | undefined
  /** Short explanation (the error description); never a token. */
  detail?: string | undefined
}

export type CreateOptions = {
  /** Refuse a second live registration of the same software id, atomically (SEC-37, CDR-DCR-15). */
  exclusiveSoftwareId: boolean
}

/** Thrown by a write that would reuse a JTI or a software id that must stay unique. */
export class StoreConflictError extends Error {
  readonly conflict: 'jti' | 'software_id'
  readonly issuer: string | undefined
  constructor(conflict: 'jti' | 'software_id', message: string, issuer?: string) {
    super(message)
    this.name = 'StoreConflictError'
    this.conflict = conflict
    this.issuer = issuer
  }
}

export type StoreCounts = { clients: number; jtis: number; auditEvents: number }

export interface Store {
  /** True when (issuer, jti) is recorded and not yet expired at `now` (epoch seconds). */
  isJtiUsed(issuer: string, jti: string, now: number): Promise<boolean>
  /** Inserts the client, its JTIs and the audit event in one transaction; StoreConflictError on a used JTI or software id. */
  createClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent, options: CreateOptions): Promise<void>
  /** Replaces an active client's record, records its JTIs and the audit event in one transaction. */
  updateClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent): Promise<void>
  /** Marks a client deleted (its software id is free again) and records the audit event, in one transaction. */
  deleteClient(clientId: string, at: number, audit: AuditEvent): Promise<void>
  getClient(clientId: string): Promise<ClientRecord | undefined>
  /** Records an audit event on its own (reads, and refusals that write nothing else). */
  recordAudit(event: AuditEvent): Promise<void>
  /** Most recent audit events first. */
  listAudit(limit: number): Promise<AuditEvent[]>
  /** Records one JTI on its own (e.g. a client assertion, RFC 7523); StoreConflictError('jti') when it is live. */
  recordJti(used: UsedJti, now: number): Promise<void>
  /** Refuses an access token before it expires (UK-DCR-6, RFC7592-5); kept until `expiresAt`. */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>
  isAccessTokenRevoked(jti: string, now: number): Promise<boolean>
  /** Deletes JTIs and revoked-token rows expired at `now`; returns how many JTIs. */
  purgeExpiredJtis(now: number): Promise<number>
  counts(): Promise<StoreCounts>
  close(): Promise<void>
}
