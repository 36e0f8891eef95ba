/**
 * `open-dcr sandbox --profile cdr|brazil`: the server runs the profile with a matching sandbox directory, and
 * the command the sandbox prints registers the sandbox TPP in that profile's shape. CDR: a directory with iss
 * cdr-register issuing CDR Register SSAs, a mock CDR Register whose statuses are ACTIVE (software-status,
 * CDR-DCR-25), a signed application/jwt request, management with a cdr:registration access token
 * (CDR-DCR-2), one registration per software product (CDR-DCR-15). Brazil: a plain JSON request with the
 * directory SSA winning over the request (BR-DCR-4, BR-DCR-22) and a registration access token (BR-DCR-26).
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { decodeJwt } from 'jose'
import { jsonOf, runCli, startSandbox, type RunningSandbox } from './harness.ts'

/** The `tpp register ...` command the sandbox printed, as arguments. */
function printedCommand(sandbox: RunningSandbox): string[] {
  const printed = /npx open-dcr (tpp register[^\n]*)/.exec(sandbox.output())
  assert.ok(printed, 'the start-up text shows the command to run')
  return printed[1]!.trim().split(/\s+/)
}

describe('open-dcr sandbox --profile cdr', () => {
  let sandbox: RunningSandbox
  before(async () => {
    sandbox = await startSandbox({ profile: 'cdr' })
  })
  after(() => sandbox.stop())

  it('trusts a cdr-register directory, runs a mock CDR Register, and records the profile in server.json', async () => {
    assert.match(sandbox.output(), /profile cdr/)
    assert.match(sandbox.output(), /trusted directory\s+"cdr-register"/)
    assert.match(sandbox.output(), /mock CDR Register\s+https:\/\/127\.0\.0\.1:\d+/)
    const server = JSON.parse(await readFile(join(sandbox.dir, 'server.json'), 'utf8')) as Record<string, unknown>
    assert.equal(server.profile, 'cdr')
    assert.match(String(server.registerUrl), /^https:\/\/127\.0\.0\.1:\d+$/)
  })

  it('the printed command registers a CDR-shaped client; token, show and a second registration behave as the CDR says', async () => {
    const registered = await runCli([...printedCommand(sandbox), '--json'])
    assert.equal(registered.code, 0, `${registered.stdout}\n${registered.stderr}`)
    const client = jsonOf(registered, 'tpp register')
    assert.equal(client.software_id, 'C6327F87-687A-4369-99A4-EAACD3BB8210')
    assert.equal(client.legal_entity_id, '18B75A76-5821-4C9E-B465-4709291CF0F4')
    assert.match(String(client.scope), /cdr:registration/)
    assert.equal(client.registration_access_token, undefined, 'CDR management uses client credentials, not RFC 7592 tokens')

    const token = await runCli(['tpp', 'token', '--dir', sandbox.dir, '--json'])
    assert.equal(token.code, 0, token.stderr)
    assert.match(String(decodeJwt(jsonOf(token, 'tpp token').access_token as string).scope), /cdr:registration/)

    const shown = await runCli(['tpp', 'show', '--dir', sandbox.dir, '--json'])
    assert.equal(shown.code, 0, shown.stderr)
    assert.equal(jsonOf(shown, 'tpp show').client_id, client.client_id)

    const duplicate = await runCli([...printedCommand(sandbox), '--json'])
    assert.equal(duplicate.code, 1, 'one registration per software product (CDR-DCR-15)')
    assert.deepStrictEqual(jsonOf(duplicate, 'tpp register'), {
      status: 400,
      error: 'invalid_software_statement',
      error_description: 'ERR-DCR-001: Duplicate registrations for a given software_id are not valid.',
      validator: 'duplicate-registration',
    })
  })

  it('ssa inspect of a fresh CDR statement passes every check, software-status at the mock Register included', async () => {
    const issued = await runCli(['ssa', 'issue', '--dir', sandbox.dir])
    assert.equal(issued.code, 0, issued.stderr)
    assert.equal(decodeJwt(issued.stdout.trim()).iss, 'cdr-register')
    const inspected = await runCli(['ssa', 'inspect', '-', '--dir', sandbox.dir, '--json'], { input: issued.stdout })
    assert.equal(inspected.code, 0, inspected.stdout)
    const report = jsonOf(inspected, 'ssa inspect')
    assert.equal(report.profile, 'cdr')
    const checks = report.checks as Array<{ id: string; status: string }>
    assert.deepEqual(checks.find((check) => check.id === 'software-status'), { id: 'software-status', status: 'pass' })
    assert.deepEqual(checks.filter((check) => check.status !== 'pass'), [])
  })
})

describe('open-dcr sandbox --profile brazil', () => {
  let sandbox: RunningSandbox
  before(async () => {
    sandbox = await startSandbox({ profile: 'brazil' })
  })
  after(() => sandbox.stop())

  it('the printed command registers with a plain JSON body; the directory SSA wins, and a registration access token manages it', async () => {
    assert.match(sandbox.output(), /trusted directory\s+"Open Finance Open Finance Brasil sandbox SSA issuer"/)
    const registered = await runCli([...printedCommand(sandbox), '--json'])
    assert.equal(registered.code, 0, `${registered.stdout}\n${registered.stderr}`)
    const client = jsonOf(registered, 'tpp register')
    assert.equal(client.client_name, 'Tucano Financas')
    assert.equal(typeof client.registration_access_token, 'string')
    assert.match(String(client.registration_client_uri), new RegExp(`/register/${String(client.client_id)}$`))

    const shown = await runCli(['tpp', 'show', '--dir', sandbox.dir, '--json'])
    assert.equal(shown.code, 0, shown.stderr)
    assert.equal(jsonOf(shown, 'tpp show').client_id, client.client_id)
    assert.equal((await runCli(['tpp', 'delete', '--dir', sandbox.dir])).code, 0)
    assert.equal((await runCli(['tpp', 'show', '--dir', sandbox.dir])).code, 1)
  })
})
