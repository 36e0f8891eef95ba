/**
 * The periodic sync with the CDR Register (CDR-DCR-25..28): registrations of the CDR directory whose data
 * recipient or software product is no longer ACTIVE are suspended, and suspended ones whose recipient and
 * product are ACTIVE again are reactivated, each change with an audit event. Statuses come fresh from the
 * Register (`refresh`, not the registration-time cache) every 2–5 minutes (CDR-DCR-25). A registration whose
 * recipient or product the Register does not list keeps its status (CDR-DCR-28); if the Register cannot be
 * reached nothing changes and the outcome says so. `planRegisterSync` is the pure decision, `syncWithRegister`
 * applies it through the store interface below, `startRegisterSync` runs it on a timer.
 */
import type { Config } from '../config/schema.ts'
import type { ClientRecord, Store } from '../store/store.ts'
import { RegisterUnavailableError, type DataRecipientStatus, type RegisterStatusReader, type RegisterStatuses, type SoftwareProductStatus } from '../trust/register-status.ts'

/**
 * What the sync needs to know of one registration: its metadata holds the SSA's legal entity id (flattened
 * into it, CDR-DCR-20), by which the data recipient is found. Deleted clients are never changed.
 */
export type SyncClient = Pick<ClientRecord, 'clientId' | 'softwareId' | 'metadata' | 'status'>

/** An audit event of the sync, in the shape of store/store.ts AuditEvent with the two new operations. */
export type RegisterSyncAudit = {
  /** Epoch milliseconds. */
  at: number
  operation: 'suspend' | 'reactivate'
  outcome: 'success'
  clientId: string
  softwareId: string
  validator: 'software-status'
  /** E.g. "software product C632… is INACTIVE at the CDR Register". */
  detail: string
}

/** What the sync uses of the store: the directory's registrations, and a compare-and-set of one status with its audit event. */
export type RegisterSyncStore = {
  listClientsOfDirectory(directoryIssuer: string): Promise<SyncClient[]>
  setClientStatus: Store['setClientStatus']
}

export type SyncChange = {
  clientId: string
  softwareId: string
  from: 'active' | 'suspended'
  to: 'active' | 'suspended'
  /** Why, for the audit event and the log. */
  reason: string
  /** The product is REMOVED (or its recipient REVOKED/SURRENDERED): CDR-DCR-27 asks for clean-up, not only suspension. */
  removed: boolean
}

export type SyncOutcome =
  | { ok: true; changes: SyncChange[]; applied: number; checkedAt: number }
  | { ok: false; reason: string; checkedAt: number }

/** CDR-DCR-26 cascade: these data recipient statuses mean the products are REMOVED, not only inactive. */
const RECIPIENT_GONE: ReadonlySet<DataRecipientStatus> = new Set(['REVOKED', 'SURRENDERED'])

/** Decides, for each registration, whether the Register's statuses call for a change. Pure: no I/O. */
export function planRegisterSync(clients: readonly SyncClient[], statuses: RegisterStatuses, legalEntityIdClaim: string): SyncChange[] {
  const changes: SyncChange[] = []
  for (const client of clients) {
    const legalEntityId = client.metadata[legalEntityIdClaim]
    const recipient: DataRecipientStatus | undefined = typeof legalEntityId === 'string' ? statuses.dataRecipients.get(legalEntityId) : undefined
    const product: SoftwareProductStatus | undefined = statuses.softwareProducts.get(client.softwareId)
    const problems = [
      ...(recipient !== undefined && recipient !== 'ACTIVE' ? [`data recipient ${String(legalEntityId)} is ${recipient}`] : []),
      ...(product !== undefined && product !== 'ACTIVE' ? [`software product ${client.softwareId} is ${product}`] : []),
    ]
    const removed = product === 'REMOVED' || (recipient !== undefined && RECIPIENT_GONE.has(recipient))
    if (problems.length > 0 && client.status === 'active') {
      changes.push({ clientId: client.clientId, softwareId: client.softwareId, from: 'active', to: 'suspended', reason: `${problems.join(' and ')} at the CDR Register`, removed })
    } else if (problems.length === 0 && client.status === 'suspended' && recipient === 'ACTIVE' && product === 'ACTIVE') {
      // Only a Register that positively says ACTIVE for both lifts a suspension; silence keeps it (CDR-DCR-28).
      changes.push({ clientId: client.clientId, softwareId: client.softwareId, from: 'suspended', to: 'active', reason: `data recipient ${String(legalEntityId)} and software product ${client.softwareId} are ACTIVE at the CDR Register`, removed: false })
    }
  }
  return changes
}

export type RegisterSyncOptions = {
  store: RegisterSyncStore
  register: RegisterStatusReader
  /** The `iss` of the CDR Register directory in `directories` (cdr-register). */
  directoryIssuer: string
  config: Config['validators']['software-status']
  /** Epoch milliseconds. */
  clock?: () => number
}

/** One sync run: fresh statuses, the plan, each change applied with its audit event. */
export async function syncWithRegister(options: RegisterSyncOptions): Promise<SyncOutcome> {
  const clock = options.clock ?? Date.now
  let statuses: RegisterStatuses
  try {
    statuses = await options.register.refresh()
  } catch (error) {
    if (!(error instanceof RegisterUnavailableError)) throw error
    return { ok: false, reason: error.message, checkedAt: clock() }
  }
  const clients = await options.store.listClientsOfDirectory(options.directoryIssuer)
  const changes = planRegisterSync(clients, statuses, options.config.legalEntityIdClaim)
  let applied = 0
  for (const change of changes) {
    const audit: RegisterSyncAudit = {
      at: clock(),
      operation: change.to === 'suspended' ? 'suspend' : 'reactivate',
      outcome: 'success',
      clientId: change.clientId,
      softwareId: change.softwareId,
      validator: 'software-status',
      detail: change.reason.slice(0, 500),
    }
    if (await options.store.setClientStatus(change.clientId, change.from, change.to, audit)) applied++
  }
  return { ok: true, changes, applied, checkedAt: clock() }
}

export type RegisterSyncTimer = { stop(): void }

/**
 * Runs syncWithRegister now and then every `intervalSeconds` (CDR-DCR-25: 120–300), never two at once.
 * `onOutcome` receives each result (log it); an unexpected error goes to `onError` and the timer keeps going.
 */
export function startRegisterSync(options: RegisterSyncOptions & { intervalSeconds: number; onOutcome?: (outcome: SyncOutcome) => void; onError?: (error: unknown) => void }): RegisterSyncTimer {
  let running = false
  const run = async (): Promise<void> => {
    if (running) return
    running = true
    try {
      options.onOutcome?.(await syncWithRegister(options))
    } catch (error) {
      options.onError?.(error)
    } finally {
      running = false
    }
  }
  void run()
  const timer = setInterval(() => void run(), options.intervalSeconds * 1000)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
