/**
 * Renders docs/errors.md from the error table (lib/error-table.ts): a row per error the server answers, with
 * its code, status, RFC error, WWW-Authenticate challenge, when it happens and how the caller fixes it.
 */
import { ERROR_CODES, errorEntry, type Challenge } from '../lib/error-table.ts'

const CHALLENGES: Readonly<Record<Challenge, string>> = {
  bearer: '`Bearer error="invalid_token", error_description="…"`',
  'bearer-scope': '`Bearer error="insufficient_scope", error_description="…", scope="…"`',
  'client-authentication': 'the accepted methods, e.g. `private_key_jwt, tls_client_auth` (a used HTTP scheme first)',
}

const cell = (text: string): string => text.replace(/\|/g, '\\|')

export function renderErrorsDoc(): string {
  const lines = [
    '# Errors',
    '',
    '<!-- Generated from src/lib/error-table.ts by `npm run docs`; a test fails when this file is out of date. -->',
    '',
    'Every error answer is JSON shaped as RFC 7591 §3.2.2 / RFC 6749 §5.2 / RFC 6750 §3 describe:',
    '`{"error": "<RFC error>", "error_description": "<what is wrong and how to fix it>"}`, with `Cache-Control: no-store`.',
    'A registration refusal adds `validator`, the id of the check (docs/validation.md). Descriptions are ASCII',
    '(other characters escaped) and at most 500 characters; `{detail}` below is the check\'s own wording, which names',
    'the claim at fault, and `errors.descriptions` may reword it per profile. Fastify\'s and Node\'s own refusals',
    '(malformed HTTP, headers too large, timeouts, bad URLs, body size) answer in the same shape; Node\'s parser',
    'refusals then close the connection. A 5xx never carries internal details: they are logged.',
    '',
    '## WWW-Authenticate',
    '',
    '- The client configuration endpoint (`/register/{client_id}`) answers every 401 and 403 with a `Bearer`',
    '  challenge that carries the error and its description (RFC 6750 §3); a refused client certificate there is a',
    '  refused certificate-bound token, `invalid_token` (RFC 8705 §3).',
    '- Every 401 of the token endpoint (`invalid_client`) carries a challenge (RFC 9110 §15.5.2). The client',
    '  authentication methods this server accepts (private_key_jwt, tls_client_auth, self_signed_tls_client_auth) are',
    '  no HTTP authentication schemes, so the challenge names each accepted method (the profile\'s',
    '  `validators.token-endpoint-auth.methods`, as discovery advertises them) as a scheme without parameters:',
    '  `WWW-Authenticate: private_key_jwt, tls_client_auth`. A client that sent an `Authorization` header with an',
    '  HTTP scheme gets that scheme\'s challenge first, as RFC 6749 §5.2 requires: `Basic error="invalid_client",',
    '  private_key_jwt, tls_client_auth`. A `Bearer` header is no client authentication (RFC 6750 protects',
    '  resources), so no answer ever puts `invalid_client` in a Bearer challenge.',
    '',
    '| code | status | error | WWW-Authenticate | when | how to fix | description |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const code of ERROR_CODES) {
    const entry = errorEntry(code)
    const challenge = entry.challenge === undefined ? '' : CHALLENGES[entry.challenge]
    lines.push(`| \`${code}\` | ${entry.status} | \`${entry.error}\` | ${challenge} | ${cell(entry.when)} | ${cell(entry.fix)} | ${entry.description === '{detail}' ? 'the refusing check\'s own' : cell(entry.description)} |`)
  }
  lines.push('')
  return lines.join('\n')
}
