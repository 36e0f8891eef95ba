import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { decodeRegistration } from '../../src/registration/request.ts'
import { ValidationError } from '../../src/validation/errors.ts'
import { MAX_CLAIM_STRING_LENGTH, MAX_JTI_LENGTH } from '../../src/lib/claim-bounds.ts'
import { makeSigner, signJsonTexts } from '../helpers/jws-fixtures.ts'

const signer = await makeSigner('ES256', 'tpp-key')
const header = '{"alg":"ES256","kid":"tpp-key","typ":"JWT"}'
const ssa = await signer.sign({ iss: 'OpenBanking Ltd', software_id: 'soft-1', jti: 'ssa-1' })
const jwt = { allowUnsignedJson: false }
const json = { allowUnsignedJson: true }

function refused(decode: () => unknown, error: ValidationError['error'], message: RegExp): void {
  assert.throws(decode, (thrown: unknown) => {
    assert.ok(thrown instanceof ValidationError, String(thrown))
    assert.equal(thrown.validator, 'request-format')
    assert.equal(thrown.error, error)
    assert.match(thrown.message, message)
    return true
  })
}

describe('decodeRegistration: duplicate member names (SEC-7, RFC 7515 §4, RFC 7519 §4)', () => {
  it('refuses a request JWT whose header names alg twice ({"alg":"none",...,"alg":"ES256"})', async () => {
    const body = await signJsonTexts(signer, '{"alg":"none","kid":"tpp-key","alg":"ES256"}', JSON.stringify({ iss: 'soft-1', software_statement: ssa }))
    refused(() => decodeRegistration(body, 'application/jwt', jwt), 'invalid_client_metadata', /names the member "alg" more than once in its JWS header/)
  })

  it('refuses a request JWT whose claims name iss twice', async () => {
    const body = await signJsonTexts(signer, header, `{"iss":"soft-1","software_statement":"${ssa}","iss":"other"}`)
    refused(() => decodeRegistration(body, 'application/jose', jwt), 'invalid_client_metadata', /names the member "iss" more than once in its claims/)
  })

  it('refuses a request JWT sent as a JSON string whose claims name redirect_uris twice', async () => {
    const body = await signJsonTexts(signer, header, '{"redirect_uris":["https://a.example/cb"],"redirect_uris":["https://evil.example/cb"]}')
    refused(() => decodeRegistration(JSON.stringify(body), 'application/json', jwt), 'invalid_client_metadata', /"redirect_uris" more than once/)
  })

  it('refuses a software statement whose claims name software_id twice, as invalid_software_statement', async () => {
    const duplicated = await signJsonTexts(signer, header, '{"iss":"OpenBanking Ltd","software_id":"soft-1","software_id":"soft-2"}')
    const body = await signer.sign({ iss: 'soft-1', software_statement: duplicated })
    refused(() => decodeRegistration(body, 'application/jwt', jwt), 'invalid_software_statement', /software_statement names the member "software_id" more than once/)
  })

  it('refuses a plain JSON body whose metadata names redirect_uris twice', () => {
    const body = '{"client_name":"x","redirect_uris":["https://a.example/cb"],"redirect_uris":["https://evil.example/cb"]}'
    refused(() => decodeRegistration(body, 'application/json', json), 'invalid_client_metadata', /the registration request names the member "redirect_uris" more than once in the JSON object/)
  })

  it('accepts the same request without duplicates', async () => {
    const decoded = decodeRegistration(await signJsonTexts(signer, header, `{"iss":"soft-1","software_statement":"${ssa}"}`), 'application/jwt', jwt)
    assert.equal(decoded.request.claims.iss, 'soft-1')
    assert.equal(decoded.ssa?.claims.software_id, 'soft-1')
  })
})

describe('decodeRegistration: string claim bounds (SEC-19, lib/claim-bounds.ts)', () => {
  it('refuses a request jti of 10,000 characters (it would be stored)', async () => {
    const body = await signer.sign({ iss: 'soft-1', jti: 'j'.repeat(10_000), software_statement: ssa })
    refused(() => decodeRegistration(body, 'application/jwt', jwt), 'invalid_client_metadata', new RegExp(`jti is 10000 characters long; at most ${MAX_JTI_LENGTH} are accepted`))
  })

  it('refuses a software statement jti longer than the jti bound, as invalid_software_statement', async () => {
    const body = await signer.sign({ iss: 'soft-1', software_statement: await signer.sign({ iss: 'OpenBanking Ltd', jti: 'j'.repeat(MAX_JTI_LENGTH + 1) }) })
    refused(() => decodeRegistration(body, 'application/jwt', jwt), 'invalid_software_statement', /software_statement has a claim that is too long: jti is 257 characters/)
  })

  it('refuses any other string claim, nested ones included, longer than the claim bound', async () => {
    const long = 'x'.repeat(MAX_CLAIM_STRING_LENGTH + 1)
    refused(() => decodeRegistration(JSON.stringify({ client_name: long }), 'application/json', json), 'invalid_client_metadata', /client_name is 8193 characters long; at most 8192/)
    const body = await signer.sign({ iss: 'soft-1', jwks: { keys: [{ kty: 'EC', x5c: ['a', long] }] } })
    refused(() => decodeRegistration(body, 'application/jwt', jwt), 'invalid_client_metadata', /jwks\.keys\[0\]\.x5c\[1\] is 8193 characters long/)
  })

  it('accepts a jti of exactly the bound', async () => {
    const decoded = decodeRegistration(await signer.sign({ iss: 'soft-1', jti: 'j'.repeat(MAX_JTI_LENGTH) }), 'application/jwt', jwt)
    assert.equal((decoded.request.claims.jti as string).length, MAX_JTI_LENGTH)
  })
})
