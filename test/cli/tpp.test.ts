/**
 * The TPP side of the command line against a live sandbox server: `tpp register → token → show → update →
 * show → delete → show` with the management token the profile requires (client credentials in obuk,
 * RFC 7592 registration access tokens with rotation in rfc7591), the TPP's own files instead of the sandbox's,
 * and the local memory of registrations (current pointer, --client-id, mode 0600, rotated tokens).
 */
import { describeError } from '../../src/lib/error-table.ts'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { decodeJwt } from 'jose'
import { jsonOf, runCli, startSandbox, type RunningSandbox } from './harness.ts'

const remembered = async (dir: string, clientId: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(dir, 'registrations', `${clientId}.json`), 'utf8')) as Record<string, unknown>

describe('open-dcr tpp against an obuk sandbox (client credentials management)', () => {
  let sandbox: RunningSandbox
  before(async () => {
    sandbox = await startSandbox()
  })
  after(() => sandbox.stop())

  it('registers, gets a token, shows, updates, shows the update, deletes; show after delete is refused with exit 1', async () => {
    const dir = ['--dir', sandbox.dir]
    const registered = await runCli(['tpp', 'register', ...dir, '--json'])
    assert.equal(registered.code, 0, registered.stderr)
    const client = jsonOf(registered, 'tpp register')
    const clientId = client.client_id as string
    assert.match(clientId, /^[A-Za-z0-9_-]{22,}$/)
    assert.equal(client.scope, 'openid accounts payments')
    assert.equal((await readFile(join(sandbox.dir, 'registrations', 'current'), 'utf8')).trim(), clientId, 'the new client is the current registration')
    const file = join(sandbox.dir, 'registrations', `${clientId}.json`)
    assert.equal((await stat(file)).mode & 0o777, 0o600)
    assert.equal((await remembered(sandbox.dir, clientId)).management, 'client-credentials')

    const token = await runCli(['tpp', 'token', ...dir, '--json'])
    assert.equal(token.code, 0, token.stderr)
    const accessToken = jsonOf(token, 'tpp token').access_token as string
    const claims = decodeJwt(accessToken)
    assert.equal(claims.client_id, clientId)
    assert.ok((claims.cnf as Record<string, unknown>)['x5t#S256'], 'the token is bound to the transport certificate')

    const shown = await runCli(['tpp', 'show', ...dir, '--json'])
    assert.equal(shown.code, 0, shown.stderr)
    assert.equal(jsonOf(shown, 'tpp show').client_id, clientId)

    const updated = await runCli(['tpp', 'update', ...dir, '--claim', 'scope=openid accounts', '--json'])
    assert.equal(updated.code, 0, updated.stderr)
    assert.equal(jsonOf(updated, 'tpp update').scope, 'openid accounts')

    const shownAgain = await runCli(['tpp', 'show', ...dir, '--client-id', clientId, '--json'])
    assert.equal(shownAgain.code, 0, shownAgain.stderr)
    assert.equal(jsonOf(shownAgain, 'tpp show').scope, 'openid accounts', 'the server keeps the updated metadata')

    const deleted = await runCli(['tpp', 'delete', ...dir, '--json'])
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.deepEqual(jsonOf(deleted, 'tpp delete'), { client_id: clientId, deleted: true })
    assert.ok((await remembered(sandbox.dir, clientId)).deletedAt, 'the deleted registration stays remembered, marked deleted')

    const refused = await runCli(['tpp', 'show', ...dir])
    assert.equal(refused.code, 1, 'a refusal by the server is exit 1')
    assert.equal(refused.stdout, `refused: the token endpoint answered 401\n  invalid_client: ${describeError('token.invalid_client')}\n`)
  })

  it('registers with the TPP\'s own files (--server --cert --key --ca --signing-key --ssa) and remembers them for show', async () => {
    const ssaFile = join(sandbox.dir, 'own.ssa.jwt')
    const issued = await runCli(['ssa', 'issue', '--dir', sandbox.dir])
    assert.equal(issued.code, 0, issued.stderr)
    await writeFile(ssaFile, issued.stdout)
    const server = JSON.parse(await readFile(join(sandbox.dir, 'server.json'), 'utf8')) as { url: string }
    const registrations = join(sandbox.dir, 'own')
    const own = [
      '--dir', registrations, '--server', server.url, '--cert', join(sandbox.dir, 'tpp', 'transport.pem'), '--key', join(sandbox.dir, 'tpp', 'transport-key.pem'),
      '--ca', join(sandbox.dir, 'ca.pem'), '--signing-key', join(sandbox.dir, 'tpp', 'signing-key.jwk.json'), '--ssa', ssaFile,
    ]
    const registered = await runCli(['tpp', 'register', ...own, '--json'])
    assert.equal(registered.code, 0, registered.stderr)
    const clientId = jsonOf(registered, 'tpp register').client_id as string
    const record = await remembered(registrations, clientId)
    assert.deepEqual((record.material as Record<string, unknown>).kind, 'files')

    const shown = await runCli(['tpp', 'show', '--dir', registrations, '--json'])
    assert.equal(shown.code, 0, shown.stderr)
    assert.equal(jsonOf(shown, 'tpp show').client_id, clientId)
    assert.equal((await runCli(['tpp', 'delete', '--dir', registrations])).code, 0)
  })

  it('asks for the scope of the SSA roles, and an update starts from what was registered (issue 12 item 16)', async () => {
    const dir = ['--dir', sandbox.dir]
    const ssaFile = join(sandbox.dir, 'aisp-only.ssa.jwt')
    const issued = await runCli(['ssa', 'issue', ...dir, '--claim', 'software_roles=["AISP"]'])
    assert.equal(issued.code, 0, issued.stderr)
    await writeFile(ssaFile, issued.stdout)
    const aispOnly = await runCli(['tpp', 'register', ...dir, '--ssa', ssaFile, '--json'])
    assert.equal(aispOnly.code, 0, aispOnly.stderr)
    assert.equal(jsonOf(aispOnly, 'tpp register').scope, 'openid accounts', 'AISP grants accounts only: no fixed "openid accounts payments"')
    assert.equal((await runCli(['tpp', 'delete', ...dir])).code, 0)

    const second = 'https://acme-fin.example.co.uk/ob/callback2'
    const registered = await runCli(['tpp', 'register', ...dir, '--claim', `redirect_uris=["${second}"]`, '--json'])
    assert.equal(registered.code, 0, registered.stderr)
    assert.deepEqual(jsonOf(registered, 'tpp register').redirect_uris, [second])
    const updated = await runCli(['tpp', 'update', ...dir, '--json'])
    assert.equal(updated.code, 0, updated.stderr)
    assert.deepEqual(jsonOf(updated, 'tpp update').redirect_uris, [second], 'the update keeps the registered redirect URI rather than the default one')
    assert.equal((await runCli(['tpp', 'delete', ...dir])).code, 0)
  })

  it('refuses a registration the server rejects with exit 1 and the server\'s error', async () => {
    const refused = await runCli(['tpp', 'register', '--dir', sandbox.dir, '--claim', 'redirect_uris=["https://elsewhere.example.com/cb"]', '--json'])
    assert.equal(refused.code, 1)
    assert.deepStrictEqual(jsonOf(refused, 'tpp register'), {
      status: 400,
      error: 'invalid_redirect_uri',
      error_description: 'redirect_uri "https://elsewhere.example.com/cb" is not in the software statement\'s software_redirect_uris; request only URIs listed there, exactly as written',
      validator: 'redirect-uri-subset',
    })
  })

  it('show without any remembered registration explains what to do and exits 2', async () => {
    const result = await runCli(['tpp', 'show', '--dir', join(sandbox.dir, 'nothing-here')])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /tpp register/)
  })

  it('refuses --ssa FILE that holds no JWT with exit 2, before calling the server', async () => {
    const notJwt = join(sandbox.dir, 'not-a-jwt.txt')
    await writeFile(notJwt, 'hello')
    const result = await runCli(['tpp', 'register', '--dir', sandbox.dir, '--ssa', notJwt])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /does not hold a software statement/)
  })
})

describe('open-dcr tpp against an rfc7591 sandbox (registration access tokens, rotated on use)', () => {
  let sandbox: RunningSandbox
  let configDir: string
  before(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'open-dcr-config-'))
    const configFile = join(configDir, 'rotation.yaml')
    await writeFile(configFile, 'management:\n  rotation: on-use\n')
    sandbox = await startSandbox({ profile: 'rfc7591', config: configFile })
  })
  after(async () => {
    await sandbox.stop()
    await rm(configDir, { recursive: true, force: true })
  })

  it('remembers the registration access token, replaces it when the server rotates it, and is refused after delete', async () => {
    const dir = ['--dir', sandbox.dir]
    const registered = await runCli(['tpp', 'register', ...dir, '--json'])
    assert.equal(registered.code, 0, registered.stderr)
    const client = jsonOf(registered, 'tpp register')
    const clientId = client.client_id as string
    const first = client.registration_access_token as string
    assert.equal(typeof first, 'string')
    const record = await remembered(sandbox.dir, clientId)
    assert.equal(record.management, 'registration-access-token')
    assert.equal(record.registrationAccessToken, first)
    assert.equal((record.registration as Record<string, unknown>).registration_access_token, undefined, 'the token is kept apart from the answer')

    const shown = await runCli(['tpp', 'show', ...dir, '--json'])
    assert.equal(shown.code, 0, shown.stderr)
    const rotated = jsonOf(shown, 'tpp show').registration_access_token as string
    assert.equal(typeof rotated, 'string', 'rotation on-use returns a new token with the read')
    assert.notEqual(rotated, first)
    assert.equal((await remembered(sandbox.dir, clientId)).registrationAccessToken, rotated, 'the rotated token replaces the remembered one')

    const updated = await runCli(['tpp', 'update', ...dir, '--claim', 'client_name=Acme Budget 2', '--json'])
    assert.equal(updated.code, 0, updated.stderr)
    assert.equal(jsonOf(updated, 'tpp update').client_name, 'Acme Budget 2')

    const token = await runCli(['tpp', 'token', ...dir, '--json'])
    assert.equal(token.code, 0, token.stderr)

    assert.equal((await runCli(['tpp', 'delete', ...dir])).code, 0)
    const refused = await runCli(['tpp', 'show', ...dir, '--json'])
    assert.equal(refused.code, 1)
    assert.deepStrictEqual(jsonOf(refused, 'tpp show'), {
      status: 401,
      error: 'invalid_token',
      error_description: 'the registration access token is not valid (unknown, replaced or of a deleted client): use the latest registration_access_token this server returned (every GET and PUT answer carries a new one)',
    })
  })
})
