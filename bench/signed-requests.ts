/**
 * Pre-signs the registration requests of a benchmark phase before the clock starts: for each, a fresh SSA
 * from the sandbox directory (PS256, own jti) embedded in a request signed by the sandbox TPP (its
 * algorithm, own jti), exactly as test/helpers/dcr-server.ts builds one. Every request is accepted once
 * (jti-replay), so a phase needs as many as it sends. Signing runs many at a time: WebCrypto signs on
 * libuv's thread pool, so both cores work. Written as NDJSON load items (bench/load-generator.ts).
 */
import { writeFileSync } from 'node:fs'
import type { LoadedSandbox } from '../src/sandbox/sandbox.ts'

/** How many signatures are in flight at once. */
const IN_FLIGHT = 64

export async function signRegistrations(sandbox: LoadedSandbox, audience: string, count: number): Promise<string[]> {
  const bodies: string[] = new Array<string>(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const index = next
      next += 1
      const ssa = await sandbox.issueSsa()
      bodies[index] = await sandbox.tpp.signRequest(sandbox.tpp.registrationClaims({ ssa, aud: audience }))
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  return bodies
}

/** Writes bodies as NDJSON load items `{ "body": "<compact JWS>" }`. */
export function writeBodyItems(file: string, bodies: readonly string[]): void {
  writeFileSync(file, bodies.map((body) => JSON.stringify({ body })).join('\n') + '\n')
}
