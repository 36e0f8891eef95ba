/** The optional RFC 7591 initial access token (RFC7591-3): only hashes configured, a Bearer token compared in constant time. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkInitialAccessToken, hashInitialAccessToken } from '../../src/registration/initial-access-token.ts'
import { testConfig } from '../helpers/context.ts'

const TOKEN = 'iat_4GkP9sV2mX7qR1tY8wZ3bN6cD0fH5jL'
const config = testConfig({ profile: 'rfc7591', registration: { initialAccessTokenHashes: [hashInitialAccessToken('another-token'), hashInitialAccessToken(TOKEN)] } })

describe('initial access token (RFC7591-3)', () => {
  it('lets every request through when none is configured (open registration, the open-banking default)', () => {
    assert.deepEqual(checkInitialAccessToken(undefined, testConfig()), { ok: true })
  })

  it('accepts a configured token as a Bearer token', () => {
    assert.deepEqual(checkInitialAccessToken(`Bearer ${TOKEN}`, config), { ok: true })
    assert.deepEqual(checkInitialAccessToken(`bearer ${TOKEN}`, config), { ok: true })
  })

  it('rejects a missing or malformed Authorization header as missing', () => {
    assert.deepEqual(checkInitialAccessToken(undefined, config), { ok: false, reason: 'missing' })
    assert.deepEqual(checkInitialAccessToken(`Basic ${TOKEN}`, config), { ok: false, reason: 'missing' })
    assert.deepEqual(checkInitialAccessToken('Bearer ', config), { ok: false, reason: 'missing' })
  })

  it('rejects a token that is not configured', () => {
    assert.deepEqual(checkInitialAccessToken('Bearer iat_wrong', config), { ok: false, reason: 'invalid' })
  })

  it('hashes with SHA-256 base64url, so the configuration holds no usable token', () => {
    assert.match(hashInitialAccessToken(TOKEN), /^[A-Za-z0-9_-]{43}$/)
    assert.ok(!JSON.stringify(config.registration).includes(TOKEN))
  })
})
