/**
 * `open-dcr keys generate`: the written signing key signs JWTs its JWKS verifies (jose), for PS256 and ES256,
 * private keys are mode 0600, and --transport issues a certificate that chains to the sandbox CA with the
 * subject the profile's directory would issue (OB legacy by default, ICP-Brasil-like for brazil).
 */
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JSONWebKeySet, type JWK } from 'jose'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { jsonOf, runCli } from './harness.ts'

type Written = { alg: string; kid: string; subject?: string; files: { privateJwk: string; jwks: string; certificate?: string; certificateKey?: string } }

describe('open-dcr keys generate', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createSandbox()
  })
  after(() => sandbox.close())

  const generate = async (...args: string[]): Promise<Written> => {
    const result = await runCli(['keys', 'generate', '--dir', sandbox.files.dir, '--json', ...args])
    assert.equal(result.code, 0, result.stderr)
    return jsonOf(result, 'keys generate') as unknown as Written
  }

  async function assertSigningPair(written: Written, alg: string): Promise<void> {
    const privateJwk = JSON.parse(await readFile(written.files.privateJwk, 'utf8')) as JWK
    const jwks = JSON.parse(await readFile(written.files.jwks, 'utf8')) as JSONWebKeySet
    assert.equal(privateJwk.alg, alg)
    assert.equal(privateJwk.kid, written.kid)
    assert.equal(jwks.keys.length, 1)
    assert.equal(jwks.keys[0]!.d, undefined, 'the JWKS holds no private member')
    assert.equal(jwks.keys[0]!.use, 'sig')
    const token = await new SignJWT({ probe: true }).setProtectedHeader({ alg, kid: written.kid }).sign(await importJWK(privateJwk, alg))
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: [alg] })
    assert.equal(payload.probe, true)
    assert.equal((await stat(written.files.privateJwk)).mode & 0o777, 0o600)
  }

  it('writes a PS256 private JWK and a JWKS that verifies what it signs, and a transport certificate that chains to the sandbox CA', async () => {
    const written = await generate('--transport', '--out', join(sandbox.files.dir, 'ps256'))
    assert.equal(written.alg, 'PS256')
    await assertSigningPair(written, 'PS256')
    const certificate = new X509Certificate(await readFile(written.files.certificate!, 'utf8'))
    const ca = new X509Certificate(await readFile(sandbox.files.caFile, 'utf8'))
    assert.equal(certificate.checkIssued(ca), true)
    assert.equal(certificate.verify(ca.publicKey), true, 'signed by the sandbox CA key (restored from ca-key.pem)')
    assert.equal(written.subject, `CN=${sandbox.tpp.softwareId},OU=${sandbox.tpp.orgId},O=OpenBanking,C=GB`)
    assert.match(certificate.subject, new RegExp(`CN=${sandbox.tpp.softwareId}`))
    assert.equal((await stat(written.files.certificateKey!)).mode & 0o777, 0o600)
  })

  it('writes an ES256 pair with a chosen kid, and a Brazil subject with UID = software_id for --profile brazil', async () => {
    const written = await generate('--alg', 'ES256', '--kid', 'my-key-1', '--transport', '--profile', 'brazil', '--software-id', 'soft-1', '--org-id', 'org-1', '--out', join(sandbox.files.dir, 'es256'))
    assert.equal(written.kid, 'my-key-1')
    await assertSigningPair(written, 'ES256')
    const certificate = new X509Certificate(await readFile(written.files.certificate!, 'utf8'))
    assert.match(certificate.subject, /UID=soft-1/)
    assert.equal(certificate.verify(new X509Certificate(await readFile(sandbox.files.caFile, 'utf8')).publicKey), true)
  })

  it('refuses to replace existing files without --force (exit 2), and replaces them with it', async () => {
    const out = join(sandbox.files.dir, 'again')
    const first = await generate('--out', out)
    const refused = await runCli(['keys', 'generate', '--dir', sandbox.files.dir, '--out', out])
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /exists; pass --force/)
    const second = await generate('--out', out, '--force')
    assert.notEqual(second.kid, first.kid)
  })

  it('refuses an algorithm other than PS256/ES256, and --transport without sandbox material (exit 2)', async () => {
    const badAlg = await runCli(['keys', 'generate', '--alg', 'RS256', '--out', join(sandbox.files.dir, 'rs')])
    assert.equal(badAlg.code, 2)
    assert.match(badAlg.stderr, /--alg must be PS256 or ES256/)
    const noSandbox = await runCli(['keys', 'generate', '--transport', '--dir', join(sandbox.files.dir, 'missing'), '--out', join(sandbox.files.dir, 'none')])
    assert.equal(noSandbox.code, 2)
    assert.match(noSandbox.stderr, /needs the sandbox material/)
  })
})
