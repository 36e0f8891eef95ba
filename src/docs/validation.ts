/**
 * Renders docs/validation.md from the validators themselves: their order, ids, what they check, the
 * requirements they implement and the errors they answer with.
 */
import { builtInValidators } from '../validation/pipeline.ts'

export function renderValidationDoc(): string {
  const lines = [
    '# Validation',
    '',
    '<!-- Generated from src/validation/ by `npm run docs`; a test fails when this file is out of date. -->',
    '',
    'Every registration (POST /register) runs these checks in this order; the first failure answers',
    '`400` with the RFC 7591 error code, an `error_description` that names the claim and what to fix, and',
    '`validator`, the stable id below. Each check is switched by `validators.<id>.enabled` (docs/configuration.md)',
    'and takes its options there. The order is fixed: the software statement is verified before anything in it is',
    'trusted (SEC-10), the transport certificate is bound to the verified SSA, and the request is verified only with',
    'the TPP keys that the verified SSA points to.',
    '',
    '| # | id | checks | error | requirements |',
    '| --- | --- | --- | --- | --- |',
  ]
  builtInValidators.forEach((validator, index) => {
    const errors = validator.errors.map((code) => `\`${code}\``).join(', ')
    lines.push(`| ${index + 1} | \`${validator.id}\` | ${validator.summary.replace(/\|/g, '\\|')} | ${errors} | ${validator.requirements.join(', ')} |`)
  })
  lines.push(
    '',
    '## Refusals outside the pipeline',
    '',
    'These cannot be switched off.',
    '',
    '| id / status | when | answer |',
    '| --- | --- | --- |',
    '| `request-format` | the body is empty, not a compact JWS, not JSON, or its software_statement is not a compact JWS string; a claim name `__proto__`, `constructor` or `prototype` | 400 `invalid_client_metadata` / `invalid_software_statement` |',
    '| `duplicate-registration` | `registration.allowMultiplePerSoftwareId` is off and the software already has a live registration | 400 `invalid_client_metadata` |',
    '| `jti-replay` (at commit) | two requests with the same jti raced past the check; the unique key in the store lets one through | 400, as the validator |',
    '| `client-certificate` | no client certificate, one not issued by a configured transport CA, or (mode `proxy`) a certificate header from an untrusted peer (where the profile requires mutual TLS) | 400 `unapproved_software_statement`: the registration endpoint answers 201 or 400 (UK-DCR-42, CDR-DCR-31); the token and management endpoints answer 401 |',
    '| 400 or 415 `invalid_request` | `Content-Type` not in `registration.mediaTypes` (status per `registration.unsupportedMediaTypeStatus`) | refused before the body is read |',
    '| 413 `invalid_request` | body larger than `server.bodyLimitBytes` | |',
    '| 500 `server_error` | a fault of the server; details only in the log | |',
    '',
  )
  return lines.join('\n')
}
