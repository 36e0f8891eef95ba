/**
 * The bounded cache of verified access tokens (tokens/verified-token-cache.ts): keyed by the token's
 * SHA-256, bounded in entries (oldest dropped), expired entries dropped, entries frozen.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AccessTokenClaims } from '../../src/tokens/issue.ts'
import { createVerifiedTokenCache } from '../../src/tokens/verified-token-cache.ts'

const NOW = 1_800_000_000
const SKEW = 30

const claims = (jti: string, exp = NOW + 300): AccessTokenClaims => ({ iss: 'i', aud: 'i', sub: 'c', client_id: 'c', scope: '', iat: NOW, exp, jti })

describe('createVerifiedTokenCache', () => {
  it('returns what was remembered for the same token only', () => {
    const cache = createVerifiedTokenCache()
    cache.remember('a.b.c', { claims: claims('1'), notBefore: undefined }, NOW, SKEW)
    assert.equal(cache.get('a.b.c')?.claims.jti, '1')
    assert.equal(cache.get('a.b.d'), undefined)
  })

  it('drops the oldest entry when full', () => {
    const cache = createVerifiedTokenCache(2)
    for (const jti of ['1', '2', '3']) cache.remember(`t${jti}`, { claims: claims(jti), notBefore: undefined }, NOW, SKEW)
    assert.equal(cache.size, 2)
    assert.equal(cache.get('t1'), undefined)
    assert.equal(cache.get('t3')?.claims.jti, '3')
  })

  it('drops expired entries at the oldest end when remembering', () => {
    const cache = createVerifiedTokenCache()
    cache.remember('old', { claims: claims('1', NOW + 10), notBefore: undefined }, NOW, SKEW)
    cache.remember('new', { claims: claims('2'), notBefore: undefined }, NOW + 10 + SKEW, SKEW)
    assert.equal(cache.get('old'), undefined)
    assert.equal(cache.size, 1)
  })

  it('forgets a token on request, and remembers nothing with 0 entries', () => {
    const cache = createVerifiedTokenCache()
    cache.remember('t', { claims: claims('1'), notBefore: undefined }, NOW, SKEW)
    cache.forget('t')
    assert.equal(cache.get('t'), undefined)
    const none = createVerifiedTokenCache(0)
    none.remember('t', { claims: claims('1'), notBefore: undefined }, NOW, SKEW)
    assert.equal(none.size, 0)
  })

  it('refuses a negative or fractional bound', () => {
    assert.throws(() => createVerifiedTokenCache(-1), { name: 'TypeError', message: /maxEntries must be a non-negative integer/ })
    assert.throws(() => createVerifiedTokenCache(1.5), { name: 'TypeError', message: /maxEntries must be a non-negative integer/ })
  })

  it('keeps frozen copies, so that changing the remembered or returned claims changes nothing', () => {
    const cache = createVerifiedTokenCache()
    const original = claims('1')
    const kept = cache.remember('t', { claims: original, notBefore: undefined }, NOW, SKEW)
    original.client_id = 'other'
    assert.equal(cache.get('t')?.claims.client_id, 'c')
    assert.ok(Object.isFrozen(kept) && Object.isFrozen(kept.claims))
  })
})
