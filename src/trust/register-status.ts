/**
 * The CDR Register's view of data recipients and software products (CDR-DCR-25..29): fetches Get Data
 * Recipients Statuses and Get Software Products Statuses (public endpoints, `x-v`/`x-min-v` headers) through
 * the bounded fetch (https, timeouts, size cap, no redirects: SEC-14..16), and caches them for
 * `cacheTtlSeconds`. When the cache is older than that, the next read fetches again; if the Register cannot be
 * reached, the cached statuses are still used for `maxStaleSeconds`, after which reads fail closed with a
 * RegisterUnavailableError. A status the Register does not give, or gives in a value it does not define, leaves
 * the last known status in place (CDR-DCR-28). Concurrent reads share one fetch.
 *
 * Response shapes accepted: `{"data":[{"legalEntityId","status"}], "links", "meta"}` and
 * `{"data":[{"softwareProductId","status"}], ...}` (x-v 2 and 3), and the x-v 1 shapes
 * `{"dataRecipients":[{"dataRecipientId","dataRecipientStatus"}]}` / `{"softwareProducts":[{"softwareProductId","softwareProductStatus"}]}`.
 * A `links.next` on the Register's own origin is followed (at most MAX_PAGES pages).
 */
import type { Config } from '../config/schema.ts'
import type { BoundedFetch } from './outbound-http.ts'

/** CDR-DCR-26: the statuses the Register defines. Anything else is "unknown" and ignored (CDR-DCR-28). */
export const DATA_RECIPIENT_STATUSES = ['ACTIVE', 'SUSPENDED', 'REVOKED', 'SURRENDERED'] as const
export const SOFTWARE_PRODUCT_STATUSES = ['ACTIVE', 'INACTIVE', 'REMOVED'] as const
export type DataRecipientStatus = (typeof DATA_RECIPIENT_STATUSES)[number]
export type SoftwareProductStatus = (typeof SOFTWARE_PRODUCT_STATUSES)[number]

/** Most pages followed through `links.next` in one fetch. */
const MAX_PAGES = 20

export type RegisterStatuses = {
  /** Data recipient (legal entity) id → status. */
  readonly dataRecipients: ReadonlyMap<string, DataRecipientStatus>
  /** Software product id → status. */
  readonly softwareProducts: ReadonlyMap<string, SoftwareProductStatus>
  /** When these statuses were last fetched successfully, epoch milliseconds. */
  readonly fetchedAt: number
}

/** The Register could not be asked and the cached statuses are too old (or there are none). */
export class RegisterUnavailableError extends Error {
  /** When the statuses in hand were fetched (epoch ms); undefined when none ever were. */
  readonly lastFetchedAt: number | undefined
  constructor(message: string, lastFetchedAt: number | undefined, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'RegisterUnavailableError'
    this.lastFetchedAt = lastFetchedAt
  }
}

/** What validators and the periodic sync ask of the Register. */
export interface RegisterStatusReader {
  /** Statuses no older than the TTL (fetching if needed), or stale ones within `maxStaleSeconds`; else throws RegisterUnavailableError. */
  statuses(): Promise<RegisterStatuses>
  /** Fetches now, whatever the cache age (the periodic sync); throws RegisterUnavailableError when the Register does not answer properly. */
  refresh(): Promise<RegisterStatuses>
}

export type RegisterStatusOptions = {
  config: Config['validators']['software-status']
  /** createBoundedFetch(config.outbound). */
  fetch: BoundedFetch
  /** Epoch milliseconds; tests move it. */
  clock?: () => number
}

type Entry = { id: string; status: string }

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The entries of one page; throws a plain Error describing what is wrong with the body. */
function entriesOf(body: unknown, kind: 'data-recipients' | 'software-products'): { entries: Entry[]; next: string | undefined } {
  if (!isRecord(body)) throw new Error('the body is not a JSON object')
  const legacyList = kind === 'data-recipients' ? body.dataRecipients : body.softwareProducts
  const list = Array.isArray(body.data) ? body.data : legacyList
  if (!Array.isArray(list)) throw new Error(`the body has no "data" array`)
  const idNames = kind === 'data-recipients' ? ['legalEntityId', 'dataRecipientId'] : ['softwareProductId']
  const statusNames = kind === 'data-recipients' ? ['status', 'dataRecipientStatus'] : ['status', 'softwareProductStatus']
  const entries: Entry[] = []
  for (const item of list) {
    if (!isRecord(item)) continue
    const id = idNames.map((name) => item[name]).find((value) => typeof value === 'string' && value !== '')
    const status = statusNames.map((name) => item[name]).find((value) => typeof value === 'string')
    // An entry without id or status says nothing: the last known status stays (CDR-DCR-28).
    if (typeof id === 'string' && typeof status === 'string') entries.push({ id, status: status.toUpperCase() })
  }
  const links = isRecord(body.links) ? body.links : {}
  return { entries, next: typeof links.next === 'string' && links.next !== '' ? links.next : undefined }
}

const redactOrigin = (url: string): string => (URL.canParse(url) ? new URL(url).origin : '(invalid URL)')

export function createRegisterStatusClient(options: RegisterStatusOptions): RegisterStatusReader {
  const { config, fetch } = options
  const clock = options.clock ?? Date.now
  const base = config.registerBaseUrl.replace(/\/+$/, '')
  const industry = encodeURIComponent(config.industry)
  const urls = {
    'data-recipients': `${base}/cdr-register/v1/${industry}/data-recipients/status`,
    'software-products': `${base}/cdr-register/v1/${industry}/data-recipients/brands/software-products/status`,
  } as const
  const headers: Record<string, string> = { accept: 'application/json', 'x-v': config.apiVersion, ...(config.minApiVersion === '' ? {} : { 'x-min-v': config.minApiVersion }) }

  let current: RegisterStatuses | undefined
  let inFlight: Promise<RegisterStatuses> | undefined

  async function fetchAll(kind: 'data-recipients' | 'software-products'): Promise<Entry[]> {
    const first = urls[kind]
    const origin = new URL(first).origin
    const entries: Entry[] = []
    let url: string | undefined = first
    for (let page = 0; url !== undefined && page < MAX_PAGES; page++) {
      const response: Response = await fetch(url, { headers })
      if (response.status !== 200) throw new Error(`${kind} status endpoint answered HTTP ${response.status}`)
      let body: unknown
      try {
        body = await response.json()
      } catch {
        throw new Error(`${kind} status endpoint did not answer JSON`)
      }
      const parsed = entriesOf(body, kind)
      entries.push(...parsed.entries)
      // Only pages of the Register itself are followed: a link elsewhere would be an SSRF lever.
      url = parsed.next !== undefined && URL.canParse(parsed.next, first) && new URL(parsed.next, first).origin === origin ? new URL(parsed.next, first).href : undefined
    }
    return entries
  }

  /** Merges fresh entries over the last known statuses; undefined statuses and unknown ids keep theirs (CDR-DCR-28). */
  function merge<S extends string>(previous: ReadonlyMap<string, S> | undefined, entries: readonly Entry[], allowed: readonly S[]): Map<string, S> {
    const merged = new Map(previous ?? [])
    for (const { id, status } of entries) if ((allowed as readonly string[]).includes(status)) merged.set(id, status as S)
    return merged
  }

  async function load(): Promise<RegisterStatuses> {
    try {
      const [recipients, products] = await Promise.all([fetchAll('data-recipients'), fetchAll('software-products')])
      current = {
        dataRecipients: merge(current?.dataRecipients, recipients, DATA_RECIPIENT_STATUSES),
        softwareProducts: merge(current?.softwareProducts, products, SOFTWARE_PRODUCT_STATUSES),
        fetchedAt: clock(),
      }
      return current
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      throw new RegisterUnavailableError(`the CDR Register at ${redactOrigin(base)} did not give the participant statuses: ${why}`, current?.fetchedAt, { cause: error })
    }
  }

  function refresh(): Promise<RegisterStatuses> {
    inFlight ??= load().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  return {
    refresh,
    async statuses() {
      const now = clock()
      if (current !== undefined && now - current.fetchedAt < config.cacheTtlSeconds * 1000) return current
      try {
        return await refresh()
      } catch (error) {
        const usable = current !== undefined && now - current.fetchedAt < (config.cacheTtlSeconds + config.maxStaleSeconds) * 1000
        if (usable) return current!
        throw error
      }
    },
  }
}
