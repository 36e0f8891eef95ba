import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Config } from '../../src/config/schema.ts'
import type { ClientRecord } from '../../src/store/store.ts'
import type { Claims } from '../../src/lib/claims.ts'
import { jtiReplay, jtisToRecord } from '../../src/validation/validators/jti-replay.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const NOW = 1767225100
const SSA_COMPACT = 'header.ssa-payload.signature'
const request = { iss: 'soft-1', jti: 'request-jti', iat: NOW - 10, exp: NOW + 290 }
const ssa = { iss: 'OpenBanking Ltd', jti: 'ssa-jti', iat: NOW - 100 }

type Options = { request?: Claims; ssa?: Claims | null; used?: string[]; config?: Config }
/** `ssa: null` leaves the software statement out. */
const context = ({ request: requestClaims = request, ssa: ssaClaims = ssa, used = [], config = testConfig() }: Options = {}) =>
  makeContext({ now: NOW, config, request: requestClaims, requestCompact: 'signed.request.jws', ...(ssaClaims === null ? {} : { ssa: ssaClaims, ssaCompact: SSA_COMPACT }), usedJtis: new Set(used) })

const client: ClientRecord = {
  clientId: 'c1',
  softwareId: 'soft-1',
  orgId: 'org-1',
  directoryIssuer: 'OpenBanking Ltd',
  metadata: {},
  softwareStatement: SSA_COMPACT,
  certificateThumbprint: undefined,
  status: 'active',
  createdAt: 1,
  updatedAt: 1,
}

describe('jti-replay (SEC-11, UK-DCR-22, CDR-DCR-10)', () => {
  it('passes unused request and SSA jtis', async () => {
    await expectPass(jtiReplay, context())
    await expectPass(jtiReplay, context({ used: ['other-issuer|request-jti', 'soft-1|other-jti'] }))
  })

  it('rejects a replayed request jti', async () => {
    await expectFailure(jtiReplay, context({ used: ['soft-1|request-jti'] }), { error: 'invalid_client_metadata', claim: 'jti', mentions: ['already been used', 'fresh jti'] })
  })

  it('rejects a replayed SSA jti', async () => {
    await expectFailure(jtiReplay, context({ used: ['OpenBanking Ltd|ssa-jti'] }), { error: 'invalid_software_statement', claim: 'jti', mentions: ['software statement has already been used'] })
  })

  it('rejects a missing or empty request jti', async () => {
    await expectFailure(jtiReplay, context({ request: { ...request, jti: undefined } }), { error: 'invalid_client_metadata', claim: 'jti', mentions: ['is required in the request'] })
    await expectFailure(jtiReplay, context({ request: { ...request, jti: '' } }), { error: 'invalid_client_metadata', claim: 'jti' })
    await expectFailure(jtiReplay, context({ request: { ...request, jti: 7 } }), { error: 'invalid_client_metadata', claim: 'jti', mentions: ['must be a string'] })
  })

  it('rejects a request without iss (the jti is unique per issuer)', async () => {
    await expectFailure(jtiReplay, context({ request: { ...request, iss: undefined } }), { error: 'invalid_client_metadata', claim: 'iss' })
  })

  it('rejects a missing SSA jti', async () => {
    await expectFailure(jtiReplay, context({ ssa: { iss: 'OpenBanking Ltd' } }), { error: 'invalid_software_statement', claim: 'jti', mentions: ['is required in the software statement'] })
  })

  it('checks only the SSA of a plain JSON (unsigned) request', async () => {
    await expectPass(jtiReplay, makeContext({ now: NOW, request: { redirect_uris: [] }, ssa, ssaCompact: SSA_COMPACT }))
    await expectFailure(jtiReplay, makeContext({ now: NOW, request: {}, ssa, ssaCompact: SSA_COMPACT, usedJtis: new Set(['OpenBanking Ltd|ssa-jti']) }), { error: 'invalid_software_statement', claim: 'jti' })
  })

  it('on update, accepts the very SSA the client was registered with but not another used one', async () => {
    const used = new Set(['OpenBanking Ltd|ssa-jti'])
    const sameSsa = { ...makeContext({ operation: 'update', now: NOW, request, requestCompact: 'r', ssa, ssaCompact: SSA_COMPACT, usedJtis: used }), client }
    await expectPass(jtiReplay, sameSsa)
    const otherSsa = { ...makeContext({ operation: 'update', now: NOW, request, requestCompact: 'r', ssa, ssaCompact: 'another.ssa.jws', usedJtis: used }), client }
    await expectFailure(jtiReplay, otherSsa, { error: 'invalid_software_statement', claim: 'jti' })
  })
})

describe('jtisToRecord', () => {
  it('keeps each jti until its exp plus skew', () => {
    const rows = jtisToRecord(context({ ssa: { ...ssa, exp: NOW + 500 } }))
    assert.deepEqual(rows, [
      { issuer: 'soft-1', jti: 'request-jti', expiresAt: NOW + 290 + 60 },
      { issuer: 'OpenBanking Ltd', jti: 'ssa-jti', expiresAt: NOW + 500 + 60 },
    ])
  })

  it('without exp, keeps it until iat plus the maximum age plus skew', () => {
    const rows = jtisToRecord(context({ request: { iss: 'soft-1', jti: 'request-jti', iat: NOW - 10 } }))
    assert.deepEqual(rows, [
      { issuer: 'soft-1', jti: 'request-jti', expiresAt: NOW - 10 + 300 + 60 },
      { issuer: 'OpenBanking Ltd', jti: 'ssa-jti', expiresAt: NOW - 100 + 600 + 60 },
    ])
  })

  it('without exp and iat, or without an SSA age limit, keeps it for the retention period', () => {
    const config = testConfig({ validators: { freshness: { maxSsaAgeSeconds: 0 }, 'jti-replay': { retentionSeconds: 7200 } } })
    const rows = jtisToRecord(context({ request: { iss: 'soft-1', jti: 'request-jti' }, config }))
    assert.deepEqual(rows, [
      { issuer: 'soft-1', jti: 'request-jti', expiresAt: NOW + 7200 },
      { issuer: 'OpenBanking Ltd', jti: 'ssa-jti', expiresAt: NOW + 7200 },
    ])
  })

  it('records nothing for a JWT without iss or jti, and only the SSA of an unsigned request', () => {
    assert.deepEqual(jtisToRecord(context({ request: { jti: 'x' }, ssa: null })), [])
    assert.deepEqual(jtisToRecord(makeContext({ now: NOW, request: { iss: 'soft-1', jti: 'json-body' }, ssa, ssaCompact: SSA_COMPACT })).map((row) => row.jti), ['ssa-jti'])
  })

  it('does not record again the SSA an update re-presents', () => {
    const ctx = { ...makeContext({ operation: 'update', now: NOW, request, requestCompact: 'r', ssa, ssaCompact: SSA_COMPACT }), client }
    assert.deepEqual(jtisToRecord(ctx).map((row) => row.jti), ['request-jti'])
  })
})
