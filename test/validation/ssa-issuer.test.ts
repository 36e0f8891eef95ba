import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ssaIssuer } from '../../src/validation/validators/ssa-issuer.ts'
import { makeContext } from '../helpers/context.ts'
import { directoriesOf, keySetOf, makeDirectory, makeSigner, unsignedJws } from '../helpers/jws-fixtures.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const signer = await makeSigner('PS256', 'dir-key')
const openBanking = makeDirectory('OpenBanking Ltd', keySetOf(signer))
const cdr = makeDirectory('cdr-register', keySetOf(signer))
const directories = directoriesOf(openBanking, cdr)
const ssaClaims = { iss: 'OpenBanking Ltd', software_id: 'soft-1', jti: 'j1', iat: 1767225000 }
const ssaCompact = await signer.sign(ssaClaims)

describe('ssa-issuer (UK-DCR-34, RFC7591-16)', () => {
  it('passes and selects the directory named by iss', async () => {
    const ctx = makeContext({ ssa: ssaClaims, ssaCompact, directories })
    const checked = await expectPass(ssaIssuer, ctx)
    assert.equal(checked.directory, openBanking)
  })

  it('rejects a request without software statement', async () => {
    const ctx = makeContext({ directories })
    const error = await expectFailure(ssaIssuer, ctx, { error: 'invalid_client_metadata', claim: 'software_statement' })
    assert.equal(error.message, 'software_statement is required')
  })

  it('rejects a software statement that is not a decodable JWT', async () => {
    await expectFailure(ssaIssuer, makeContext({ ssa: {}, ssaCompact: 'not-a-jwt', directories }), { error: 'invalid_software_statement', claim: 'software_statement', mentions: ['decodable JWT'] })
    await expectFailure(ssaIssuer, makeContext({ ssa: {}, ssaCompact: unsignedJws({ alg: 'PS256' }, '[1]', 'c2ln'), directories }), { error: 'invalid_software_statement', claim: 'software_statement' })
  })

  it('rejects a software statement without iss', async () => {
    const withoutIss = { ...ssaClaims, iss: undefined }
    await expectFailure(ssaIssuer, makeContext({ ssa: withoutIss, ssaCompact: await signer.sign(withoutIss), directories }), { error: 'invalid_software_statement', claim: 'iss' })
  })

  it('rejects an iss that is not a string', async () => {
    await expectFailure(ssaIssuer, makeContext({ ssa: { ...ssaClaims, iss: ['OpenBanking Ltd'] }, ssaCompact, directories }), { error: 'invalid_software_statement', claim: 'iss', mentions: ['must be a string'] })
  })

  it('rejects an untrusted issuer as unapproved, naming it', async () => {
    const ctx = makeContext({ ssa: { ...ssaClaims, iss: 'Evil Directory' }, ssaCompact, directories })
    await expectFailure(ssaIssuer, ctx, { error: 'unapproved_software_statement', claim: 'iss', mentions: ['"Evil Directory"', 'not a directory this server trusts'] })
    assert.equal(ctx.directory, undefined)
  })

  it('rejects an issuer that differs only in case or spacing', async () => {
    for (const iss of ['openbanking ltd', 'OpenBanking Ltd ', ' OpenBanking Ltd']) {
      await expectFailure(ssaIssuer, makeContext({ ssa: { ...ssaClaims, iss }, ssaCompact, directories }), { error: 'unapproved_software_statement', claim: 'iss' })
    }
  })
})
