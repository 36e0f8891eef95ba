/**
 * The sandbox end to end: its SSAs verify against the directory JWKS fetched over real TLS through the
 * trust/ code a DCR server uses (configured by `serverConfigValues`), its TPP's requests verify against the
 * TPP JWKS, its transport certificate chains to the CA with the OB subject (UK-DCR-38), and the written
 * material loads back in another "process" (loadSandbox) with the same keys.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose'
import { loadConfig } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import { SANDBOX_ORGANISATION } from '../../src/sandbox/directory.ts'
import { createSandbox, loadSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { createBoundedFetch } from '../../src/trust/outbound-http.ts'
import { createDirectories } from '../../src/trust/directories.ts'
import { certificateSubject, formatDistinguishedName } from '../../src/trust/distinguished-name.ts'
import { createRemoteKeySets } from '../../src/trust/remote-key-sets.ts'

const BANK = 'https://bank.example.com'
let dir: string
let sandbox: Sandbox
let config: Config

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'open-dcr-sandbox-test-'))
  sandbox = await createSandbox({ dir })
  config = loadConfig({ values: sandbox.serverConfigValues(BANK) })
})
after(async () => {
  await sandbox.close()
  rmSync(dir, { recursive: true, force: true })
})

test('serverConfigValues configure a DCR server that trusts the sandbox', () => {
  assert.equal(config.issuer, BANK)
  assert.deepEqual(config.directories.map((directory) => [directory.issuer, directory.jwksUrl, directory.transportCaFiles]), [['Sandbox Directory', sandbox.directory.jwksUrl, [join(dir, 'ca.pem')]]])
  assert.deepEqual(config.outbound.caFiles, [join(dir, 'ca.pem')])
  assert.equal(config.outbound.allowPrivateAddresses, true)
  assert.equal(config.server.tls.keyFile, join(dir, 'server-key.pem'))
  assert.equal(config.server.tls.certFile, join(dir, 'server.pem'))
  assert.match(sandbox.directory.jwksUrl, /^https:\/\/127\.0\.0\.1:\d+\/directory\/jwks$/)
})

test('an SSA verifies against the directory JWKS fetched over https with the sandbox CA (UK-DCR-15)', async () => {
  const directories = createDirectories(config, createRemoteKeySets(config.outbound))
  const ssa = await sandbox.issueSsa()
  const trusted = directories.byIssuer('Sandbox Directory')
  assert.ok(trusted)
  assert.equal(trusted.transportCas[0]?.fingerprint256, sandbox.ca.certificate.fingerprint256)
  const { payload, protectedHeader } = await jwtVerify(ssa, trusted.keys, { issuer: 'Sandbox Directory', algorithms: ['PS256'] })
  assert.deepEqual(protectedHeader, { alg: 'PS256', kid: sandbox.directory.kid, typ: 'JWT' })
  assert.equal(sandbox.directory.kid, await calculateJwkThumbprint(sandbox.directory.publicJwks.keys[0]!))
  assert.equal(payload.software_id, SANDBOX_ORGANISATION.softwareId)
  assert.equal(payload.software_client_id, SANDBOX_ORGANISATION.softwareId)
  assert.equal(payload.org_id, SANDBOX_ORGANISATION.orgId)
  assert.equal(payload.org_name, 'Acme Fin Ltd')
  assert.equal(payload.org_status, 'Active')
  assert.deepEqual(payload.software_roles, ['AISP', 'PISP'])
  assert.deepEqual(payload.software_redirect_uris, ['https://acme-fin.example.co.uk/ob/callback', 'https://acme-fin.example.co.uk/ob/callback2'])
  assert.equal(payload.software_jwks_endpoint, sandbox.tpp.jwksUrl)
  for (const claim of ['software_client_name', 'software_client_uri', 'software_logo_uri', 'software_policy_uri', 'software_tos_uri', 'organisation_competent_authority_claims', 'iat', 'jti']) {
    assert.ok(payload[claim] !== undefined, `SSA has ${claim}`)
  }
  assert.equal(payload.exp, undefined, 'OB SSAs carry no exp by default')
})

test('SSA claims and times can be overridden, and a claim overridden with undefined is left out', async () => {
  const ssa = await sandbox.issueSsa({ org_status: 'Revoked', software_roles: ['AISP'], software_jwks_endpoint: undefined }, { iat: 1767225000, exp: 1767225600, jti: 'fixed-jti' })
  const { payload } = await jwtVerify(ssa, createRemoteKeySets(config.outbound).forUrl(sandbox.directory.jwksUrl), { currentDate: new Date(1767225100 * 1000) })
  assert.equal(payload.org_status, 'Revoked')
  assert.deepEqual(payload.software_roles, ['AISP'])
  assert.equal(payload.iat, 1767225000)
  assert.equal(payload.exp, 1767225600)
  assert.equal(payload.jti, 'fixed-jti')
  assert.equal('software_jwks_endpoint' in payload, false)
})

test('a signed registration request verifies against the TPP JWKS named by the SSA (UK-DCR-14)', async () => {
  const ssa = await sandbox.issueSsa()
  const claims = sandbox.tpp.registrationClaims({ ssa, aud: BANK })
  const request = await sandbox.tpp.signRequest(claims)
  const remote = createRemoteKeySets(config.outbound)
  const { payload: ssaClaims } = await jwtVerify(ssa, remote.forUrl(sandbox.directory.jwksUrl))
  const { payload, protectedHeader } = await jwtVerify(request, remote.forUrl(ssaClaims.software_jwks_endpoint as string), { audience: BANK, issuer: SANDBOX_ORGANISATION.softwareId, algorithms: ['PS256'] })
  assert.deepEqual(protectedHeader, { alg: 'PS256', kid: sandbox.tpp.kid, typ: 'JWT' })
  assert.equal(payload.exp! - payload.iat!, 300)
  assert.deepEqual(payload.redirect_uris, ['https://acme-fin.example.co.uk/ob/callback'])
  assert.equal(payload.software_statement, ssa)
  assert.equal(payload.software_id, SANDBOX_ORGANISATION.softwareId)
  assert.equal(payload.token_endpoint_auth_method, 'private_key_jwt')
  assert.deepEqual(payload.grant_types, ['authorization_code', 'refresh_token', 'client_credentials'])
  assert.deepEqual(payload.response_types, ['code id_token'])
  assert.equal(payload.scope, 'openid accounts payments')
})

test('registration claims take overrides, and undefined removes a claim', async () => {
  const claims = sandbox.tpp.registrationClaims({ ssa: await sandbox.issueSsa(), aud: BANK, overrides: { scope: 'openid accounts', exp: undefined } })
  assert.equal(claims.scope, 'openid accounts')
  assert.equal('exp' in claims, false)
})

test('signRequest takes a header override for negative fixtures (SEC-5)', async () => {
  const request = await sandbox.tpp.signRequest({ iss: 'x' }, { kid: 'other', header: { jku: 'https://attacker.example/jwks.json' } })
  assert.deepEqual(decodeProtectedHeader(request), { alg: 'PS256', kid: 'other', typ: 'JWT', jku: 'https://attacker.example/jwks.json' })
})

test('the transport certificate chains to the sandbox CA and carries the OB subject (UK-DCR-38)', () => {
  const { certificate } = sandbox.tpp.transport
  assert.equal(certificate.checkIssued(sandbox.ca.certificate), true)
  assert.equal(certificate.verify(sandbox.ca.certificate.publicKey), true)
  assert.equal(formatDistinguishedName(certificateSubject(certificate)), `CN=${SANDBOX_ORGANISATION.softwareId},OU=${SANDBOX_ORGANISATION.orgId},O=OpenBanking,C=GB`)
  assert.equal(sandbox.tpp.transportSubject, `CN=${SANDBOX_ORGANISATION.softwareId},OU=${SANDBOX_ORGANISATION.orgId},O=OpenBanking,C=GB`)
})

test('writes the material with private keys readable by the owner only', () => {
  for (const name of ['server-key.pem', 'tpp/transport-key.pem', 'tpp/signing-key.jwk.json', 'directory/signing-key.jwk.json']) {
    assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name)
  }
  for (const name of ['ca.pem', 'server.pem', 'tpp/transport.pem', 'sandbox.json']) assert.ok(existsSync(join(dir, name)), name)
})

test('the DCR server certificate is issued by the sandbox CA for 127.0.0.1 and localhost', async () => {
  const { certificate } = sandbox.serverCertificate
  assert.equal(certificate.checkIssued(sandbox.ca.certificate), true)
  assert.equal(certificate.checkIP('127.0.0.1'), '127.0.0.1')
  assert.equal(certificate.checkHost('localhost'), 'localhost')
  const response = await createBoundedFetch(config.outbound)(sandbox.directory.jwksUrl)
  assert.equal(response.headers.get('content-type'), 'application/json')
})

test('loadSandbox reads back the same keys, certificates and URLs', async () => {
  const loaded = await loadSandbox(dir)
  assert.equal(loaded.tpp.kid, sandbox.tpp.kid)
  assert.equal(loaded.directory.kid, sandbox.directory.kid)
  assert.equal(loaded.tpp.jwksUrl, sandbox.tpp.jwksUrl)
  assert.equal(loaded.tpp.transport.certificate.fingerprint256, sandbox.tpp.transport.certificate.fingerprint256)
  assert.equal(loaded.tpp.transport.privateKeyPem, sandbox.tpp.transport.privateKeyPem)
  assert.equal(loaded.caCertificatePem, sandbox.ca.certificatePem)
  assert.deepEqual(loaded.serverConfigValues(BANK), sandbox.serverConfigValues(BANK))

  // What the loaded sandbox signs verifies against the JWKS the running sandbox serves.
  const remote = createRemoteKeySets(config.outbound)
  const ssa = await loaded.issueSsa()
  const { payload: ssaClaims } = await jwtVerify(ssa, remote.forUrl(sandbox.directory.jwksUrl), { issuer: 'Sandbox Directory' })
  assert.equal(ssaClaims.software_jwks_endpoint, sandbox.tpp.jwksUrl)
  const request = await loaded.tpp.signRequest(loaded.tpp.registrationClaims({ ssa, aud: BANK }))
  await jwtVerify(request, remote.forUrl(sandbox.tpp.jwksUrl), { audience: BANK })
})

test('loadSandbox names the missing file of a folder that holds no sandbox', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'open-dcr-empty-'))
  try {
    await assert.rejects(loadSandbox(empty), /has no readable sandbox\.json \(ENOENT\)/)
  } finally {
    rmSync(empty, { recursive: true, force: true })
  }
})

test('a sandbox without a folder writes to a temporary one and removes it on close; an ES256 TPP works too', async () => {
  const temporary = await createSandbox({ directoryIssuer: 'Other Directory', tppAlgorithm: 'ES256' })
  const folder = temporary.files.dir
  try {
    assert.ok(existsSync(join(folder, 'ca.pem')))
    const request = await temporary.tpp.signRequest({ iss: temporary.tpp.softwareId })
    const outbound = loadConfig({ values: temporary.serverConfigValues(BANK) }).outbound
    const { protectedHeader } = await jwtVerify(request, createRemoteKeySets(outbound).forUrl(temporary.tpp.jwksUrl), { algorithms: ['ES256'] })
    assert.equal(protectedHeader.alg, 'ES256')
    const { payload } = await jwtVerify(await temporary.issueSsa(), createRemoteKeySets(outbound).forUrl(temporary.directory.jwksUrl))
    assert.equal(payload.iss, 'Other Directory')
  } finally {
    await temporary.close()
  }
  assert.equal(existsSync(folder), false)
})
