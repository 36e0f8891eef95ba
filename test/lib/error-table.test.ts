/**
 * The error table (src/lib/error-table.ts) is complete and consistent: every built-in check's declared RFC 7591
 * errors have their own code, no registration code names a check that does not exist, statuses follow the RFCs
 * (RFC 6749 §5.2 invalid_client 401, RFC 6750 §3.1 invalid_token 401 / insufficient_scope 403), and every 401
 * carries a challenge (RFC 9110 §15.5.2), never a Bearer one for invalid_client.
 */
import { CLIENT_CAP } from '../../src/registration/refusals.ts'
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeError, ERROR_CODES, errorEntry } from '../../src/lib/error-table.ts'
import { REQUEST_FORMAT } from '../../src/registration/request.ts'
import { CLIENT_CERTIFICATE } from '../../src/registration/service.ts'
import { DUPLICATE_REGISTRATION } from '../../src/registration/duplicate-registration.ts'
import { UPDATE_REQUEST } from '../../src/registration/update-request.ts'
import { INVALID_TOKEN_REASONS, InvalidTokenError } from '../../src/tokens/bearer-token-errors.ts'
import { TOKEN_ERROR_CODES, OAuthError } from '../../src/tokens/token-errors.ts'
import { builtInValidators } from '../../src/validation/pipeline.ts'
import { registrationErrorCode, ValidationError } from '../../src/validation/errors.ts'

const CHECKS_OUTSIDE_THE_PIPELINE = [REQUEST_FORMAT, CLIENT_CERTIFICATE, DUPLICATE_REGISTRATION, CLIENT_CAP, UPDATE_REQUEST, 'http-extension', 'custom']

describe('error table', () => {
  it('gives every error each built-in check declares its own code', () => {
    for (const validator of builtInValidators) {
      for (const error of validator.errors) assert.equal(registrationErrorCode(validator.id, error), `registration.${validator.id}.${error}`, `${validator.id} ${error}`)
    }
  })

  it('names only checks that exist in its registration codes', () => {
    const checks = new Set([...builtInValidators.map((validator) => validator.id), ...CHECKS_OUTSIDE_THE_PIPELINE])
    for (const code of ERROR_CODES.filter((candidate) => candidate.startsWith('registration.'))) {
      const [, check, error] = code.split('.')
      assert.ok(checks.has(check!), code)
      assert.equal(errorEntry(code).error, error, code)
      assert.equal(errorEntry(code).status, 400, code)
    }
  })

  it('answers a check it does not name as a custom check', () => {
    const error = new ValidationError('invalid_redirect_uri', 'bank-own-check', 'redirect_uris must be on the bank allow-list')
    assert.deepEqual({ code: error.code, status: error.status, error: error.error }, { code: 'registration.custom.invalid_redirect_uri', status: 400, error: 'invalid_redirect_uri' })
  })

  it('has a code for every token error and every refused-token reason', () => {
    for (const error of TOKEN_ERROR_CODES) assert.equal(new OAuthError(error, 'x').code, `token.${error}`)
    for (const reason of INVALID_TOKEN_REASONS) assert.equal(new InvalidTokenError(reason, 'x').code, `management.${reason}`)
  })

  it('follows RFC 6749 §5.2 and RFC 6750 §3.1 for statuses, and gives every 401 a challenge, never Bearer with invalid_client', () => {
    for (const code of ERROR_CODES) {
      const entry = errorEntry(code)
      if (entry.error === 'invalid_client') assert.deepEqual({ status: entry.status, challenge: entry.challenge }, { status: 401, challenge: 'client-authentication' }, code)
      if (entry.error === 'invalid_token') assert.deepEqual({ status: entry.status, challenge: entry.challenge }, { status: 401, challenge: 'bearer' }, code)
      if (entry.error === 'insufficient_scope') assert.deepEqual({ status: entry.status, challenge: entry.challenge }, { status: 403, challenge: 'bearer-scope' }, code)
      if (entry.status === 401) assert.notEqual(entry.challenge, undefined, code)
      assert.ok(entry.when.length > 0 && entry.fix.length > 0, `${code} says when it happens and how to fix it`)
    }
  })

  it('fills a description template, leaving unknown placeholders as written', () => {
    assert.equal(describeError('http.not_found', { method: 'GET', path: '/nowhere' }), 'no endpoint GET /nowhere')
    assert.equal(describeError('management.method_not_allowed', { method: 'DELETE', allowed: '; allowed: GET' }), 'DELETE /register/{client_id} is not offered by this server; allowed: GET')
  })
})
