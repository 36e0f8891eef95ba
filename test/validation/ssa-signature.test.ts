import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { errors } from 'jose'
import type { KeySet } from '../../src/trust/types.ts'
import { ssaSignature } from '../../src/validation/validators/ssa-signature.ts'
import { makeContext } from '../helpers/context.ts'
import { directoriesOf, hmacWithPublicKey, keySetOf, makeDirectory, makeSigner, unsignedJws } from '../helpers/jws-fixtures.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const obKey = await makeSigner('PS256', 'ob-key')
const obEsKey = await makeSigner('ES256', 'ob-es-key')
const cdrKey = await makeSigner('PS256', 'cdr-key')
const attacker = await makeSigner('PS256', 'attacker-key')
const openBanking = makeDirectory('OpenBanking Ltd', keySetOf(obKey, obEsKey))
const cdr = makeDirectory('cdr-register', keySetOf(cdrKey), { algorithms: ['PS256'] })
const directories = directoriesOf(openBanking, cdr)
const claims = { iss: 'OpenBanking Ltd', software_id: 'soft-1', org_id: 'org-1', jti: 'ssa-jti', iat: 1767225000 }
const FAIL = { error: 'invalid_software_statement', claim: 'software_statement' } as const

const contextFor = (ssaCompact: string, directory = openBanking) => makeContext({ ssa: claims, ssaCompact, directory, directories })

describe('ssa-signature (UK-DCR-15, CDR-DCR-8, SEC-1..10)', () => {
  it('passes for a PS256 or ES256 SSA signed by its directory and keeps only the verified claims', async () => {
    for (const signer of [obKey, obEsKey]) {
      const ctx = makeContext({ ssa: { ...claims, software_id: 'decoded-but-unverified' }, ssaCompact: await signer.sign(claims), directory: openBanking, directories })
      const checked = await expectPass(ssaSignature, ctx)
      assert.equal(checked.ssa?.verified, true)
      assert.equal(checked.ssa?.claims.software_id, 'soft-1')
      assert.equal(Object.getPrototypeOf(checked.ssa?.claims), null)
    }
  })

  it('rejects a request without software statement', async () => {
    await expectFailure(ssaSignature, makeContext({ directories }), { ...FAIL, error: 'invalid_client_metadata' })
  })

  it('rejects a software statement sent unsigned', async () => {
    const error = await expectFailure(ssaSignature, makeContext({ ssa: claims, directory: openBanking }), FAIL)
    assert.match(error.message, /must be a JWS signed by its directory/)
  })

  it('rejects a tampered payload (bad signature)', async () => {
    const [header, , signature] = (await obKey.sign(claims)).split('.')
    const forged = unsignedJws({}, { ...claims, software_id: 'someone-else' }).split('.')[1]
    const ctx = contextFor(`${header}.${forged}.${signature}`)
    await expectFailure(ssaSignature, ctx, { ...FAIL, mentions: ['signature does not verify', '"OpenBanking Ltd"'] })
    assert.equal(ctx.ssa?.verified, false)
  })

  it('rejects alg none (SEC-1)', async () => {
    await expectFailure(ssaSignature, contextFor(unsignedJws({ alg: 'none', typ: 'JWT' }, claims)), { ...FAIL, mentions: ['alg "none" is not accepted from directory "OpenBanking Ltd"', 'PS256, ES256'] })
  })

  it('rejects HS256 keyed with the directory public key text (SEC-2)', async () => {
    await expectFailure(ssaSignature, contextFor(await hmacWithPublicKey(obKey.publicPem, claims, { kid: obKey.kid })), { ...FAIL, mentions: ['alg "HS256" is not accepted'] })
  })

  it('rejects an algorithm this directory does not accept (SEC-3, CDR-DCR-8)', async () => {
    const esForCdr = await makeSigner('ES256', 'cdr-key')
    const cdrWithEs = makeDirectory('cdr-register', keySetOf(esForCdr), { algorithms: ['PS256'] })
    await expectFailure(ssaSignature, contextFor(await esForCdr.sign({ ...claims, iss: 'cdr-register' }), cdrWithEs), { ...FAIL, mentions: ['alg "ES256" is not accepted from directory "cdr-register" (accepted: PS256)'] })
    const rs = await makeSigner('RS256', 'rs-key')
    await expectFailure(ssaSignature, contextFor(await rs.sign(claims), makeDirectory('OpenBanking Ltd', keySetOf(rs))), { ...FAIL, mentions: ['alg "RS256"'] })
  })

  it('rejects a kid unknown to the directory (SEC-4)', async () => {
    await expectFailure(ssaSignature, contextFor(await obKey.sign(claims, { kid: 'rotated-away' })), { ...FAIL, mentions: ['kid "rotated-away" is unknown to directory "OpenBanking Ltd"'] })
  })

  it('rejects an SSA signed by an attacker key carried in the jwk header (SEC-5)', async () => {
    await expectFailure(ssaSignature, contextFor(await attacker.sign(claims, { kid: obKey.kid, jwk: attacker.publicJwk })), { ...FAIL, mentions: ['signature does not verify'] })
  })

  it('ignores a jku header pointing at attacker keys (SEC-5)', async () => {
    await expectFailure(ssaSignature, contextFor(await attacker.sign(claims, { jku: 'https://attacker.example/jwks.json' })), { ...FAIL, mentions: ['kid "attacker-key" is unknown'] })
  })

  it('rejects an SSA signed by another trusted directory than its iss names', async () => {
    await expectFailure(ssaSignature, contextFor(await cdrKey.sign(claims)), { ...FAIL, mentions: ['kid "cdr-key" is unknown to directory "OpenBanking Ltd"'] })
  })

  it('reports directory keys that cannot be fetched', async () => {
    const offline: KeySet = async () => {
      throw new errors.JWKSTimeout()
    }
    await expectFailure(ssaSignature, contextFor(await obKey.sign(claims), makeDirectory('OpenBanking Ltd', offline)), { ...FAIL, mentions: ['signing keys of directory "OpenBanking Ltd" are unavailable'] })
  })

  it('passes an SSA whose typ is absent, JWT or application/jwt (SEC-8)', async () => {
    for (const typ of [undefined, 'JWT', 'jwt', 'application/jwt']) await expectPass(ssaSignature, contextFor(await obKey.sign(claims, { typ })))
  })

  it('rejects an SSA whose typ names another kind of token, e.g. an access token (SEC-8)', async () => {
    for (const typ of ['at+jwt', 'dpop+jwt']) {
      const ctx = contextFor(await obKey.sign(claims, { typ }))
      await expectFailure(ssaSignature, ctx, { ...FAIL, mentions: [`"typ" "${typ}"`, 'must be absent or "JWT"'] })
      assert.equal(ctx.ssa?.verified, false)
    }
  })

  it('rejects a payload with __proto__ (SEC-21)', async () => {
    await expectFailure(ssaSignature, contextFor(await obKey.sign(JSON.parse('{"iss":"OpenBanking Ltd","__proto__":{"admin":true}}') as Record<string, unknown>)), { ...FAIL, mentions: ['"__proto__"'] })
  })

  describe('with ssa-issuer off (no directory chosen yet)', () => {
    it('finds the configured directory whose key verifies the SSA', async () => {
      const ctx = makeContext({ ssa: { ...claims, iss: 'Some Unlisted Issuer' }, ssaCompact: await cdrKey.sign({ ...claims, iss: 'Some Unlisted Issuer' }), directories })
      const checked = await expectPass(ssaSignature, ctx)
      assert.equal(checked.directory, cdr)
      assert.equal(checked.ssa?.verified, true)
    })

    it('rejects an SSA naming one configured directory but signed by another: its iss chose the profile', async () => {
      const ctx = makeContext({ ssa: claims, ssaCompact: await cdrKey.sign(claims), directories })
      await expectFailure(ssaSignature, ctx, FAIL)
      assert.equal(ctx.directory, undefined)
      assert.equal(ctx.ssa?.verified, false)
    })

    it('rejects an SSA that no configured directory signed', async () => {
      const ctx = makeContext({ ssa: claims, ssaCompact: await attacker.sign(claims, { jwk: attacker.publicJwk }), directories })
      await expectFailure(ssaSignature, ctx, { ...FAIL, mentions: ['not signed by a key of any trusted directory'] })
      assert.equal(ctx.directory, undefined)
    })

    it('rejects alg none against every directory', async () => {
      await expectFailure(ssaSignature, makeContext({ ssa: claims, ssaCompact: unsignedJws({ alg: 'none' }, claims), directories }), FAIL)
    })

    it('says when some directory keys were unavailable', async () => {
      const offline: KeySet = async () => {
        throw new TypeError('fetch failed')
      }
      const ctx = makeContext({ ssa: claims, ssaCompact: await attacker.sign(claims), directories: directoriesOf(makeDirectory('Down', offline), cdr) })
      await expectFailure(ssaSignature, ctx, { ...FAIL, mentions: ['some directory keys are unavailable'] })
    })

    it('rejects a malformed SSA once, not per directory', async () => {
      await expectFailure(ssaSignature, makeContext({ ssa: claims, ssaCompact: 'a.b', directories }), { ...FAIL, mentions: ['not an acceptable compact JWS'] })
    })
  })
})
