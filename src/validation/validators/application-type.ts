/**
 * application-type: `application_type` is one the profile accepts; absent means `web`, its OpenID default
 * (OIDCR-2). UK v3.2/3.3 use `web`/`mobile`, v3.4 `native`; CDR accepts only `web` (UK table, CDR table).
 */
import type { BuiltInValidator } from '../context.ts'
import { readString } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

const id = 'application-type'

export const applicationType: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['OIDCR-2', 'UK-DCR-18'],
  summary: 'application_type (absent: web) is one the profile accepts.',
  errors: ['invalid_client_metadata'],
  check(ctx) {
    const { allowed } = ctx.config.validators[id]
    const type = readString(ctx.request.claims, 'application_type', { validator: id, error: 'invalid_client_metadata', where: 'request' }) ?? 'web'
    if (!allowed.includes(type)) {
      throw new ValidationError('invalid_client_metadata', id, `application_type ${quoted(type)} is not accepted${ctx.request.claims['application_type'] === undefined ? ' (absent means web)' : ''}; use one of ${allowed.join(', ')}`, { claim: 'application_type' })
    }
  },
}
