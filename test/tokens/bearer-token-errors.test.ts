/**
 * Bearer token refusals through the one error table (http/errors.ts), as RFC 6750 §3 describes them:
 * `invalid_token` is 401 and `insufficient_scope` 403 (RFC7592-4/5/6, SEC-33), each with a
 * `WWW-Authenticate: Bearer` challenge carrying the error and description, and the same error in the body.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toErrorAnswer } from '../../src/http/errors.ts'
import { InsufficientScopeError, InvalidTokenError } from '../../src/tokens/bearer-token-errors.ts'

describe('bearer token refusals (RFC 6750 §3)', () => {
  it('answers invalid_token with 401 and a Bearer challenge', () => {
    assert.deepEqual(toErrorAnswer(new InvalidTokenError('expired', 'the access token has expired: obtain a new one')), {
      status: 401,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache', 'www-authenticate': 'Bearer error="invalid_token", error_description="the access token has expired: obtain a new one"' },
      body: { error: 'invalid_token', error_description: 'the access token has expired: obtain a new one' },
      internal: false,
    })
  })

  it('answers insufficient_scope with 403 and the required scope in the challenge', () => {
    assert.deepEqual(toErrorAnswer(new InsufficientScopeError('cdr:registration', 'the access token lacks the scope cdr:registration')), {
      status: 403,
      headers: {
        'cache-control': 'no-store',
        pragma: 'no-cache',
        'www-authenticate': 'Bearer error="insufficient_scope", error_description="the access token lacks the scope cdr:registration", scope="cdr:registration"',
      },
      body: { error: 'insufficient_scope', error_description: 'the access token lacks the scope cdr:registration' },
      internal: false,
    })
  })

  it('keeps quotes, backslashes and non-ASCII out of the challenge attributes', () => {
    const answer = toErrorAnswer(new InvalidTokenError('malformed', 'the "kid" \\ é is wrong'))
    assert.equal(answer.headers['www-authenticate'], 'Bearer error="invalid_token", error_description="the \'kid\' \'  is wrong"')
    assert.equal(answer.body.error_description, 'the "kid" \\ \\u00e9 is wrong')
  })
})
