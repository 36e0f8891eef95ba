/**
 * The one outbound HTTP client of open-dcr, built on an undici Agent (SEC-14..16, UK-DCR-13). Directory and
 * TPP JWKS and revoked-key sets (through jose's `[customFetch]`, see `createBoundedFetch`), the CDR Register,
 * the extension service and the sandbox TPP's calls to a bank all go through `createOutboundHttp`:
 * - the address guard (trust/private-addresses.ts, SEC-15) is the Agent's connect step: an IP-literal host is
 *   checked before any socket exists; a host name is resolved once, inside the socket's own `lookup`, every
 *   resolved address is checked, and the socket connects only to the addresses checked, so a name that
 *   resolves to a forbidden address is refused and nothing can rebind between check and connect; the peer
 *   the socket reached is checked once more. Off only where the policy allows private addresses (sandbox,
 *   the bank's own extension service, the TPP client);
 * - https only, unless the policy allows http (`outbound.allowHttp`, an http extension URL); TLS 1.2 or
 *   later; the system CAs plus the policy's extra CAs, or, per call, pinned CAs and a client certificate
 *   (mutual TLS), on a connection of that call's own that is closed after it;
 * - host allow-list and URL checks of trust/outbound-url.ts before anything is sent;
 * - no redirects: a 3xx answer is an OutboundFetchError, never followed;
 * - connect, response-headers and body-idle timeouts, and one deadline for the whole exchange;
 * - a response size cap: bytes are counted as they stream in, and the exchange is aborted past the cap.
 * Every refusal is an OutboundFetchError with a stable `reason`.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import type { IncomingHttpHeaders } from 'node:http'
import { isIP, type Socket } from 'node:net'
import { rootCertificates, type ConnectionOptions } from 'node:tls'
import { Agent, buildConnector } from 'undici'
import type { Config } from '../config/schema.ts'
import { checkOutboundUrl, type OutboundUrlProblemReason } from './outbound-url.ts'
import { readPemCertificates } from './pem-certificates.ts'
import { isForbiddenAddress, unbracketHost } from './private-addresses.ts'

export type OutboundFetchErrorReason =
  | OutboundUrlProblemReason
  | 'dns-failure'
  | 'tls'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'redirect'
  | 'too-large'
  | 'media-type'

/** An outbound request that was refused or failed; `reason` is stable, `origin` names the server asked. */
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

/** What a client may reach and how much it takes; one per configured use. */
export type OutboundPolicy = {
  /** Plain http allowed besides https. */
  readonly allowHttp: boolean
  /** The address guard is off (sandbox on loopback, the bank's own services). */
  readonly allowPrivateAddresses: boolean
  /** If not empty, the only hosts reached (exact names). */
  readonly allowedHosts: readonly string[]
  /** Connect, headers and body-idle timeout, and the deadline of the whole exchange, ms. */
  readonly timeoutMs: number
  /** Largest response body accepted, bytes. */
  readonly maxResponseBytes: number
  /** PEM CAs trusted besides the system store. */
  readonly extraCas: readonly string[]
  /** The configuration object named in refusals (`outbound` → "(outbound.timeoutMs)"); none when the limits are not configurable. */
  readonly settings?: string
}

/** One request. A call with its own TLS material gets a connection of its own, closed after it. */
export type OutboundCall = {
  readonly url: string | URL
  /** Default GET. */
  readonly method?: string
  readonly headers?: Headers | Record<string, string>
  readonly body?: string | Buffer
  readonly signal?: AbortSignal | undefined
  /** PEM certificate and key presented to the server (mutual TLS, RFC 8705). */
  readonly clientCertificate?: { readonly certificatePem: string; readonly privateKeyPem: string } | undefined
  /** PEM CAs that alone are trusted for this call (pinning), instead of the system store and the policy's. */
  readonly pinnedCas?: string | readonly string[] | undefined
}

/** A whole answer: the body is read to its end within the size cap. Never a 3xx. */
export type OutboundResponse = {
  readonly status: number
  readonly statusText: string
  /** Lower-case names; a repeated header is an array. */
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export type OutboundHttp = {
  request(call: OutboundCall): Promise<OutboundResponse>
  /** Closes the pooled connections. */
  close(): Promise<void>
}

/** A connected peer or a resolved address the guard refuses; becomes an OutboundFetchError with the origin. */
class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError'
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void
/** How host names are resolved: node:dns `lookup` with `all: true` (the OS resolver, /etc/hosts included). */
export type Resolver = (hostname: string, options: LookupOptions & { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void

/**
 * DNS resolution through `resolve`; with `guard`, every answer is checked and a forbidden one refuses the
 * name (SEC-15). The socket connects to exactly the addresses returned.
 */
const lookupThrough =
  (resolve: Resolver, guard: boolean) =>
  (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      const forbidden = guard ? addresses.find(({ address }) => isForbiddenAddress(address)) : undefined
      if (forbidden !== undefined) {
        return callback(new ForbiddenAddressError(`host "${hostname}" resolves to ${forbidden.address}, a loopback, private, link-local or otherwise special-purpose address`), [])
      }
      const first = addresses[0]
      if (first === undefined) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), [])
      if (options.all === true) return callback(null, addresses)
      return callback(null, first.address, first.family)
    })
  }

/** The Agent's connect step: TLS settings, the connect timeout and, unless the policy lifts it, the address guard. */
function connectorFor(policy: OutboundPolicy, tls: ConnectionOptions, resolve: Resolver): buildConnector.connector {
  const guarded = !policy.allowPrivateAddresses
  const connect = buildConnector({ ...tls, minVersion: 'TLSv1.2', timeout: policy.timeoutMs, allowH2: false, lookup: lookupThrough(resolve, guarded) })
  if (!guarded) return connect
  return (options, callback) => {
    // Node does not call `lookup` for an IP literal, so a literal is checked here.
    const host = unbracketHost(options.hostname)
    if (isIP(host) !== 0 && isForbiddenAddress(host)) {
      return callback(new ForbiddenAddressError(`host ${host} is a loopback, private, link-local or otherwise special-purpose address`), null)
    }
    connect(options, (...result) => {
      const [error, socket] = result
      if (error !== null) return callback(error, null)
      const peer = (socket as Socket).remoteAddress
      if (peer === undefined || isForbiddenAddress(peer)) {
        socket.destroy()
        return callback(new ForbiddenAddressError(`host "${host}" connected to ${peer ?? 'an unknown address'}, a special-purpose address`), null)
      }
      callback(null, socket)
    })
  }
}

const agentFor = (policy: OutboundPolicy, tls: ConnectionOptions, resolve: Resolver): Agent => new Agent({ connect: connectorFor(policy, tls, resolve), allowH2: false })

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

/** " (outbound.timeoutMs)": the setting that bounded a refusal, when the policy comes from configuration. */
const settingOf = (policy: OutboundPolicy, name: 'timeoutMs' | 'maxResponseBytes'): string => (policy.settings === undefined ? '' : ` (${policy.settings}.${name})`)

/** What went wrong, as a stable reason and a message naming the setting that bounded it. */
function outboundErrorOf(error: unknown, origin: string, policy: OutboundPolicy): OutboundFetchError {
  if (error instanceof OutboundFetchError) return error
  if (error instanceof ForbiddenAddressError) return new OutboundFetchError('private-address', origin, error.message)
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? ''
  const limit = `${policy.timeoutMs} ms${settingOf(policy, 'timeoutMs')}`
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new OutboundFetchError('timeout', origin, `no connection within ${limit}`, { cause: error })
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new OutboundFetchError('timeout', origin, `no response headers within ${limit}`, { cause: error })
  if (code === 'UND_ERR_BODY_TIMEOUT') return new OutboundFetchError('timeout', origin, `the body stalled for ${limit}`, { cause: error })
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return new OutboundFetchError('dns-failure', origin, `request failed: ${code}`, { cause: error })
  const tls = TLS_ERROR_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')
  return new OutboundFetchError(tls ? 'tls' : 'network', origin, `request failed: ${code === '' ? String((error as Error | undefined)?.message ?? error) : code}`, { cause: error })
}

function abortError(origin: string, signal: AbortSignal): OutboundFetchError {
  const reason: unknown = signal.reason
  const timedOut = reason instanceof Error && reason.name === 'TimeoutError'
  return new OutboundFetchError(timedOut ? 'timeout' : 'aborted', origin, timedOut ? "the caller's time limit expired" : 'aborted by the caller', { cause: reason })
}

const headerRecord = (headers: Headers | Record<string, string> | undefined): Record<string, string> => Object.fromEntries(new Headers(headers).entries())

/** The TLS settings of a call that brings a client certificate or pinned CAs; undefined for one that does not. */
function tlsOfCall({ clientCertificate, pinnedCas }: OutboundCall, trusted: readonly string[]): ConnectionOptions | undefined {
  if (clientCertificate === undefined && pinnedCas === undefined) return undefined
  return {
    ca: pinnedCas === undefined ? [...trusted] : typeof pinnedCas === 'string' ? [pinnedCas] : [...pinnedCas],
    ...(clientCertificate === undefined ? {} : { cert: clientCertificate.certificatePem, key: clientCertificate.privateKeyPem }),
  }
}

/**
 * The client for `policy`; its pooled connections use the system CAs plus `policy.extraCas`. `resolve`
 * replaces the OS resolver (tests give names the answers an attacker's DNS would).
 */
export function createOutboundHttp(policy: OutboundPolicy, resolve: Resolver = dnsLookup): OutboundHttp {
  const trusted = [...rootCertificates, ...policy.extraCas]
  const pooled = agentFor(policy, { ca: trusted }, resolve)

  async function exchange(agent: Agent, url: URL, call: OutboundCall, signal: AbortSignal): Promise<OutboundResponse> {
    const origin = url.origin
    const response = await agent.request({
      origin,
      path: `${url.pathname}${url.search}`,
      method: (call.method ?? 'GET').toUpperCase(),
      headers: headerRecord(call.headers),
      body: call.body ?? null,
      signal,
      headersTimeout: policy.timeoutMs,
      bodyTimeout: policy.timeoutMs,
    })
    const { statusCode: status, headers, body } = response
    if (status >= 300 && status < 400) {
      body.destroy()
      throw new OutboundFetchError('redirect', origin, `answered ${status}; redirects are not followed`)
    }
    const tooLarge = (size: string): OutboundFetchError => new OutboundFetchError('too-large', origin, `response${size} is larger than ${policy.maxResponseBytes} bytes${settingOf(policy, 'maxResponseBytes')}`)
    const declared = Number(headers['content-length'])
    if (Number.isFinite(declared) && declared > policy.maxResponseBytes) {
      body.destroy()
      throw tooLarge(` of ${declared} bytes`)
    }
    const chunks: Buffer[] = []
    let received = 0
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length
      if (received > policy.maxResponseBytes) {
        body.destroy()
        throw tooLarge('')
      }
      chunks.push(chunk)
    }
    return { status, statusText: response.statusText, headers, body: Buffer.concat(chunks) }
  }

  return {
    async request(call) {
      const checked = checkOutboundUrl(call.url, policy)
      if (!checked.ok) {
        const text = String(call.url)
        throw new OutboundFetchError(checked.reason, URL.canParse(text) ? new URL(text).origin : '', checked.message)
      }
      const url = checked.url
      const origin = url.origin
      const callerSignal = call.signal
      if (callerSignal?.aborted) throw abortError(origin, callerSignal)

      // One deadline for the whole exchange, connect to last body byte, besides the caller's signal.
      const deadline = new AbortController()
      const timer = setTimeout(() => deadline.abort(new OutboundFetchError('timeout', origin, `no complete response within ${policy.timeoutMs} ms${settingOf(policy, 'timeoutMs')}`)), policy.timeoutMs)
      const onCallerAbort = (): void => deadline.abort(abortError(origin, callerSignal!))
      callerSignal?.addEventListener('abort', onCallerAbort, { once: true })
      // A call's own certificate or CAs get a connection of their own: no pooled connection ever presents
      // one call's certificate to another call, or trusts one call's CAs for another.
      const ownTls = tlsOfCall(call, trusted)
      const own = ownTls === undefined ? undefined : agentFor(policy, ownTls, resolve)
      try {
        return await exchange(own ?? pooled, url, call, deadline.signal)
      } catch (error) {
        const aborted: unknown = deadline.signal.reason
        throw aborted instanceof OutboundFetchError ? aborted : outboundErrorOf(error, origin, policy)
      } finally {
        clearTimeout(timer)
        callerSignal?.removeEventListener('abort', onCallerAbort)
        if (own !== undefined) void own.destroy().catch(() => undefined)
      }
    },
    close: () => pooled.close(),
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

/** A fetch-compatible face of the client, GET and HEAD only: jose's `[customFetch]` and the CDR Register. */
export type BoundedFetch = (url: string | URL, init?: BoundedFetchInit) => Promise<Response>

/** Statuses whose Response must have a null body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

function headersOf(record: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(record)) {
    for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined) headers.append(name, one)
  }
  return headers
}

/** The `outbound` settings as a policy. Reads `outbound.caFiles` now (a ConfigError naming the key if one is unusable). */
export const outboundPolicyOf = (outbound: Config['outbound']): OutboundPolicy => ({
  allowHttp: outbound.allowHttp,
  allowPrivateAddresses: outbound.allowPrivateAddresses,
  allowedHosts: outbound.allowedHosts,
  timeoutMs: outbound.timeoutMs,
  maxResponseBytes: outbound.maxResponseBytes,
  extraCas: outbound.caFiles.flatMap((file) => readPemCertificates(file, 'outbound.caFiles').map((certificate) => certificate.toString())),
  settings: 'outbound',
})

/**
 * The bounded fetch for `outbound` (JWKS, revoked-key sets, the CDR Register). Reads `outbound.caFiles`
 * now, so a bad file stops start-up.
 */
export function createBoundedFetch(outbound: Config['outbound']): BoundedFetch {
  const client = createOutboundHttp(outboundPolicyOf(outbound))
  return async function boundedFetch(target, init = {}) {
    const method = (init.method ?? 'GET').toUpperCase()
    if (method !== 'GET' && method !== 'HEAD') throw new TypeError(`bounded fetch only sends GET or HEAD, not ${method}`)
    const response = await client.request({ url: target, method, ...(init.headers === undefined ? {} : { headers: init.headers }), signal: init.signal })
    try {
      const body = method === 'HEAD' || NULL_BODY_STATUSES.has(response.status) ? null : response.body
      return new Response(body, { status: response.status, statusText: response.statusText, headers: headersOf(response.headers) })
    } catch (error) {
      throw new OutboundFetchError('network', new URL(String(target)).origin, `unusable HTTP response (status ${response.status})`, { cause: error })
    }
  }
}
