import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { findDuplicateMember } from '../../src/lib/duplicate-members.ts'

describe('findDuplicateMember (SEC-7, RFC 7515 §4, RFC 7519 §4)', () => {
  it('refuses a JOSE header naming alg twice: {"alg":"none",...,"alg":"PS256"}', () => {
    assert.equal(findDuplicateMember('{"alg":"none","kid":"k","alg":"PS256"}'), 'alg')
  })

  it('refuses a claim set naming iss or redirect_uris twice', () => {
    assert.equal(findDuplicateMember('{"iss":"a","aud":"b","iss":"c"}'), 'iss')
    assert.equal(findDuplicateMember('{"redirect_uris":["https://a.example/cb"],"redirect_uris":["https://evil.example/cb"]}'), 'redirect_uris')
  })

  it('refuses names equal only after unescaping ("alg" and "\\u0061lg")', () => {
    assert.equal(findDuplicateMember('{"alg":"PS256","\\u0061lg":"none"}'), 'alg')
  })

  it('refuses a duplicate in a nested object, after nested arrays and objects were closed', () => {
    assert.equal(findDuplicateMember('{"jwks":{"keys":[{"kid":"a","n":"x"},{"kid":"b"}],"keys":[]}}'), 'keys')
    assert.equal(findDuplicateMember('{"a":[{"x":1,"y":[1,{"z":2}],"x":3}]}'), 'x')
  })

  it('accepts the same name in different objects, in arrays and as a string value', () => {
    assert.equal(findDuplicateMember('{"kid":"kid","keys":[{"kid":"a"},{"kid":"b"}],"x":{"kid":"c"}}'), undefined)
    assert.equal(findDuplicateMember('["a","a",{"a":1}]'), undefined)
    assert.equal(findDuplicateMember('{"a":"a","b":["a","a"]}'), undefined)
  })

  it('is not fooled by quotes, braces and commas inside strings', () => {
    assert.equal(findDuplicateMember('{"a":"\\",\\"a\\":1","b":"{,}[","c":"\\\\"}'), undefined)
    assert.equal(findDuplicateMember('{"a\\"":1,"a":2,"a\\"":3}'), 'a"')
  })

  it('accepts whitespace between tokens and finds duplicates across it', () => {
    assert.equal(findDuplicateMember(' {\n "a" : 1 ,\t"b":{ } , "a" :2 } '), 'a')
    assert.equal(findDuplicateMember('{ }'), undefined)
  })

  it('reads plain values (a string, a number, null) without finding anything', () => {
    for (const text of ['"x"', '12', 'null', 'true', '[]']) assert.equal(findDuplicateMember(text), undefined)
  })

  it('scans a 60 KB object with 5,000 members in linear time', () => {
    const members = Array.from({ length: 5000 }, (_, index) => `"m${index}":"${'v'.repeat(5)}"`)
    const started = performance.now()
    assert.equal(findDuplicateMember(`{${members.join(',')}}`), undefined)
    assert.equal(findDuplicateMember(`{${members.join(',')},"m4999":1}`), 'm4999')
    assert.ok(performance.now() - started < 1000)
  })
})
