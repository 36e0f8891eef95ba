/**
 * The `error_description` a profile gives a refusal (`errors.descriptions`, CDR-DCR-24): a template chosen
 * by the id of the check that refused (`redirect-uri-subset`, `duplicate-registration`, ...) or, failing
 * that, by the RFC 7591 error code, in which `{detail}` stands for open-dcr's own description (which names
 * the claim and the fix) and `{claim}` for the claim at fault. Without a template the description is
 * open-dcr's own. The result is printable ASCII (RFC7591-23) of at most 500 characters (UK-DCR-43).
 */
import type { Config } from '../config/schema.ts'
import type { ValidationError } from './errors.ts'

const MAX_DESCRIPTION = 500

export function profileErrorDescription(error: ValidationError, config: Config): string {
  const templates = config.errors.descriptions
  const template = templates[error.validator] ?? templates[error.error]
  const text = typeof template === 'string' ? template.replaceAll('{detail}', error.message).replaceAll('{claim}', error.claim ?? '') : error.message
  return text.replace(/[^\x20-\x7E]/g, '?').replace(/\s+/g, ' ').trim().slice(0, MAX_DESCRIPTION)
}
