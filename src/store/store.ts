/**
 * What open-dcr keeps, behind one interface that the embedded SQLite store and the PostgreSQL store both
 * implement; test/store/contract.ts is the suite any store must pass. Every method that writes does so in
 * one transaction: a registration, its JTIs, its registration access token and its audit event land
 * together or not at all. Registration access tokens are kept only as SHA-256 hashes (RFC7592-17, SEC-32).
 */

/** `suspended`: the Register reports the software inactive (CDR-DCR-27); refused like a deleted client, but reactivated when it is active again. */
export type ClientStatus = 'active' | 'suspended' | 'deleted'

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

export type AuditOperation = 'create' | 'read' | 'update' | 'delete' | 'token' | 'suspend' | 'reactivate'
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
  /** How many identical refusals without credentials this one row stands for (audit/refusal-counter.ts); absent: one. */
  count?: number | undefined
}

export type CreateOptions = {
  /** Refuse a second live registration of the same software id, atomically (SEC-37, CDR-DCR-15). */
  exclusiveSoftwareId: boolean
  /** SHA-256 hash of the client's first RFC 7592 registration access token, stored with the client (RFC7592-1). */
  registrationTokenHash?: string | undefined
  /** Most live (active or suspended) registrations of the software id, this one included; 0 or absent: no cap. */
  maxClientsPerSoftware?: number | undefined
  /** Most live registrations of the client's org_id, this one included; 0 or absent: no cap. */
  maxClientsPerOrganisation?: number | undefined
}

/**
 * A new registration access token that replaces the client's current one (RFC7592-8). Every earlier token
 * of the client stays valid until `previousValidUntil` at the latest (the grace period, so that a lost
 * response does not lock the client out); `previousValidUntil` equal to "now" ends them at once.
 */
export type RegistrationTokenRotation = {
  /** SHA-256 hash (base64url) of the new token; the token itself is never stored. */
  hash: string
  /** Epoch seconds. */
  previousValidUntil: number
}

export type UpdateOptions = {
  /** Replace the registration access token in the same transaction as the update. */
  registrationToken?: RegistrationTokenRotation | undefined
}

/** What a refused write would have broken: a used JTI, a software id that must stay unique, a client cap. */
export type StoreConflict = 'jti' | 'software_id' | 'software_cap' | 'organisation_cap'

/** Thrown by a write that would reuse a JTI or a software id that must stay unique, or pass a client cap. */
export class StoreConflictError extends Error {
  readonly conflict: StoreConflict
  readonly issuer: string | undefined
  constructor(conflict: StoreConflict, message: string, issuer?: string) {
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
  /**
   * Inserts the client, its JTIs and the audit event in one transaction; StoreConflictError on a used JTI or
   * software id, or when the client would pass a cap of `options` (counted in the same transaction).
   */
  createClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent, options: CreateOptions): Promise<void>
  /**
   * Replaces an active client's record, records its JTIs, the audit event and, if given, a new registration
   * access token, in one transaction ("now" for JTIs and tokens is `client.updatedAt`).
   */
  updateClient(client: ClientRecord, jtis: readonly UsedJti[], audit: AuditEvent, options?: UpdateOptions): Promise<void>
  /** Marks a client deleted (its software id is free again), removes its registration access tokens and records the audit event, in one transaction. */
  deleteClient(clientId: string, at: number, audit: AuditEvent): Promise<void>
  getClient(clientId: string): Promise<ClientRecord | undefined>
  /** Clients that are active or suspended (not deleted) and whose SSA came from `directoryIssuer`. */
  listClientsOfDirectory(directoryIssuer: string): Promise<ClientRecord[]>
  /** Moves a client from status `from` to `to` with its audit event, in one transaction; false when it was not in `from` (compare-and-set). */
  setClientStatus(clientId: string, from: 'active' | 'suspended', to: 'active' | 'suspended', audit: AuditEvent): Promise<boolean>
  /** Records an audit event on its own (reads, and refusals that write nothing else). */
  recordAudit(event: AuditEvent): Promise<void>
  /** Most recent audit events first. */
  listAudit(limit: number): Promise<AuditEvent[]>
  /** Records one JTI on its own (e.g. a client assertion, RFC 7523); StoreConflictError('jti') when it is live. */
  recordJti(used: UsedJti, now: number): Promise<void>
  /** Refuses an access token before it expires (UK-DCR-6, RFC7592-5); kept until `expiresAt`. */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>
  isAccessTokenRevoked(jti: string, now: number): Promise<boolean>
  /** The active client whose registration access token has this hash and is still valid at `now` (epoch seconds). */
  findRegistrationToken(hash: string, now: number): Promise<string | undefined>
  /** Replaces an active client's registration access token and records the audit event, in one transaction (RFC7592-8). */
  rotateRegistrationToken(clientId: string, rotation: RegistrationTokenRotation, now: number, audit: AuditEvent): Promise<void>
  /** Ends one registration access token at once, e.g. one presented for another client (RFC7592-5). */
  revokeRegistrationToken(hash: string): Promise<void>
  /** Deletes audit events recorded before `before` (epoch milliseconds, store.auditRetentionDays); returns how many. */
  purgeAuditEvents(before: number): Promise<number>
  /** Deletes JTIs, revoked-token rows and registration access tokens expired at `now`; returns how many JTIs. */
  purgeExpiredJtis(now: number): Promise<number>
  counts(): Promise<StoreCounts>
  close(): Promise<void>
}
