/**
 * Benchmark child: the crypto ceiling (issue 7). The two verifications every registration needs, the
 * directory's signature on the SSA and the TPP's on the request, done with jose one after the other on
 * one thread, over the very requests the servers get; the rate is reported as registrations per second.
 * Also measured, to show what key handling costs: the same through jose's local JWKS key-set function,
 * and with the JWK imported again for every verification (what an uncached key lookup does).
 * argv[2] is a JSON file: { directoryJwk, tppJwk, algorithms, bodiesFile, seconds }.
 */
import { readFileSync } from 'node:fs'
import { compactVerify, createLocalJWKSet, decodeJwt, importJWK, type CompactVerifyGetKey, type JWK } from 'jose'
import { failChild, tell } from './processes.ts'

type Options = { directoryJwk: JWK; tppJwk: JWK; algorithms: string[]; bodiesFile: string; seconds: number }

export type CeilingResult = {
  /** Registrations per second: two verifications in sequence, keys imported once. */
  importedKeys: number
  /** The same through `createLocalJWKSet` (kid lookup, jose's own import cache). */
  localKeySet: number
  /** The same importing both JWKs for every verification. */
  importPerVerification: number
  samples: number
}

type Pair = { ssa: string; request: string }
type Verifier = (pair: Pair) => Promise<void>

/** Runs `verify` over the pairs in a loop for `seconds` (after a short warm-up); registrations per second. */
async function rate(pairs: Pair[], seconds: number, verify: Verifier): Promise<number> {
  for (const pair of pairs.slice(0, 200)) await verify(pair)
  let done = 0
  const began = performance.now()
  const until = began + seconds * 1000
  while (performance.now() < until) {
    for (let i = 0; i < 50; i += 1) {
      await verify(pairs[done % pairs.length]!)
      done += 1
    }
  }
  return done / ((performance.now() - began) / 1000)
}

try {
  const options = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Options
  const pairs = readFileSync(options.bodiesFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const request = (JSON.parse(line) as { body: string }).body
      return { ssa: String(decodeJwt(request).software_statement), request }
    })
  const algorithms = options.algorithms
  const directoryKey = await importJWK(options.directoryJwk, options.directoryJwk.alg)
  const tppKey = await importJWK(options.tppJwk, options.tppJwk.alg)
  const importedKeys = await rate(pairs, options.seconds, async ({ ssa, request }) => {
    await compactVerify(ssa, directoryKey, { algorithms })
    await compactVerify(request, tppKey, { algorithms })
  })
  const directorySet: CompactVerifyGetKey = createLocalJWKSet({ keys: [options.directoryJwk] })
  const tppSet: CompactVerifyGetKey = createLocalJWKSet({ keys: [options.tppJwk] })
  const localKeySet = await rate(pairs, options.seconds / 2, async ({ ssa, request }) => {
    await compactVerify(ssa, directorySet, { algorithms })
    await compactVerify(request, tppSet, { algorithms })
  })
  const importPerVerification = await rate(pairs, options.seconds / 2, async ({ ssa, request }) => {
    await compactVerify(ssa, await importJWK(options.directoryJwk, options.directoryJwk.alg), { algorithms })
    await compactVerify(request, await importJWK(options.tppJwk, options.tppJwk.alg), { algorithms })
  })
  const result: CeilingResult = { importedKeys, localKeySet, importPerVerification, samples: pairs.length }
  await tell({ type: 'result', result })
} catch (error) {
  await failChild(error)
}
