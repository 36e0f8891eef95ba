import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { labelScriptProblem, SCRIPT_NAMES, scriptOf } from '../../src/validation/label-scripts.ts'

describe('label-scripts (UTS #39 highly restrictive, issue 13 item 8)', () => {
  it('knows the script of every code point this Node knows, one script each', () => {
    const anyListed = new RegExp(`^[${SCRIPT_NAMES.map((name) => `\\p{Script=${name}}`).join('')}]$`, 'u')
    const unknown = /^\p{Script=Unknown}$/u
    const missing: string[] = []
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue
      const character = String.fromCodePoint(codePoint)
      if (!anyListed.test(character) && !unknown.test(character)) missing.push(codePoint.toString(16))
    }
    assert.deepEqual(missing.slice(0, 10), [], 'a script Node knows is missing from SCRIPT_NAMES')
  })

  it('names the script of a code point, Unknown for an unassigned one', () => {
    assert.deepEqual(['a', 'а', 'α', '東', 'テ', 'て', '한', '-', '7', '\u0301', '\u0378'].map(scriptOf), ['Latin', 'Cyrillic', 'Greek', 'Han', 'Katakana', 'Hiragana', 'Hangul', 'Common', 'Common', 'Inherited', 'Unknown'])
  })

  for (const [label, problem] of [
    ['app', undefined],
    ['münchen', undefined],
    ['пример-2', undefined],
    ['e\u0301cole', undefined],
    ['例えテスト', undefined],
    ['abc東京', undefined],
    ['abc한국', undefined],
    ['abcㄅ中', undefined],
    ['аpp', 'it mixes the scripts Cyrillic and Latin, as homographs of other names do; use one script per label'],
    ['한국テ', 'it mixes the scripts Hangul and Katakana, as homographs of other names do; use one script per label'],
    ['αβγabc', 'it mixes the scripts Greek and Latin, as homographs of other names do; use one script per label'],
    ['ab\u0378', 'it contains the unassigned code point U+0378'],
  ] as const) {
    it(`${problem === undefined ? 'accepts' : 'refuses'} the label ${label}`, () => {
      assert.equal(labelScriptProblem(label), problem)
    })
  }
})
