/**
 * `open-dcr conformance` against the sandbox of every profile (issue 12 item 13): `open-dcr sandbox --profile
 * P` runs in a child process, as a user starts it, and the profile's part of the catalogue runs against it
 * with the sandbox's material, in the profile's request shape, SSA shape and media type. Every case of the
 * profile passes, those of every behaviour issue 12 reported included.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { casesFor } from '../../src/conformance/catalogue.ts'
import { sandboxMaterial } from '../../src/conformance/material.ts'
import { runConformance } from '../../src/conformance/runner.ts'
import { readRunningServer } from '../../src/cli/running-server.ts'
import { SANDBOX_PROFILES, type SandboxProfile } from '../../src/sandbox/profile-sandbox.ts'
import { loadSandbox } from '../../src/sandbox/sandbox.ts'
import { startSandbox } from '../cli/harness.ts'


describe('open-dcr conformance against the sandbox of every profile', () => {
  for (const profile of SANDBOX_PROFILES) {
    it(`passes every ${profile} case`, async () => {
      const sandbox = await startSandbox({ profile })
      try {
        const running = await readRunningServer(sandbox.dir)
        assert.ok(running)
        const material = sandboxMaterial(await loadSandbox(sandbox.dir), { url: running.url, issuer: running.issuer, profile: profile as SandboxProfile })
        const cases = casesFor(profile)
        const report = await runConformance(material, { cases })
        const failed = report.outcomes.filter((o) => !o.passed).map((o) => `${o.id}: expected ${o.expected}, got ${o.got} ${o.note ?? ''}`)
        assert.deepEqual(failed, [])
        assert.equal(report.outcomes.length, cases.length)
      } finally {
        await sandbox.stop()
      }
    })
  }
})
