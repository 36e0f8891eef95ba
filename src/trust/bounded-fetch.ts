/**
 * The one way open-dcr fetches from the network: a fetch-compatible function for jose's
 * `createRemoteJWKSet` option `[customFetch]`, built on node:https `request` so that every limit is ours
 * (SEC-14..16, UK-DCR-13):
 * - https only (plain http only with `outbound.allowHttp`), TLS 1.2 or later, system CAs plus
 *   `outbound.caFiles` (read once, at creation);
 * - host allow-list `outbound.allowedHosts` (exact names; empty list = any host);
 * - SSRF guard: DNS is resolved once, inside the connection's own `lookup`, and every resolved address is
 *   checked, so the socket connects to exactly the addresses that were checked (no DNS rebinding window).
 *   Loopback/private/link-local/CGNAT/multicast/unspecified/IPv4-mapped/ULA addresses are refused, as are
 *   IP-literal URLs in those ranges, unless `outbound.allowPrivateAddresses`;
 * - no redirects: any 3xx fails;
 * - one timeout for the whole exchange, connect to last body byte (`outbound.timeoutMs`), plus the
 *   caller's AbortSignal;
 * - a response size cap (`outbound.maxResponseBytes`): the body is abandoned as soon as it is exceeded.
 * Every refusal is an OutboundFetchError with a stable `reason`.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { rootCertificates } from 'node:tls'
import type { Config } from '../config/schema.ts'
import { checkOutboundUrl, type OutboundUrlProblemReason } from './outbound-url.ts'
import { readPemCertificates } from './pem-certificates.ts'
import { isForbiddenAddress } from './private-addresses.ts'

export type OutboundFetchErrorReason =
  | OutboundUrlProblemReason
  | 'dns-failure'
  | 'tls'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'redirect'
  | 'too-large'

/** An outbound fetch that was refused or failed; `reason` is stable, `origin` names the server asked. */
export class OutboundFetchError extends Error {
  readonly reason: OutboundFetchErrorReason
  /** scheme://host:port of the URL (empty when the URL did not parse). */
  readonly origin: string

  constructor(reason: OutboundFetchErrorReason, origin: string, message: string, options: { cause?: unknown } = {}) {
    super(origin === '' ? message : `${origin}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'OutboundFetchError'
    this.reason = reason
    this.origin = origin
  }
}

/** The subset of fetch's init that the bounded fetch honours (what jose passes). */
export type BoundedFetchInit = {
  method?: string
  headers?: Headers | Record<string, string>
  signal?: AbortSignal
  /** Accepted for fetch compatibility; redirects are never followed whatever this says. */
  redirect?: string
}

export type BoundedFetch = (url: string | URL, init?: BoundedFetchInit) => Promise<Response>

type OutboundConfig = Config['outbound']
type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void
type Lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void

/** Statuses whose Response must have a null body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

const TLS_ERROR_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
])

function classifyNetworkError(error: NodeJS.ErrnoException): OutboundFetchErrorReason {
  const code = error.code ?? ''
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return 'dns-failure'
  if (TLS_ERROR_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return 'tls'
  return 'network'
}

/** DNS resolution that refuses forbidden addresses; the connection uses exactly what it returns (SEC-15). */
function guardedLookup(origin: string): Lookup {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      const forbidden = addresses.find(({ address }) => isForbiddenAddress(address))
      if (forbidden !== undefined) {
        const refusal = new OutboundFetchError('private-address', origin, `host "${hostname}" resolves to ${forbidden.address}, a loopback, private, link-local or otherwise reserved address`)
        return callback(refusal as NodeJS.ErrnoException, [])
      }
      const first = addresses[0]
      if (first === undefined) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), [])
      if (options.all === true) return callback(null, addresses)
      return callback(null, first.address, first.family)
    })
  }
}

function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers()
  const raw = message.rawHeaders
  for (let index = 0; index + 1 < raw.length; index += 2) headers.append(raw[index]!, raw[index + 1]!)
  return headers
}

/**
 * Builds the bounded fetch for `outbound`. Reads `outbound.caFiles` now (a ConfigError naming
 * `outbound.caFiles` if one is unreadable or holds no certificate), so a bad file stops start-up.
 */
export function createBoundedFetch(outbound: OutboundConfig): BoundedFetch {
  const extraCas = outbound.caFiles.flatMap((file) => readPemCertificates(file, 'outbound.caFiles').map((certificate) => certificate.toString()))
  const ca = [...rootCertificates, ...extraCas]

  return function boundedFetch(target, init = {}) {
    const checked = checkOutboundUrl(target, outbound)
    if (!checked.ok) {
      const origin = URL.canParse(String(target)) ? new URL(String(target)).origin : ''
      return Promise.reject(new OutboundFetchError(checked.reason, origin, checked.message))
    }
    const url = checked.url
    const origin = url.origin
    const method = (init.method ?? 'GET').toUpperCase()
    if (method !== 'GET' && method !== 'HEAD') return Promise.reject(new TypeError(`bounded fetch only sends GET or HEAD, not ${method}`))
    const signal = init.signal
    if (signal?.aborted) return Promise.reject(abortError(origin, signal))

    return new Promise<Response>((resolve, reject) => {
      // Every event below fires asynchronously, after `request`, `timer` and `onAbort` exist.
      let settled = false
      const finish = (outcome: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        outcome()
      }
      const fail = (error: Error): void =>
        finish(() => {
          request.destroy()
          reject(error)
        })

      const options: RequestOptions & { ca?: string[]; minVersion?: 'TLSv1.2' } = {
        method,
        headers: Object.fromEntries(new Headers(init.headers).entries()),
        // A fresh connection per fetch: nothing pooled outlives the checks made for this one.
        agent: false,
      }
      if (!outbound.allowPrivateAddresses) options.lookup = guardedLookup(origin)
      if (url.protocol === 'https:') {
        options.ca = ca
        options.minVersion = 'TLSv1.2'
      }
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest
      const request: ClientRequest = send(url, options, (response) => {
        const status = response.statusCode ?? 0
        if (status >= 300 && status < 400) {
          return fail(new OutboundFetchError('redirect', origin, `answered ${status}; redirects are not followed`))
        }
        const declared = Number(response.headers['content-length'])
        if (Number.isFinite(declared) && declared > outbound.maxResponseBytes) {
          return fail(new OutboundFetchError('too-large', origin, `response of ${declared} bytes is larger than ${outbound.maxResponseBytes} bytes (outbound.maxResponseBytes)`))
        }
        const chunks: Buffer[] = []
        let received = 0
        response.on('data', (chunk: Buffer) => {
          received += chunk.length
          if (received > outbound.maxResponseBytes) {
            fail(new OutboundFetchError('too-large', origin, `response is larger than ${outbound.maxResponseBytes} bytes (outbound.maxResponseBytes)`))
            response.destroy()
            return
          }
          chunks.push(chunk)
        })
        response.on('error', (error: NodeJS.ErrnoException) => fail(new OutboundFetchError('network', origin, `response failed: ${error.code ?? error.message}`, { cause: error })))
        response.on('end', () => {
          let built: Response
          try {
            const body = method === 'HEAD' || NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks)
            built = new Response(body, { status, statusText: response.statusMessage ?? '', headers: headersOf(response) })
          } catch (error) {
            return fail(new OutboundFetchError('network', origin, `unusable HTTP response (status ${status})`, { cause: error }))
          }
          finish(() => resolve(built))
        })
      })
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof OutboundFetchError) return fail(error)
        fail(new OutboundFetchError(classifyNetworkError(error), origin, `request failed: ${error.code ?? error.message}`, { cause: error }))
      })
      const timer = setTimeout(() => fail(new OutboundFetchError('timeout', origin, `no complete response within ${outbound.timeoutMs} ms (outbound.timeoutMs)`)), outbound.timeoutMs)
      const onAbort = (): void => fail(abortError(origin, signal!))
      signal?.addEventListener('abort', onAbort, { once: true })
      request.end()
    })
  }
}

function abortError(origin: string, signal: AbortSignal): OutboundFetchError {
  const reason: unknown = signal.reason
  const timedOut = reason instanceof Error && reason.name === 'TimeoutError'
  return new OutboundFetchError(timedOut ? 'timeout' : 'aborted', origin, timedOut ? "the caller's time limit expired" : 'aborted by the caller', { cause: reason })
}
