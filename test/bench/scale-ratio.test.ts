/** The scale ratio of `npm run bench` (bench/report.ts): the largest step against the mean of the smallest step's measurements. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { scaleRatio, type ScalePoint } from '../../bench/report.ts'

const point = (stored: number, rate: number, cpu: number, again = false): ScalePoint => ({ stored, again, rate, p99: 20, peakRssBytes: 0, databaseBytes: 0, serverCpuMsPerRequest: cpu })

describe('scaleRatio', () => {
  it('compares the largest step with the mean of the smallest step measured first and again last', () => {
    const { rate, base } = scaleRatio([point(1_000, 1_100, 1.2), point(100_000, 1_000, 1.3), point(1_000_000, 900, 1.4), point(1_000, 900, 1.0, true)])
    assert.deepEqual(base, { rate: 1_000, serverCpuMsPerRequest: 1.1 })
    assert.equal(rate, 0.9)
  })

  it('takes the one measurement of the smallest step when it was not repeated', () => {
    const { rate, base } = scaleRatio([point(1_000, 1_200, 1.0), point(1_000_000, 1_080, 1.1)])
    assert.equal(base.rate, 1_200)
    assert.equal(rate, 0.9)
  })
})
