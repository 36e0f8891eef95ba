/**
 * The one writer of audit events (DESIGN.md, Operations): every outcome of every endpoint — registration,
 * management, token, refusals decided at the HTTP layer — becomes an event with the same fields and the same
 * bounds, built here. Events never carry a token, key or whole SSA (SEC-35): a refusal records its error code,
 * the check that refused and its description, which by construction names fields, never secrets.
 */
import type { AuditEvent, AuditOperation, Store } from '../store/store.ts'
import type { RefusalCounter } from './refusal-counter.ts'

export type { AuditOperation } from '../store/store.ts'

/** Longest client id or software id recorded (a hostile URL may carry 64 KiB in {client_id}). */
export const AUDITED_ID_LENGTH = 64
/** Longest description recorded (UK-DCR-43 caps error descriptions at 500 characters). */
export const AUDITED_DETAIL_LENGTH = 500
/** What a server fault records: its details go to the log, not into the trail. */
export const INTERNAL_ERROR_DETAIL = 'internal error'

/** What an event records of the call itself, whatever its outcome. */
export type AuditFacts = {
  /** Epoch milliseconds. */
  at: number
  operation: AuditOperation
  remoteAddress?: string | undefined
  certificateThumbprint?: string | undefined
  clientId?: string | undefined
  softwareId?: string | undefined
}

/** The shape every refusal of this server has: an RFC error code, a description, and the check or reason behind it. */
type Refusal = Error & { error: string; status?: number; validator?: string; reason?: string }

/** A client's mistake (answered 4xx with an RFC error), as opposed to a fault of the server. */
function isRefusal(error: unknown): error is Refusal {
  if (!(error instanceof Error)) return false
  const candidate = error as Partial<Refusal>
  return typeof candidate.error === 'string' && (candidate.status === undefined || candidate.status < 500)
}

const bounded = (value: string | undefined, length: number): string | undefined => (value === undefined ? undefined : value.slice(0, length))

function withFacts(facts: AuditFacts): Omit<AuditEvent, 'outcome'> {
  return {
    at: facts.at,
    operation: facts.operation,
    clientId: bounded(facts.clientId, AUDITED_ID_LENGTH),
    softwareId: bounded(facts.softwareId, AUDITED_ID_LENGTH),
    certificateThumbprint: facts.certificateThumbprint,
    remoteAddress: facts.remoteAddress,
  }
}

/** The event of a call that succeeded; `detail` is a short note such as "signed recovery". */
export function successEvent(facts: AuditFacts, detail?: string): AuditEvent {
  return { ...withFacts(facts), outcome: 'success', ...(detail === undefined ? {} : { detail: bounded(detail, AUDITED_DETAIL_LENGTH) }) }
}

/**
 * The event of a call that failed with `error`. `step` names the step that refused when the error does not
 * name a validator itself (e.g. `management-authorization`, `client-certificate`).
 */
export function failureEvent(error: unknown, facts: AuditFacts, step?: string): AuditEvent {
  if (!isRefusal(error)) return { ...withFacts(facts), outcome: 'error', ...(step === undefined ? {} : { validator: step }), detail: INTERNAL_ERROR_DETAIL }
  const description = error.reason === undefined ? error.message : `${error.reason}: ${error.message}`
  return {
    ...withFacts(facts),
    outcome: 'rejected',
    errorCode: error.error,
    validator: error.validator ?? step,
    detail: bounded(description, AUDITED_DETAIL_LENGTH),
  }
}

export type AuditWriter = {
  /** Records a call that succeeded and wrote nothing else (a read without rotation, a token). */
  succeeded(facts: AuditFacts, detail?: string): Promise<void>
  /** Records a refused or failed call; the caller then answers (or rethrows) the error. */
  failed(error: unknown, facts: AuditFacts, step?: string): Promise<void>
  /**
   * Records a refusal of a request that carried no credential (no or untrusted client certificate, refused
   * before one was looked at): counted per address and reason (refusal-counter.ts) where a counter is given,
   * so that such requests cannot grow the trail at their own rate.
   */
  refusedWithoutCredential(error: unknown, facts: AuditFacts, step?: string): Promise<void>
}

export function createAuditWriter(store: Pick<Store, 'recordAudit'>, refusals?: RefusalCounter): AuditWriter {
  return {
    succeeded: (facts, detail) => store.recordAudit(successEvent(facts, detail)),
    failed: (error, facts, step) => store.recordAudit(failureEvent(error, facts, step)),
    async refusedWithoutCredential(error, facts, step) {
      if (refusals === undefined) return store.recordAudit(failureEvent(error, facts, step))
      refusals.count(failureEvent(error, facts, step))
    },
  }
}
