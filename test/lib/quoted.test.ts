/** How client values appear in error descriptions (SEC-35, UK-DCR-43): quoted, shortened, absent named. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ABSENT, QUOTED_MAX_LENGTH, quoted } from '../../src/lib/quoted.ts'

describe('quoted', () => {
  it('JSON-quotes a value, escaping control characters', () => {
    assert.equal(quoted('a"b\nc'), '"a\\"b\\nc"')
  })

  it('shortens a long value to QUOTED_MAX_LENGTH characters and marks the cut', () => {
    assert.equal(quoted('x'.repeat(QUOTED_MAX_LENGTH + 1)), `"${'x'.repeat(QUOTED_MAX_LENGTH)}..."`)
    assert.equal(quoted('x'.repeat(QUOTED_MAX_LENGTH)), `"${'x'.repeat(QUOTED_MAX_LENGTH)}"`)
    assert.equal(quoted('abcdef', 3), '"abc..."')
  })

  it('renders an absent value as (absent), distinct from an empty string', () => {
    assert.equal(quoted(undefined), ABSENT)
    assert.equal(ABSENT, '(absent)')
    assert.equal(quoted(''), '""')
  })
})
