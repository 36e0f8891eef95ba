/**
 * The refusal of a second live registration of one software_id where the profile allows only one
 * (CDR-DCR-15, CDR-DCR-23, BR-DCR-25, SEC-37), with the error code the profile names
 * (`errors.duplicateError`: the CDS standard's `invalid_software_statement` or the mock data holder's
 * `invalid_client_metadata`). Its text can be replaced through `errors.descriptions['duplicate-registration']`.
 */
import type { Config } from '../config/schema.ts'
import { ValidationError, type RegistrationErrorCode } from '../validation/errors.ts'

export const DUPLICATE_REGISTRATION = 'duplicate-registration'

export function duplicateRegistrationError(config: Config, softwareId: string): ValidationError {
  return new ValidationError(
    config.errors.duplicateError as RegistrationErrorCode,
    DUPLICATE_REGISTRATION,
    `software_id ${JSON.stringify(softwareId.slice(0, 100))} is already registered; update that registration with PUT /register/{client_id} or delete it first`,
    { claim: 'software_id' },
  )
}
