/**
 * The flags `open-dcr conformance` gained with issue 12 item 13, run as a user runs them against a running
 * `open-dcr sandbox`: --profile chooses the profile's catalogue (and refuses a name that is none),
 * --content-type is honoured against the sandbox too, --kid signs the requests under another kid than the
 * JWK's own, and, with the TPP's files, --ssa-kid signs the software statements under another kid than the
 * directory key's own.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { readRunningServer } from '../../src/cli/running-server.ts'
import type { SandboxManifest } from '../../src/sandbox/sandbox.ts'
import { jsonOf, runCli, startSandbox, type RunningSandbox } from './harness.ts'

type Outcome = { id: string; expected: string; got: string; passed: boolean }

/** The report's outcomes, as `id: got` lines, and the exit code. */
function outcomesOf(result: { code: number | null; stdout: string; stderr: string }, command: string): { code: number | null; outcomes: string[] } {
  const report = jsonOf(result, command) as { outcomes: Outcome[] }
  return { code: result.code, outcomes: report.outcomes.map((o) => `${o.id}: ${o.passed ? 'passed' : 'failed'}, got ${o.got}`) }
}

describe('open-dcr conformance: --profile, --content-type, --kid and --ssa-kid', () => {
  let sandbox: RunningSandbox
  before(async () => {
    sandbox = await startSandbox({ profile: 'obuk' })
  })
  after(() => sandbox.stop())

  const conformance = (...args: string[]) => runCli(['conformance', '--dir', sandbox.dir, '--json', ...args])

  it('--profile chooses the catalogue: an rfc7591-only case is unknown to the sandbox profile (obuk) and known with --profile rfc7591', async () => {
    const unknown = await conformance('--only', 'rfc7591-registration-with-software-statement')
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /unknown case id in --only for profile obuk; known: valid-registration,/)
    // Run against the obuk server, the rfc7591 case is refused there: what matters is that it ran.
    const chosen = outcomesOf(await conformance('--profile', 'rfc7591', '--only', 'rfc7591-registration-with-software-statement'), 'conformance --profile rfc7591')
    assert.deepEqual(chosen.outcomes.map((line) => line.split(':')[0]), ['rfc7591-registration-with-software-statement'])
  })

  it('--profile that is no profile is a usage error (exit 2) naming the profiles', async () => {
    const result = await conformance('--profile', 'psd2')
    assert.deepEqual({ code: result.code, stdout: result.stdout }, { code: 2, stdout: '' })
    assert.match(result.stderr, /--profile must be one of obuk, cdr, brazil, rfc7591, got "psd2"/)
  })

  it('--content-type is sent against the sandbox too: a media type the server does not take is refused, where the default passes', async () => {
    assert.deepEqual(outcomesOf(await conformance('--only', 'valid-registration'), 'conformance'), { code: 0, outcomes: ['valid-registration: passed, got 201'] })
    assert.deepEqual(outcomesOf(await conformance('--only', 'valid-registration', '--content-type', 'text/plain'), 'conformance --content-type'), {
      code: 1,
      outcomes: ['valid-registration: failed, got 400 invalid_request'],
    })
  })

  // The default, the JWK's own kid, passes valid-registration in the --content-type test above.
  it('--kid signs under that kid: a kid the TPP JWKS does not list is refused', async () => {
    assert.deepEqual(outcomesOf(await conformance('--only', 'valid-registration', '--kid', 'not-in-the-tpp-jwks'), 'conformance --kid'), {
      code: 1,
      outcomes: ['valid-registration: failed, got 400 invalid_client_metadata'],
    })
  })

  it("--ssa-kid signs the statements under that kid; without it the directory JWK's own kid is used and accepted", async () => {
    const running = await readRunningServer(sandbox.dir)
    assert.ok(running)
    const manifest = JSON.parse(await readFile(join(sandbox.dir, 'sandbox.json'), 'utf8')) as SandboxManifest
    const files = [
      '--server', running.url, '--aud', running.issuer, '--ca', join(sandbox.dir, 'ca.pem'),
      '--cert', join(sandbox.dir, 'tpp', 'transport.pem'), '--key', join(sandbox.dir, 'tpp', 'transport-key.pem'),
      '--signing-key', join(sandbox.dir, 'tpp', 'signing-key.jwk.json'),
      '--software-id', manifest.tpp.softwareId, '--org-id', manifest.tpp.orgId, '--jwks-url', manifest.tpp.jwksUrl,
      '--ssa-key', join(sandbox.dir, 'directory', 'signing-key.jwk.json'), '--ssa-issuer', manifest.directory.issuer,
      '--only', 'valid-registration',
    ]
    assert.deepEqual(outcomesOf(await runCli(['conformance', '--json', ...files]), 'conformance with files'), { code: 0, outcomes: ['valid-registration: passed, got 201'] })
    assert.deepEqual(outcomesOf(await runCli(['conformance', '--json', ...files, '--ssa-kid', 'not-a-directory-kid']), 'conformance --ssa-kid'), {
      code: 1,
      outcomes: ['valid-registration: failed, got 400 invalid_software_statement'],
    })
  })
})
