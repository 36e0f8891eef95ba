/**
 * Token endpoint errors (RFC 6749 §5.2) through the one error table (http/errors.ts): `invalid_client`
 * is 401, with `WWW-Authenticate` naming the accepted methods (and first the scheme the client used); every other code is 400; answers are
 * never cached. And the form body rules of RFC 6749 §3.2: a parameter twice is refused, an empty one is absent.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toErrorAnswer } from '../../src/http/errors.ts'
import { parseTokenForm } from '../../src/http/routes/token.ts'
import { invalidClient, OAuthError, TOKEN_ERROR_CODES, tokenErrorStatus } from '../../src/tokens/token-errors.ts'
import { expectOAuthError } from './token-fixtures.ts'

describe('token endpoint errors (RFC 6749 §5.2)', () => {
  it('gives invalid_client 401 and every other code 400', () => {
    assert.deepEqual(
      Object.fromEntries(TOKEN_ERROR_CODES.map((code) => [code, tokenErrorStatus(code)])),
      { invalid_request: 400, invalid_client: 401, invalid_grant: 400, unauthorized_client: 400, unsupported_grant_type: 400, invalid_scope: 400 },
    )
  })

  it('answers invalid_client with the challenge of the scheme the client used first, then the accepted methods (RFC 6749 §5.2)', () => {
    const answer = toErrorAnswer(invalidClient('no client credentials in the Authorization header', { authScheme: 'Basic' }), { clientAuthenticationMethods: ['private_key_jwt', 'tls_client_auth'] })
    assert.deepEqual(answer, {
      status: 401,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache', 'www-authenticate': 'Basic error="invalid_client", private_key_jwt, tls_client_auth' },
      body: { error: 'invalid_client', error_description: 'no client credentials in the Authorization header' },
      internal: false,
    })
  })

  it('answers every invalid_client with a challenge naming the accepted methods, also when no HTTP scheme was used (RFC 9110 §15.5.2)', () => {
    assert.equal(toErrorAnswer(invalidClient('client_assertion has expired'), { clientAuthenticationMethods: ['private_key_jwt'] }).headers['www-authenticate'], 'private_key_jwt')
    assert.equal(toErrorAnswer(invalidClient('client_assertion has expired')).headers['www-authenticate'], 'private_key_jwt, tls_client_auth, self_signed_tls_client_auth', 'default: every implemented method')
  })

  it('never puts invalid_client inside a Bearer challenge: a Bearer header is no client authentication', () => {
    const answer = toErrorAnswer(invalidClient('no client credentials in the Authorization header', { authScheme: 'Bearer' }), { clientAuthenticationMethods: ['private_key_jwt'] })
    assert.equal(answer.headers['www-authenticate'], 'private_key_jwt')
  })

  it('answers other token errors without a challenge', () => {
    const scope = toErrorAnswer(new OAuthError('invalid_scope', 'scope "x" is not registered', { authScheme: 'Basic' }))
    assert.deepEqual({ status: scope.status, challenge: scope.headers['www-authenticate'], body: scope.body }, { status: 400, challenge: undefined, body: { error: 'invalid_scope', error_description: 'scope "x" is not registered' } })
  })

  it('caps a long description at 500 characters', () => {
    const answer = toErrorAnswer(new OAuthError('invalid_request', 'x'.repeat(800)))
    assert.deepStrictEqual({ status: answer.status, body: answer.body }, { status: 400, body: { error: 'invalid_request', error_description: `${'x'.repeat(497)}...` } })
  })
})

describe('token request form (RFC 6749 §3.2)', () => {
  it('reads form parameters, decoding + and percent escapes', () => {
    const parameters = parseTokenForm('grant_type=client_credentials&scope=openid+accounts&client_id=a%2Fb')
    assert.deepEqual(Object.fromEntries(parameters), { grant_type: 'client_credentials', scope: 'openid accounts', client_id: 'a/b' })
  })

  it('treats a parameter sent without a value as absent', () => {
    assert.deepEqual(Object.fromEntries(parseTokenForm('grant_type=client_credentials&scope=&client_id')), { grant_type: 'client_credentials' })
  })

  it('refuses a parameter sent twice, even once empty', async () => {
    await expectOAuthError(Promise.resolve().then(() => parseTokenForm('grant_type=client_credentials&grant_type=password')), 'invalid_request', /parameter "grant_type" appears more than once/)
    await expectOAuthError(Promise.resolve().then(() => parseTokenForm('scope=&scope=openid')), 'invalid_request', /parameter "scope" appears more than once/)
  })
})
