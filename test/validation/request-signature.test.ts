import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { calculateJwkThumbprint } from 'jose'
import type { ValidationContext } from '../../src/validation/context.ts'
import { ValidationError } from '../../src/validation/errors.ts'
import { requestSignature } from '../../src/validation/validators/request-signature.ts'
import { makeContext, testConfig, type ContextOptions } from '../helpers/context.ts'
import { hmacWithPublicKey, makeSigner, remoteKeySetsOf, unsignedJws, type Signer } from '../helpers/jws-fixtures.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const JWKS_URL = 'https://keystore.openbankingtest.org.uk/0015800001ZEc3hAAD/7Hq2LmN9pXvR4tYb8Kc1Zs.jwks'
const OTHER_URL = 'https://keystore.openbankingtest.org.uk/other/other.jwks'
const tpp = await makeSigner('PS256', 'tpp-signing')
const tppEs = await makeSigner('ES256', 'tpp-es')
const otherTpp = await makeSigner('PS256', 'other-tpp')
const attacker = await makeSigner('PS256', 'attacker-key')
const remoteKeySets = remoteKeySetsOf({ [JWKS_URL]: [tpp, tppEs], [OTHER_URL]: [otherTpp] })
const ssa = { iss: 'OpenBanking Ltd', software_id: '7Hq2LmN9pXvR4tYb8Kc1Zs', software_jwks_endpoint: JWKS_URL }
const request = { iss: '7Hq2LmN9pXvR4tYb8Kc1Zs', aud: 'https://bank.example.com', jti: 'req-1', redirect_uris: ['https://app.example/cb'] }

/** A context whose SSA ssa-signature has already verified. */
function verifiedContext(requestCompact: string | undefined, options: ContextOptions = {}): ValidationContext {
  return makeContext({ request, ssa, ssaCompact: 'verified.ssa.jws', ssaVerified: true, remoteKeySets, ...options, ...(requestCompact === undefined ? {} : { requestCompact }) })
}

async function expectRequestRefusal(ctx: ValidationContext, mentions: string[]): Promise<ValidationError> {
  let caught: unknown
  try {
    await requestSignature.check(ctx)
  } catch (error) {
    caught = error
  }
  assert.ok(caught instanceof ValidationError, `expected a ValidationError, got ${String(caught)}`)
  assert.equal(caught.error, 'invalid_client_metadata', caught.message)
  assert.equal(caught.validator, 'request-signature')
  for (const text of mentions) assert.ok(caught.message.includes(text), `"${caught.message}" does not mention ${text}`)
  assert.equal(ctx.request.verified, false)
  return caught
}

describe('request-signature (UK-DCR-14, CDR-DCR-12, SEC-1..10)', () => {
  it('passes a PS256 or ES256 request signed by a key of the TPP JWKS and keeps only the verified claims', async () => {
    for (const signer of [tpp, tppEs]) {
      const ctx = verifiedContext(await signer.sign(request), { request: { ...request, iss: 'decoded-not-verified' } })
      const checked = await expectPass(requestSignature, ctx)
      assert.equal(checked.request.verified, true)
      assert.equal(checked.request.claims.iss, request.iss)
    }
  })

  it('rejects an unsigned (plain JSON) request', async () => {
    await expectRequestRefusal(verifiedContext(undefined), ['must be a JWT signed by the software'])
  })

  it('rejects when there is no software statement to locate the keys', async () => {
    await expectFailure(requestSignature, makeContext({ request, requestCompact: await tpp.sign(request), remoteKeySets }), { error: 'invalid_client_metadata', claim: 'software_statement' })
  })

  it('rejects a software statement without the JWKS claim, naming it', async () => {
    const withoutJwks = { ...ssa, software_jwks_endpoint: undefined }
    await expectFailure(requestSignature, verifiedContext(await tpp.sign(request), { ssa: withoutJwks }), { error: 'invalid_software_statement', claim: 'software_jwks_endpoint' })
  })

  it('uses the profile JWKS claim (CDR jwks_uri)', async () => {
    const config = testConfig({ ssa: { jwksUriClaim: 'jwks_uri' } })
    await expectPass(requestSignature, verifiedContext(await tpp.sign(request), { config, ssa: { iss: 'cdr-register', jwks_uri: JWKS_URL } }))
    await expectFailure(requestSignature, verifiedContext(await tpp.sign(request), { config }), { error: 'invalid_software_statement', claim: 'jwks_uri' })
  })

  it('never takes keys from an unverified software statement (SEC-10)', async () => {
    const ctx = makeContext({ request, requestCompact: await tpp.sign(request), ssa, ssaCompact: 'unverified.ssa.jws', remoteKeySets })
    await expectFailure(requestSignature, ctx, { error: 'invalid_software_statement', claim: 'software_jwks_endpoint', mentions: ['must be verified'] })
  })

  it('rejects a JWKS URL the fetch rules refuse, naming the claim', async () => {
    const ctx = verifiedContext(await tpp.sign(request), { ssa: { ...ssa, software_jwks_endpoint: 'https://169.254.169.254/latest/meta-data/' } })
    await expectFailure(requestSignature, ctx, { error: 'invalid_software_statement', claim: 'software_jwks_endpoint', mentions: ['may not be fetched', '169.254.169.254'] })
  })

  it('rejects a kid that is not in the TPP JWKS, naming the URL', async () => {
    await expectRequestRefusal(verifiedContext(await tpp.sign(request, { kid: 'unknown-kid' })), ['kid "unknown-kid" is not in the TPP JWKS at', JWKS_URL])
  })

  it('rejects a request signed by another TPP (key of another JWKS)', async () => {
    await expectRequestRefusal(verifiedContext(await otherTpp.sign(request)), ['kid "other-tpp" is not in the TPP JWKS'])
    await expectRequestRefusal(verifiedContext(await otherTpp.sign(request, { kid: tpp.kid })), ['signature does not verify with the key "tpp-signing"'])
  })

  it('rejects alg none (SEC-1)', async () => {
    await expectRequestRefusal(verifiedContext(unsignedJws({ alg: 'none', typ: 'JWT' }, request)), ['alg "none" is not allowed', 'PS256, ES256'])
  })

  it('rejects HS256 keyed with the TPP public key text (SEC-2)', async () => {
    const config = testConfig({ validators: { 'request-signature': { algorithms: ['PS256', 'ES256'] } } })
    await expectRequestRefusal(verifiedContext(await hmacWithPublicKey(tpp.publicPem, request, { kid: tpp.kid }), { config }), ['alg "HS256" is not allowed'])
  })

  it('rejects RS256 when the profile does not allow it (SEC-3, FAPI)', async () => {
    const rs = await makeSigner('RS256', 'tpp-rs')
    const sets = remoteKeySetsOf({ [JWKS_URL]: [rs] })
    await expectRequestRefusal(verifiedContext(await rs.sign(request), { remoteKeySets: sets }), ['alg "RS256" is not allowed; sign with one of PS256, ES256'])
    const config = testConfig({ validators: { 'request-signature': { algorithms: ['RS256'] } } })
    await expectPass(requestSignature, verifiedContext(await rs.sign(request), { remoteKeySets: sets, config }))
  })

  it('rejects an attacker key carried in the jwk header (SEC-5)', async () => {
    await expectRequestRefusal(verifiedContext(await attacker.sign(request, { kid: tpp.kid, jwk: attacker.publicJwk })), ['signature does not verify'])
  })

  it('ignores jku and x5u headers (SEC-5, UK-DCR-12)', async () => {
    await expectRequestRefusal(verifiedContext(await attacker.sign(request, { jku: OTHER_URL, x5u: 'https://attacker.example/x.pem' })), ['kid "attacker-key" is not in the TPP JWKS at', JWKS_URL])
    await expectPass(requestSignature, verifiedContext(await tpp.sign(request, { jku: 'https://attacker.example/jwks.json' })))
  })

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await tpp.sign(request)).split('.')
    const forged = unsignedJws({}, { ...request, redirect_uris: ['https://evil.example/cb'] }).split('.')[1]
    await expectRequestRefusal(verifiedContext(`${header}.${forged}.${signature}`), ['signature does not verify'])
  })

  it('reports an unreachable TPP JWKS', async () => {
    await expectRequestRefusal(verifiedContext(await tpp.sign(request), { remoteKeySets: remoteKeySetsOf({ [JWKS_URL]: 'unreachable' }) }), [`the TPP JWKS at ${JWKS_URL} is unreachable`])
  })

  it('passes a request whose typ is absent, JWT or application/jwt (SEC-8)', async () => {
    for (const typ of [undefined, 'JWT', 'jwt', 'application/jwt']) await expectPass(requestSignature, verifiedContext(await tpp.sign(request, { typ })))
  })

  it('rejects a request whose typ names another kind of token, e.g. an access token or DPoP proof (SEC-8)', async () => {
    for (const typ of ['at+jwt', 'dpop+jwt']) await expectRequestRefusal(verifiedContext(await tpp.sign(request, { typ })), [`"typ" "${typ}"`, 'must be absent or "JWT"'])
  })

  it('rejects a request that is not a compact JWS', async () => {
    await expectRequestRefusal(verifiedContext('eyJhbGciOiJQUzI1NiJ9.e30'), ['not an acceptable compact JWS'])
  })
})

describe('request-signature: revoked keys (UK-DCR-37, SEC-9)', () => {
  const REVOKED_URL = 'https://keystore.openbankingtest.org.uk/0015800001ZEc3hAAD/revoked/7Hq2LmN9pXvR4tYb8Kc1Zs.jwks'
  const withRevoked = { ...ssa, software_jwks_revoked_endpoint: REVOKED_URL }
  const setsRevoking = (revoked: readonly Signer[] | 'unreachable') => remoteKeySetsOf({ [JWKS_URL]: [tpp, tppEs], [REVOKED_URL]: revoked })
  const CLAIM = 'software_jwks_revoked_endpoint'

  it('rejects a request signed with a key whose kid is listed in the revoked JWKS, naming the kid and the claim', async () => {
    const ctx = verifiedContext(await tpp.sign(request), { ssa: withRevoked, remoteKeySets: setsRevoking([tpp]) })
    const error = await expectFailure(requestSignature, ctx, { error: 'invalid_client_metadata', claim: CLAIM, mentions: [`kid "${tpp.kid}"`, 'revoked', REVOKED_URL] })
    assert.equal(ctx.request.verified, false)
    assert.doesNotMatch(error.message, /try again/)
  })

  it('passes a request signed with a key that is not listed (another kid is revoked)', async () => {
    const ctx = verifiedContext(await tppEs.sign(request), { ssa: withRevoked, remoteKeySets: setsRevoking([tpp]) })
    assert.equal((await expectPass(requestSignature, ctx)).request.verified, true)
    await expectPass(requestSignature, verifiedContext(await tpp.sign(request), { ssa: withRevoked, remoteKeySets: setsRevoking([]) }))
  })

  it('rejects a revoked key listed under another kid, by JWK thumbprint', async () => {
    const renamed = { ...tpp, kid: 'renamed', publicJwk: { ...tpp.publicJwk, kid: 'renamed' } }
    const thumbprint = await calculateJwkThumbprint(tpp.publicJwk)
    await expectFailure(requestSignature, verifiedContext(await tpp.sign(request), { ssa: withRevoked, remoteKeySets: setsRevoking([renamed]) }), {
      error: 'invalid_client_metadata',
      claim: CLAIM,
      mentions: [`thumbprint "${thumbprint}"`, `kid "${tpp.kid}"`],
    })
  })

  it('rejects, with try again later, while the revoked JWKS is unreachable (fail closed)', async () => {
    const ctx = verifiedContext(await tpp.sign(request), { ssa: withRevoked, remoteKeySets: setsRevoking('unreachable') })
    await expectFailure(requestSignature, ctx, { error: 'invalid_client_metadata', claim: CLAIM, mentions: ['unreachable', 'try again later', REVOKED_URL] })
    assert.equal(ctx.request.verified, false)
  })

  it('rejects a revoked-keys URL the fetch rules refuse, naming the claim', async () => {
    const ctx = verifiedContext(await tpp.sign(request), { ssa: { ...ssa, software_jwks_revoked_endpoint: 'https://169.254.169.254/revoked.jwks' } })
    await expectFailure(requestSignature, ctx, { error: 'invalid_software_statement', claim: CLAIM, mentions: ['may not be fetched'] })
  })

  it('consults no revoked keys when the SSA has no such claim or the profile names none (CDR)', async () => {
    await expectPass(requestSignature, verifiedContext(await tpp.sign(request), { remoteKeySets: setsRevoking('unreachable') }))
    const config = testConfig({ ssa: { revokedJwksUriClaim: '' } })
    await expectPass(requestSignature, verifiedContext(await tpp.sign(request), { config, ssa: withRevoked, remoteKeySets: setsRevoking([tpp]) }))
  })

  it('uses the profile claim (Brazil software_jwks_inactive_uri)', async () => {
    const config = testConfig({ ssa: { revokedJwksUriClaim: 'software_jwks_inactive_uri' } })
    const brazilSsa = { ...ssa, software_jwks_inactive_uri: REVOKED_URL }
    await expectFailure(requestSignature, verifiedContext(await tpp.sign(request), { config, ssa: brazilSsa, remoteKeySets: setsRevoking([tpp]) }), {
      error: 'invalid_client_metadata',
      claim: 'software_jwks_inactive_uri',
      mentions: [`kid "${tpp.kid}"`],
    })
  })
})
