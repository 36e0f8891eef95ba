/**
 * Per-client rate limits at POST /register, POST /token and /register/{client_id} (issue 13 item 11; DESIGN.md
 * Operations): @fastify/rate-limit counts each request once by client address and once by the SHA-256
 * thumbprint of the client certificate presented (chained or not, so that a refused certificate is limited as
 * well), in fixed windows of `rateLimit.windowSeconds`. Its store is a RateLimitCounter
 * (lib/rate-limit-counter.ts), in memory now, shared by instances once a shared store implements it. Past a
 * limit: 429 `http.rate_limited` with Retry-After, before the body is read or anything is written.
 */
import { createHash } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { REGISTRATION_PATH, TOKEN_PATH } from '../config/endpoints.ts'
import type { Config } from '../config/schema.ts'
import type { RateLimitCounter } from '../lib/rate-limit-counter.ts'
import { describeError } from '../lib/error-table.ts'
import { thumbprintOf } from './client-cert.ts'
import { HttpError } from './errors.ts'

/** The routes a client without credentials can make the server work for. */
export const RATE_LIMITED_ROUTES: readonly string[] = [REGISTRATION_PATH, TOKEN_PATH, `${REGISTRATION_PATH}/:clientId`]

/** What a refused request was limited by, named in the answer. */
type RateLimitKind = 'address' | 'certificate'

type StoreCallback = Parameters<FastifyRateLimitStore['incr']>[1]

/** @fastify/rate-limit's store contract (`incr`, `child`) over a RateLimitCounter. */
function storeOver(counter: RateLimitCounter, clock: () => number): FastifyRateLimitStoreCtor {
  return class CounterStore implements FastifyRateLimitStore {
    incr(key: string, callback: StoreCallback, timeWindow: number): void {
      counter.hit(key, timeWindow, clock()).then(
        (hit) => callback(null, { current: hit.count, ttl: hit.resetInMs }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      )
    }
    child(): CounterStore {
      return this
    }
  }
}

const certificateKeyOfSocket = new WeakMap<TLSSocket, string>()

/** The thumbprint of the certificate the request presents (TLS or, in mode proxy, the header), or '' without one. */
function presentedCertificateKey(request: FastifyRequest, config: Config): string {
  if (config.server.mode === 'proxy') {
    const header = request.headers[config.server.proxy.certificateHeader]
    return typeof header === 'string' && header !== '' ? createHash('sha256').update(header).digest('base64url') : ''
  }
  const socket = request.raw.socket as TLSSocket
  const cached = certificateKeyOfSocket.get(socket)
  if (cached !== undefined) return cached
  const raw = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate()?.raw : undefined
  const key = raw === undefined ? '' : thumbprintOf(raw)
  certificateKeyOfSocket.set(socket, key)
  return key
}

export type RateLimitOptions = {
  config: Config
  counter: RateLimitCounter
  /** Epoch milliseconds. */
  clock: () => number
  /** Told of each refused request with its refusal, before it is answered (the unauthenticated refusal counter). */
  onLimited?: (request: FastifyRequest, refusal: HttpError) => void
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>

/** Adds the limits to `app`: an onRequest hook, so it runs before every route's own hooks and the body. */
export function addRateLimits(app: FastifyInstance, { config, counter, clock, onLimited }: RateLimitOptions): void {
  const settings = config.rateLimit
  if (!settings.enabled) return
  const timeWindow = settings.windowSeconds * 1000
  void app.register(rateLimit, { global: false, store: storeOver(counter, clock), timeWindow })
  let limiters: Array<[RateLimitKind, Limiter]> | undefined
  const limitersOf = (instance: FastifyInstance): Array<[RateLimitKind, Limiter]> => {
    const create = instance.createRateLimit.bind(instance)
    return [
      ['address', create({ max: settings.perAddress, timeWindow, keyGenerator: (request: FastifyRequest) => `address:${request.ip}` })],
      [
        'certificate',
        create({
          max: settings.perCertificate,
          timeWindow,
          keyGenerator: (request: FastifyRequest) => `certificate:${presentedCertificateKey(request, config)}`,
          // Without a certificate there is nothing to count by; the address limit still applies.
          allowList: (_request: FastifyRequest, key: string) => key === 'certificate:',
        }),
      ],
    ]
  }
  app.addHook('onRequest', async function limit(request) {
    if (!RATE_LIMITED_ROUTES.includes(request.routeOptions.url ?? '')) return
    limiters ??= limitersOf(this)
    for (const [kind, limiter] of limiters) {
      const result = await limiter(request)
      if (result.isAllowed || !result.isExceeded) continue
      const retryAfter = String(Math.max(1, result.ttlInSeconds))
      const by = kind === 'address' ? 'client address' : 'client certificate'
      const refusal = new HttpError('http.rate_limited', describeError('http.rate_limited', { by, max: String(result.max), window: String(settings.windowSeconds), seconds: retryAfter }), { 'retry-after': retryAfter })
      onLimited?.(request, refusal)
      throw refusal
    }
  })
}
