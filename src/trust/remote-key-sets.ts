/**
 * Remote JWKS key sets, one per URL, cached and bounded (SEC-4, SEC-14..17, UK-DCR-13). Each is jose's
 * `createRemoteJWKSet` with the `outbound` limits: the bounded fetch (https, allow-list, SSRF guard, size
 * cap, no redirects), a whole-fetch timeout, a cache max age, and a cooldown between fetches. jose itself
 * refetches once when a `kid` is unknown, and only when the cooldown since the last fetch has passed, so a
 * stream of random kids cannot turn into a stream of fetches (SEC-17). At most `outbound.maxCachedJwks`
 * URLs are kept; the least recently used is dropped first. A JWKS is used only when served as a JSON media
 * type (`application/json` or RFC 7517 §8.5.1 `application/jwk-set+json`, parameters allowed): a page served
 * as `text/html` that happens to parse as JSON is not a key set anyone published.
 */
import { createRemoteJWKSet, customFetch, type RemoteJWKSet } from 'jose'
import type { Config } from '../config/schema.ts'
import { mediaTypeOf } from '../lib/media-type.ts'
import { createBoundedFetch, OutboundFetchError, type BoundedFetch } from './outbound-http.ts'
import { checkOutboundUrl, type OutboundUrlProblemReason } from './outbound-url.ts'
import type { RemoteKeySets } from './types.ts'

/** A JWKS URL that may not be fetched at all (unparseable, not https, host not allowed, private IP literal). */
export class JwksUrlError extends Error {
  readonly reason: OutboundUrlProblemReason

  constructor(reason: OutboundUrlProblemReason, message: string) {
    super(`JWKS URL ${message}`)
    this.name = 'JwksUrlError'
    this.reason = reason
  }
}

/** The media types a JWKS is accepted in (RFC 7517 §8.5.1, and the plain JSON every directory serves). */
export const JWKS_MEDIA_TYPES: readonly string[] = ['application/json', 'application/jwk-set+json']

/** Refuses a 200 answer whose Content-Type is not a JWKS media type, before jose reads it as keys. */
const jwksMediaTypesOnly =
  (fetch: BoundedFetch): BoundedFetch =>
  async (url, init) => {
    const response = await fetch(url, init)
    const mediaType = mediaTypeOf(response.headers.get('content-type'))
    if (response.status === 200 && !JWKS_MEDIA_TYPES.includes(mediaType)) {
      await response.body?.cancel()
      const served = mediaType === '' ? 'without a Content-Type' : `as ${mediaType}`
      throw new OutboundFetchError('media-type', new URL(String(url)).origin, `served the JWKS ${served}; a JWKS must be served as ${JWKS_MEDIA_TYPES.join(' or ')}`)
    }
    return response
  }

export type CachedRemoteKeySets = RemoteKeySets & {
  /** How many URLs are cached now. */
  readonly size: number
}

/**
 * Creates the per-URL cache. `fetchImplementation` defaults to `createBoundedFetch(outbound)`, which reads
 * `outbound.caFiles` now.
 */
export function createRemoteKeySets(outbound: Config['outbound'], fetchImplementation: BoundedFetch = createBoundedFetch(outbound)): CachedRemoteKeySets {
  // A Map iterates in insertion order; re-inserting on use makes its first key the least recently used.
  const cache = new Map<string, RemoteJWKSet>()
  const jwksFetch = jwksMediaTypesOnly(fetchImplementation)

  /**
   * Refuses a URL with a JwksUrlError before creating anything; else the URL's cached key set. Keyed by the
   * URL as written: a cached URL has passed the outbound checks, which do not change while the server runs,
   * so a registration does not parse it again.
   */
  function forUrl(raw: string): RemoteJWKSet {
    const cached = cache.get(raw)
    if (cached !== undefined) {
      cache.delete(raw)
      cache.set(raw, cached)
      return cached
    }
    const checked = checkOutboundUrl(raw, outbound)
    if (!checked.ok) throw new JwksUrlError(checked.reason, checked.message)
    const keySet = createRemoteJWKSet(checked.url, {
      timeoutDuration: outbound.timeoutMs,
      cooldownDuration: outbound.jwksCooldownSeconds * 1000,
      cacheMaxAge: outbound.jwksCacheMaxAgeSeconds * 1000,
      [customFetch]: jwksFetch,
    })
    cache.set(raw, keySet)
    while (cache.size > outbound.maxCachedJwks) {
      const oldest = cache.keys().next()
      if (oldest.done === true) break
      cache.delete(oldest.value)
    }
    return keySet
  }

  return {
    forUrl,
    get size() {
      return cache.size
    },
  }
}
