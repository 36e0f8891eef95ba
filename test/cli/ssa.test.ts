/**
 * `open-dcr ssa issue | inspect`: statements issued by the sandbox directory in each profile's shape, and the
 * inspection a bank's profile gives them: the signature against the sandbox keys, a JWKS file or a JWKS URL,
 * each claim explained, and every SSA check reported on its own (not only the first failure). The sandbox
 * material and its keystore are created in this process; the command line runs in child processes.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose'
import { claimsFromArguments } from '../../src/cli/claim-arguments.ts'
import { checkSoftwareStatement, type SsaCheckOutcome } from '../../src/cli/ssa-checks.ts'
import { explainClaim } from '../../src/cli/ssa-dictionary.ts'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { jsonOf, runCli } from './harness.ts'

type Report = { profile: string; signature: { verified: boolean; reason?: string }; checks: Array<SsaCheckOutcome>; claims: Array<{ name: string; description?: string }>; passed: boolean }

const failuresOf = (checks: readonly SsaCheckOutcome[]): Array<SsaCheckOutcome & { status: 'fail' }> => checks.filter((check): check is SsaCheckOutcome & { status: 'fail' } => check.status === 'fail')

describe('open-dcr ssa', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createSandbox()
  })
  after(() => sandbox.close())

  const issue = async (...args: string[]): Promise<string> => {
    const result = await runCli(['ssa', 'issue', '--dir', sandbox.files.dir, ...args])
    assert.equal(result.code, 0, result.stderr)
    return result.stdout.trim()
  }
  const inspect = async (ssa: string, ...args: string[]): Promise<{ code: number | null; report: Report }> => {
    const result = await runCli(['ssa', 'inspect', '-', '--dir', sandbox.files.dir, '--json', ...args], { input: ssa })
    return { code: result.code, report: jsonOf(result, 'ssa inspect') as unknown as Report }
  }

  it('ssa issue --key --issuer signs for a real test directory, keeping the JWK kid, and names only the sandbox keystore (issue 12 item 15)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true })
    const keyFile = join(sandbox.files.dir, 'real-directory-key.jwk.json')
    await writeFile(keyFile, JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'real-directory-kid' }))
    const ssa = await issue('--key', keyFile, '--issuer', 'OpenBanking Ltd', '--profile', 'brazil')
    assert.deepEqual(decodeProtectedHeader(ssa), { alg: 'PS256', kid: 'real-directory-kid', typ: 'JWT' })
    const { payload } = await jwtVerify(ssa, publicKey)
    assert.equal(payload.iss, 'OpenBanking Ltd')
    assert.equal(payload.software_id, sandbox.tpp.softwareId)
    for (const name of ['software_jwks_uri', 'software_jwks_inactive_uri', 'software_jwks_transport_uri', 'software_jwks_transport_inactive_uri']) {
      assert.ok(String(payload[name]).startsWith(`${sandbox.jwksServer.url}/`), `${name} is on the sandbox keystore`)
    }
    const withoutIssuer = await runCli(['ssa', 'issue', '--key', keyFile, '--dir', join(sandbox.files.dir, 'no-sandbox-here')])
    assert.equal(withoutIssuer.code, 2)
    assert.match(withoutIssuer.stderr, /--key needs --issuer/)
  })

  it('ssa issue | ssa inspect -: a fresh sandbox statement verifies, every claim is explained and every check passes (exit 0)', async () => {
    const ssa = await issue()
    const { code, report } = await inspect(ssa)
    assert.equal(code, 0)
    assert.equal(report.profile, 'obuk')
    assert.equal(report.signature.verified, true)
    assert.ok(report.claims.every((claim) => typeof claim.description === 'string'), 'every claim of a UK statement is in the dictionary')
    assert.deepEqual(failuresOf(report.checks), [])
    assert.deepEqual(report.checks.filter((check) => check.status === 'pass').map((check) => check.id), [
      'ssa-issuer', 'ssa-signature', 'request-issuer', 'freshness', 'jti-replay', 'required-attributes', 'redirect-uri-format', 'redirect-uri-subset', 'hostname-consistency', 'token-endpoint-auth', 'roles-and-scopes',
    ])
    assert.equal(report.passed, true)
  })

  it('reports an http redirect URI and a missing org_id as the two failing checks, naming the claims (exit 1)', async () => {
    const crafted = await issue('--claim', 'software_redirect_uris=["http://acme-fin.example.co.uk/cb"]', '--omit', 'org_id')
    assert.equal(decodeJwt(crafted).org_id, undefined)
    const { code, report } = await inspect(crafted)
    assert.equal(code, 1)
    const failed = failuresOf(report.checks)
    assert.deepEqual(failed.map((check) => [check.id, check.error, check.claim]), [
      ['required-attributes', 'invalid_software_statement', 'org_id'],
      ['redirect-uri-format', 'invalid_redirect_uri', 'software_redirect_uris'],
    ])
    assert.match(failed[0]!.description, /org_id/)
    assert.match(failed[1]!.description, /software_redirect_uris of the software statement/)
    assert.match(failed[1]!.description, /http:\/\/acme-fin\.example\.co\.uk\/cb/)
    assert.equal(report.passed, false)
  })

  it('the human report marks each check and ends with the number of failures (exit 1)', async () => {
    const crafted = await issue('--omit', 'software_jwks_endpoint')
    const result = await runCli(['ssa', 'inspect', '-', '--dir', sandbox.files.dir], { input: crafted })
    assert.equal(result.code, 1)
    assert.match(result.stdout, /✔ signature verified/)
    assert.match(result.stdout, /✘ required-attributes {2}invalid_software_statement \(software_jwks_endpoint\)/)
    assert.match(result.stdout, /✔ ssa-issuer/)
    assert.match(result.stdout, /1 check fails/)
  })

  it('refuses a statement older than the profile allows: freshness fails on iat', async () => {
    const old = Math.floor(Date.now() / 1000) - 3600
    const { code, report } = await inspect(await issue('--claim', `iat=${old}`))
    assert.equal(code, 1)
    assert.deepEqual(failuresOf(report.checks).map((check) => [check.id, check.claim]), [['freshness', 'iat']])
  })

  it('verifies against a JWKS URL (the sandbox keystore over https with --ca) and refuses a JWKS file of another key', async () => {
    const ssa = await issue()
    const byUrl = await inspect(ssa, '--jwks', sandbox.directory.jwksUrl, '--ca', sandbox.files.caFile, '--directory-issuer', sandbox.directory.issuer)
    assert.equal(byUrl.code, 0, JSON.stringify(byUrl.report.signature))
    assert.equal(byUrl.report.signature.verified, true)

    const { publicKey } = await generateKeyPair('PS256')
    const otherJwks = join(sandbox.files.dir, 'other.jwks.json')
    await writeFile(otherJwks, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), alg: 'PS256', kid: decodeProtectedHeader(ssa).kid, use: 'sig' }] }))
    const byOtherKey = await inspect(ssa, '--jwks', otherJwks, '--directory-issuer', sandbox.directory.issuer)
    assert.equal(byOtherKey.code, 1)
    assert.equal(byOtherKey.report.signature.verified, false)
    assert.deepEqual(failuresOf(byOtherKey.report.checks).map((check) => [check.id, check.error, check.claim]), [['ssa-signature', 'invalid_software_statement', 'software_statement']])
  })

  it('issues CDR and Brazil shapes; inspect reads them with their regime\'s dictionary and checks', async () => {
    const cdr = decodeJwt(await issue('--profile', 'cdr'))
    assert.equal(cdr.software_roles, 'data-recipient-software-product')
    assert.equal(typeof cdr.legal_entity_id, 'string')
    assert.equal(cdr.exp, (cdr.iat as number) + 600)
    const brazil = await issue('--profile', 'brazil', '--claim', 'software_client_name=Tucano 2')
    const brazilClaims = decodeJwt(brazil)
    assert.equal(brazilClaims.jti, undefined, 'Brazil directory statements carry no jti')
    assert.equal(brazilClaims.software_client_name, 'Tucano 2')
    const { code, report } = await inspect(brazil)
    assert.equal(report.profile, 'brazil', 'the profile is guessed from the statement')
    assert.equal(report.claims.find((claim) => claim.name === 'software_statement_roles')?.description?.includes('BR-DCR-9'), true)
    assert.equal(code, 0, JSON.stringify(failuresOf(report.checks)))

    const cdrReport = await inspect(await issue('--profile', 'cdr'), '--profile', 'cdr')
    const statusCheck = cdrReport.report.checks.find((check) => check.id === 'software-status')
    assert.deepEqual(statusCheck, { id: 'software-status', status: 'skipped', reason: 'needs the CDR Register: pass --register URL' })
  })

  it('issue without sandbox material, inspect of something that is not a JWT, and inspect without a file are usage errors (exit 2)', async () => {
    const noSandbox = await runCli(['ssa', 'issue', '--dir', join(sandbox.files.dir, 'missing')])
    assert.equal(noSandbox.code, 2)
    assert.match(noSandbox.stderr, /no sandbox material/)
    const notJwt = await runCli(['ssa', 'inspect', '-'], { input: 'not a jwt' })
    assert.equal(notJwt.code, 2)
    assert.match(notJwt.stderr, /does not hold a software statement/)
    assert.equal((await runCli(['ssa', 'inspect'])).code, 2)
    const badClaim = await runCli(['ssa', 'issue', '--dir', sandbox.files.dir, '--claim', 'no-equals-sign'])
    assert.equal(badClaim.code, 2)
    assert.match(badClaim.stderr, /--claim takes name=value/)
  })
})

describe('checkSoftwareStatement (each check on its own)', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createSandbox()
  })
  after(() => sandbox.close())

  const run = async (ssa: string, issuers = [sandbox.directory.issuer]) =>
    checkSoftwareStatement({ ssa, profile: 'obuk', keys: sandbox.directory.publicJwks, directoryIssuers: issuers })

  it('rejects an issuer the bank does not trust (ssa-issuer, unapproved_software_statement) and still runs the other checks', async () => {
    const outcomes = await run(await sandbox.issueSsa(), ['OpenBanking Ltd'])
    const failed = failuresOf(outcomes)
    // The keys given do verify it: only the issuer is wrong.
    assert.deepEqual(failed.map((check) => [check.id, check.error, check.claim]), [['ssa-issuer', 'unapproved_software_statement', 'iss']])
    assert.match(failed[0]!.description, /Sandbox Directory/)
    assert.ok(outcomes.filter((check) => check.status === 'pass').length >= 8, 'the checks after the failures ran')
  })

  it('rejects a logo on another host than the redirect URIs (hostname-consistency names software_logo_uri)', async () => {
    const failed = failuresOf(await run(await sandbox.issueSsa({ software_logo_uri: 'https://cdn.elsewhere.example.net/logo.png' })))
    assert.deepEqual(failed.map((check) => [check.id, check.error, check.claim]), [['hostname-consistency', 'invalid_software_statement', 'software_logo_uri']])
    assert.match(failed[0]!.description, /software_logo_uri/)
  })

  it('skips the signature without keys, and checks switched off by the profile (an RFC 7591-named statement)', async () => {
    const outcomes = await checkSoftwareStatement({ ssa: await sandbox.issueSsa({ redirect_uris: ['https://acme-fin.example.co.uk/ob/callback'] }), profile: 'rfc7591', keys: undefined, directoryIssuers: [sandbox.directory.issuer] })
    assert.deepEqual(outcomes.find((check) => check.id === 'ssa-signature'), { id: 'ssa-signature', status: 'skipped', reason: 'no directory keys: pass --jwks URL|FILE' })
    assert.deepEqual(outcomes.find((check) => check.id === 'request-issuer'), { id: 'request-issuer', status: 'skipped', reason: 'off in the rfc7591 profile' })
    assert.deepEqual(failuresOf(outcomes), [])
  })
})

describe('ssa claim dictionary and --claim parsing', () => {
  it('explains a claim in its regime and says where else a name is known', () => {
    assert.match(explainClaim('software_jwks_endpoint', 'uk').description!, /UK-DCR-14/)
    assert.deepEqual(explainClaim('software_jwks_endpoint', 'cdr'), { description: undefined, knownIn: ['uk'] })
    assert.deepEqual(explainClaim('made_up_claim', 'brazil'), { description: undefined, knownIn: [] })
  })

  it('takes JSON values when they parse, text otherwise, and --omit as undefined; refuses prototype keys', async () => {
    assert.deepEqual(await claimsFromArguments({ claim: ['a=["x"]', 'b=600', 'c=plain text', 'd='], omit: ['e'] }), { a: ['x'], b: 600, c: 'plain text', d: '', e: undefined })
    await assert.rejects(claimsFromArguments({ claim: ['__proto__={"polluted":true}'] }), /--claim takes name=value/)
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })
})
