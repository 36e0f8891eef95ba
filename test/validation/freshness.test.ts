import { describe, it } from 'node:test'
import { freshness } from '../../src/validation/validators/freshness.ts'
import type { Claims } from '../../src/lib/claims.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

// Frozen clock; defaults: skew 60 s, request max age 300 s, max lifetime 3600 s, exp required, SSA max age 600 s.
const NOW = 1767225100
const goodRequest = { iat: NOW - 10, exp: NOW + 290, jti: 'r1' }
const goodSsa = { iat: NOW - 100, jti: 's1' }
const REQUEST_FAIL = (claim: string) => ({ error: 'invalid_client_metadata', claim }) as const
const SSA_FAIL = (claim: string) => ({ error: 'invalid_software_statement', claim }) as const

const context = (request: Claims, ssa: Claims | undefined = goodSsa, config = testConfig()) => makeContext({ now: NOW, config, request, requestCompact: 'signed.request.jws', ssa })
const fresh = (values: Record<string, unknown>) => testConfig({ validators: { freshness: values } })

describe('freshness (SEC-12, SEC-13, UK-DCR-20, UK-DCR-36, CDR-DCR-10, BR-DCR-6)', () => {
  describe('request', () => {
    it('passes a fresh request with exp and nbf', async () => {
      await expectPass(freshness, context(goodRequest))
      await expectPass(freshness, context({ ...goodRequest, nbf: NOW + 60 }))
    })

    it('rejects a missing iat', async () => {
      await expectFailure(freshness, context({ exp: NOW + 100 }), { ...REQUEST_FAIL('iat'), mentions: ['is required in the request'] })
    })

    it('rejects an iat in the future beyond the skew, accepts it within', async () => {
      await expectFailure(freshness, context({ iat: NOW + 61, exp: NOW + 300 }), { ...REQUEST_FAIL('iat'), mentions: ['more than 60 seconds in the future'] })
      await expectPass(freshness, context({ iat: NOW + 60, exp: NOW + 300 }))
    })

    it('rejects a request older than the maximum age (plus skew)', async () => {
      await expectFailure(freshness, context({ iat: NOW - 361, exp: NOW + 100 }), { ...REQUEST_FAIL('iat'), mentions: ['more than 300 seconds old'] })
      await expectPass(freshness, context({ iat: NOW - 360, exp: NOW + 100 }))
      await expectFailure(freshness, context({ iat: NOW - 100, exp: NOW + 100 }, goodSsa, fresh({ maxRequestAgeSeconds: 30 })), REQUEST_FAIL('iat'))
    })

    it('rejects a missing exp unless the profile allows it', async () => {
      await expectFailure(freshness, context({ iat: NOW }), { ...REQUEST_FAIL('exp'), mentions: ['is required'] })
      await expectPass(freshness, context({ iat: NOW }, goodSsa, fresh({ requireRequestExp: false })))
    })

    it('rejects an exp that has passed (beyond skew)', async () => {
      await expectFailure(freshness, context({ iat: NOW - 200, exp: NOW - 60 }), { ...REQUEST_FAIL('exp'), mentions: ['has passed'] })
      await expectPass(freshness, context({ iat: NOW - 200, exp: NOW - 59 }))
    })

    it('rejects a lifetime (exp - iat) above the maximum (SEC-13)', async () => {
      await expectFailure(freshness, context({ iat: NOW, exp: NOW + 3601 }), { ...REQUEST_FAIL('exp'), mentions: ['more than 3600 seconds after iat'] })
      await expectPass(freshness, context({ iat: NOW, exp: NOW + 3600 }))
    })

    it('rejects an nbf in the future beyond the skew', async () => {
      await expectFailure(freshness, context({ ...goodRequest, nbf: NOW + 61 }), { ...REQUEST_FAIL('nbf'), mentions: ['in the future'] })
    })

    it('rejects times that are not whole seconds (SEC-22)', async () => {
      await expectFailure(freshness, context({ ...goodRequest, iat: NOW - 0.5 }), { ...REQUEST_FAIL('iat'), mentions: ['whole number of seconds'] })
      await expectFailure(freshness, context({ ...goodRequest, exp: String(NOW + 100) }), REQUEST_FAIL('exp'))
      await expectFailure(freshness, context({ ...goodRequest, nbf: -1 }), REQUEST_FAIL('nbf'))
    })

    it('does not look for times in a plain JSON (unsigned) request', async () => {
      await expectPass(freshness, makeContext({ now: NOW, request: { redirect_uris: [] }, ssa: goodSsa }))
    })
  })

  describe('software statement', () => {
    it('passes a fresh SSA, with or without exp', async () => {
      await expectPass(freshness, context(goodRequest, goodSsa))
      await expectPass(freshness, context(goodRequest, { ...goodSsa, exp: NOW + 500 }))
    })

    it('rejects an SSA iat in the future beyond the skew', async () => {
      await expectFailure(freshness, context(goodRequest, { iat: NOW + 61 }), { ...SSA_FAIL('iat'), mentions: ['in the software statement', 'in the future'] })
    })

    it('rejects an SSA older than the maximum age (UK-DCR-36, BR-DCR-6)', async () => {
      await expectFailure(freshness, context(goodRequest, { iat: NOW - 661 }), { ...SSA_FAIL('iat'), mentions: ['more than 600 seconds old', 'obtain a new software statement'] })
      await expectFailure(freshness, context(goodRequest, { iat: NOW - 361 }, fresh({ maxSsaAgeSeconds: 300 })), SSA_FAIL('iat'))
      await expectPass(freshness, context(goodRequest, { iat: NOW - 360 }, fresh({ maxSsaAgeSeconds: 300 })))
    })

    it('has no SSA age limit when the maximum age is 0', async () => {
      const unlimited = fresh({ maxSsaAgeSeconds: 0 })
      await expectPass(freshness, context(goodRequest, { iat: NOW - 86400 * 365 }, unlimited))
      await expectPass(freshness, context(goodRequest, { jti: 's1' }, unlimited))
    })

    it('rejects an SSA without iat when its age is limited', async () => {
      await expectFailure(freshness, context(goodRequest, { jti: 's1' }), { ...SSA_FAIL('iat'), mentions: ['is required in the software statement'] })
    })

    it('rejects an expired SSA (CDR-DCR-10)', async () => {
      await expectFailure(freshness, context(goodRequest, { iat: NOW - 600, exp: NOW - 61 }), { ...SSA_FAIL('exp'), mentions: ['has passed'] })
    })

    it('rejects an SSA without exp when the profile requires one (CDR-DCR-10)', async () => {
      await expectFailure(freshness, context(goodRequest, goodSsa, fresh({ requireSsaExp: true })), { ...SSA_FAIL('exp'), mentions: ['is required in the software statement'] })
    })

    it('rejects an SSA nbf in the future', async () => {
      await expectFailure(freshness, context(goodRequest, { ...goodSsa, nbf: NOW + 3600 }), SSA_FAIL('nbf'))
    })

    it('checks the request before the SSA and passes without SSA', async () => {
      await expectFailure(freshness, context({ iat: NOW + 3600, exp: NOW + 3700 }, { iat: NOW + 3600 }), REQUEST_FAIL('iat'))
      await expectPass(freshness, makeContext({ now: NOW, request: goodRequest, requestCompact: 'signed.request.jws' }))
    })
  })
})
