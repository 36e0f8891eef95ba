/** Profile error texts (errors.descriptions, CDR-DCR-24) and the profile's duplicate-registration code (CDR-DCR-23). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { duplicateRegistrationError } from '../../src/registration/duplicate-registration.ts'
import { profileErrorDescription } from '../../src/validation/error-description.ts'
import { ValidationError } from '../../src/validation/errors.ts'
import { testConfig } from '../helpers/context.ts'

const cdr = testConfig({ profile: 'cdr', validators: { 'software-status': { registerBaseUrl: 'https://register.example' } } })
const subsetError = new ValidationError('invalid_redirect_uri', 'redirect-uri-subset', 'redirect_uri "https://evil.example/cb" is not in the software statement\'s redirect_uris', { claim: 'redirect_uris' })

describe('profile error descriptions (CDR-DCR-24)', () => {
  it('keeps open-dcr\'s own description where the profile has no template (UK)', () => {
    assert.equal(profileErrorDescription(subsetError, testConfig()), subsetError.message)
  })

  it('uses the CDR catalogue text for the validator, with the detail after it', () => {
    assert.equal(profileErrorDescription(subsetError, cdr), `ERR-DCR-003: The redirect_uri is not valid as it is not included in the software_statement. ${subsetError.message}`)
  })

  it('falls back to the template of the error code', () => {
    const error = new ValidationError('invalid_software_statement', 'ssa-signature', 'software_statement signature does not verify', { claim: 'software_statement' })
    assert.equal(profileErrorDescription(error, cdr), 'ERR-DCR-005: SSA validation failed. software_statement signature does not verify')
  })

  it('fills {claim}, keeps printable ASCII and at most 500 characters', () => {
    const config = testConfig({ errors: { descriptions: { audience: 'fix {claim}: {detail}' } } })
    const error = new ValidationError('invalid_client_metadata', 'audience', `aud é ${'x'.repeat(600)}`, { claim: 'aud' })
    const text = profileErrorDescription(error, config)
    assert.ok(text.startsWith('fix aud: aud ? xxx'))
    assert.equal(text.length, 500)
  })

  it('answers a duplicate with the profile\'s code and, for the CDR, the catalogue text', () => {
    const cdrDuplicate = duplicateRegistrationError(cdr, 'C6327F87')
    assert.equal(cdrDuplicate.error, 'invalid_software_statement')
    assert.equal(cdrDuplicate.validator, 'duplicate-registration')
    assert.equal(cdrDuplicate.claim, 'software_id')
    assert.equal(profileErrorDescription(cdrDuplicate, cdr), 'ERR-DCR-001: Duplicate registrations for a given software_id are not valid.')
    const brazilDuplicate = duplicateRegistrationError(testConfig({ profile: 'brazil' }), 'soft')
    assert.equal(brazilDuplicate.error, 'invalid_client_metadata')
    assert.match(profileErrorDescription(brazilDuplicate, testConfig({ profile: 'brazil' })), /software_id "soft" is already registered/)
  })
})
