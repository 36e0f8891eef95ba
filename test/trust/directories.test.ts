/**
 * The trusted directories built from configuration (UK-DCR-15, UK-DCR-34, UK-DCR-38): pinned inline keys,
 * remote keys over https, transport CA files (several certificates per file), exact issuer lookup, and
 * ConfigErrors that name the key of a bad file or URL.
 */
import assert from 'node:assert/strict'
import { before, test, type TestContext } from 'node:test'
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { ConfigError } from '../../src/config/fields.ts'
import type { Config } from '../../src/config/schema.ts'
import { createCertificateAuthority, type CertificateAuthority } from '../../src/sandbox/ca.ts'
import { createSandboxDirectory } from '../../src/sandbox/directory.ts'
import { startJwksServer } from '../../src/sandbox/jwks-server.ts'
import { createDirectories } from '../../src/trust/directories.ts'
import { createRemoteKeySets } from '../../src/trust/remote-key-sets.ts'
import { testConfig } from '../helpers/context.ts'
import { temporaryFile } from '../helpers/loopback-servers.ts'

let ca: CertificateAuthority
let otherCa: CertificateAuthority
before(async () => {
  ;[ca, otherCa] = await Promise.all([createCertificateAuthority('directories test CA'), createCertificateAuthority('directories second CA')])
})

const configWith = (directories: Array<Record<string, unknown>>, outbound: Record<string, unknown> = {}): Config => testConfig({ directories, outbound })

function assertConfigError(action: () => unknown, key: string, messagePart: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`)
    assert.equal(error.key, key)
    assert.match(error.message, messagePart)
    return true
  })
}

const noRemote = (t: TestContext) => createRemoteKeySets(testConfig().outbound, () => Promise.reject(new Error(`no network in ${t.name}`)))

test('uses the pinned inline JWKS of a directory that has keys', async (t) => {
  const { privateKey, publicKey } = await generateKeyPair('PS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'pinned', alg: 'PS256' }
  const remote = noRemote(t)
  const directories = createDirectories(configWith([{ issuer: 'OpenBanking Ltd', jwks: { keys: [jwk] }, jwksUrl: 'https://keystore.example/unused.jwks' }]), remote)
  const ssa = await new SignJWT({ iss: 'OpenBanking Ltd' }).setProtectedHeader({ alg: 'PS256', kid: 'pinned', typ: 'JWT' }).sign(privateKey)
  const { payload } = await jwtVerify(ssa, directories.byIssuer('OpenBanking Ltd')!.keys)
  assert.equal(payload.iss, 'OpenBanking Ltd')
  assert.equal(remote.size, 0, 'no remote key set is made for a directory with pinned keys')
})

test('uses the remote key set of jwksUrl when the directory has no inline keys', async (t) => {
  const jwksServer = await startJwksServer({ ca })
  t.after(() => jwksServer.close())
  const directory = await createSandboxDirectory({ jwksUrl: jwksServer.publish('/directory/jwks', { keys: [] }) })
  jwksServer.publish('/directory/jwks', directory.publicJwks)
  const config = configWith([{ issuer: directory.issuer, jwksUrl: directory.jwksUrl }], { caFiles: [temporaryFile(t, 'ca.pem', ca.certificatePem)], allowPrivateAddresses: true })
  const remote = createRemoteKeySets(config.outbound)
  const directories = createDirectories(config, remote)
  const { payload } = await jwtVerify(await directory.issueSsa(), directories.byIssuer('Sandbox Directory')!.keys, { algorithms: ['PS256'] })
  assert.equal(payload.iss, 'Sandbox Directory')
  assert.equal(remote.size, 1)
  assert.equal(directories.byIssuer('Sandbox Directory')!.keys, remote.forUrl(directory.jwksUrl))
})

test('reads every certificate of every transportCaFiles entry', async (t) => {
  const bundle = temporaryFile(t, 'bundle.pem', `${ca.certificatePem}\n${otherCa.certificatePem}`)
  const single = temporaryFile(t, 'single.pem', ca.certificatePem)
  const directories = createDirectories(configWith([{ issuer: 'OpenBanking Ltd', jwksUrl: 'https://keystore.example/x.jwks', transportCaFiles: [bundle, single] }]), noRemote(t))
  const cas = directories.byIssuer('OpenBanking Ltd')!.transportCas
  assert.deepEqual(
    cas.map((certificate) => certificate.subject),
    ['CN=directories test CA', 'CN=directories second CA', 'CN=directories test CA'],
  )
  const { certificate } = await ca.issueClient({ subject: 'CN=soft,OU=org,O=OpenBanking,C=GB' })
  assert.equal(certificate.checkIssued(cas[0]!), true)
  assert.equal(certificate.checkIssued(cas[1]!), false)
})

test('rejects an unreadable transportCaFiles entry with a ConfigError naming directories[i].transportCaFiles', (t) => {
  const config = configWith([
    { issuer: 'First', jwksUrl: 'https://keystore.example/1.jwks' },
    { issuer: 'Second', jwksUrl: 'https://keystore.example/2.jwks', transportCaFiles: ['/nonexistent/ca.pem'] },
  ])
  assertConfigError(() => createDirectories(config, noRemote(t)), 'directories[1].transportCaFiles', /cannot read \/nonexistent\/ca\.pem: ENOENT/)
})

test('rejects a transportCaFiles entry without a PEM certificate', (t) => {
  const file = temporaryFile(t, 'key.pem', ca.privateKeyPem)
  const config = configWith([{ issuer: 'OpenBanking Ltd', jwksUrl: 'https://keystore.example/x.jwks', transportCaFiles: [file] }])
  assertConfigError(() => createDirectories(config, noRemote(t)), 'directories[0].transportCaFiles', /holds no PEM certificate/)
})

test('rejects a transportCaFiles entry with a malformed certificate', (t) => {
  const file = temporaryFile(t, 'broken.pem', `${ca.certificatePem}-----BEGIN CERTIFICATE-----\nTUlJQm9ndXM=\n-----END CERTIFICATE-----\n`)
  const config = configWith([{ issuer: 'OpenBanking Ltd', jwksUrl: 'https://keystore.example/x.jwks', transportCaFiles: [file] }])
  assertConfigError(() => createDirectories(config, noRemote(t)), 'directories[0].transportCaFiles', /certificate 2 of 2 is not a valid X\.509 certificate/)
})

test('rejects a jwksUrl the outbound policy refuses with a ConfigError naming directories[i].jwksUrl', () => {
  const config = configWith([{ issuer: 'OpenBanking Ltd', jwksUrl: 'http://keystore.example/x.jwks' }])
  assertConfigError(() => createDirectories(config, createRemoteKeySets(config.outbound)), 'directories[0].jwksUrl', /must use https/)
})

test('finds a directory only by its exact issuer, and lists all in configuration order', (t) => {
  const directories = createDirectories(
    configWith([
      { issuer: 'OpenBanking Ltd', jwksUrl: 'https://keystore.example/ob.jwks' },
      { issuer: 'Sandbox Directory', jwksUrl: 'https://keystore.example/sandbox.jwks' },
    ]),
    noRemote(t),
  )
  assert.equal(directories.byIssuer('OpenBanking Ltd')?.config.jwksUrl, 'https://keystore.example/ob.jwks')
  for (const near of ['openbanking ltd', 'OpenBanking Ltd ', 'OpenBanking', '']) assert.equal(directories.byIssuer(near), undefined, JSON.stringify(near))
  assert.deepEqual(
    directories.all().map((directory) => directory.issuer),
    ['OpenBanking Ltd', 'Sandbox Directory'],
  )
})
