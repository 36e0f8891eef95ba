/**
 * The sandbox never names an internet host (issue 12 item 15): every key set URL its SSAs carry, in each
 * shape, is on its loopback keystore and answers there (revoked and inactive sets empty, the transport set
 * the transport certificate's key); started again on its folder it keeps its keys and keystore port, so a
 * client's jwks_uri from before the restart still resolves; a JWK's own kid is honoured (item 16).
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { decodeJwt, exportJWK, generateKeyPair } from 'jose'
import { mtlsRequest } from '../../src/sandbox/mtls-client.ts'
import { createSandbox } from '../../src/sandbox/sandbox.ts'
import { importSigningKey } from '../../src/sandbox/signing-key.ts'

const URL_CLAIM = /(_uri|_endpoint)$/

test('every JWKS URL of every SSA shape is on the loopback keystore and is served there', async () => {
  const sandbox = await createSandbox()
  try {
    const statements = [await sandbox.issueSsa(), await sandbox.issueCdrSsa(), await sandbox.issueBrazilSsa(), await sandbox.issueRfc7591Ssa()]
    const jwksUrls = statements.flatMap((ssa) => Object.entries(decodeJwt(ssa)).filter(([name, value]) => URL_CLAIM.test(name) && typeof value === 'string' && /jwks/.test(name)).map(([, value]) => value as string))
    assert.ok(jwksUrls.length >= 9, `found ${jwksUrls.length} JWKS URLs`)
    for (const url of new Set(jwksUrls)) {
      assert.ok(url.startsWith(`${sandbox.jwksServer.url}/`), `${url} is on the sandbox keystore`)
      const response = await mtlsRequest({ url, ca: sandbox.caCertificatePem })
      assert.equal(response.status, 200, `${url} is served`)
      assert.ok(Array.isArray((response.json as { keys?: unknown }).keys))
    }
    const brazil = decodeJwt(statements[2]!)
    const transport = await mtlsRequest({ url: brazil.software_jwks_transport_uri as string, ca: sandbox.caCertificatePem })
    assert.equal(((transport.json as { keys: Array<{ x5c: string[] }> }).keys[0]!.x5c[0]), sandbox.tpp.transport.certificate.raw.toString('base64'))
    const inactive = await mtlsRequest({ url: brazil.software_jwks_inactive_uri as string, ca: sandbox.caCertificatePem })
    assert.deepEqual(inactive.json, { keys: [] })
  } finally {
    await sandbox.close()
  }
})

test('a sandbox started again on its folder keeps its keys and its keystore port', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'open-dcr-restart-'))
  try {
    const first = await createSandbox({ dir })
    const before = { keystore: first.jwksServer.url, jwks: first.tpp.jwksUrl, kid: first.tpp.kid, directoryKid: first.directory.kid, ca: first.caCertificatePem }
    await first.close()
    const second = await createSandbox({ dir })
    try {
      assert.equal(second.restarted, true)
      assert.deepEqual({ keystore: second.jwksServer.url, jwks: second.tpp.jwksUrl, kid: second.tpp.kid, directoryKid: second.directory.kid, ca: second.caCertificatePem }, before)
      const response = await mtlsRequest({ url: before.jwks, ca: second.caCertificatePem })
      assert.equal((response.json as { keys: Array<{ kid: string }> }).keys[0]!.kid, before.kid, 'the jwks_uri registered before the restart still serves the TPP key')
    } finally {
      await second.close()
    }
    const other = await createSandbox({ dir, softwareId: 'AnotherSoftware0000001' })
    try {
      assert.equal(other.restarted, false, 'a folder made for other options gets new material')
    } finally {
      await other.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test("a signing key keeps its JWK's own kid, and gets its thumbprint only without one", async () => {
  const { privateKey } = await generateKeyPair('PS256', { extractable: true })
  const jwk = await exportJWK(privateKey)
  assert.equal((await importSigningKey({ ...jwk, kid: 'directory-assigned-kid' }, 'PS256')).kid, 'directory-assigned-kid')
  assert.equal((await importSigningKey({ ...jwk, kid: 'directory-assigned-kid' }, 'PS256')).publicJwk.kid, 'directory-assigned-kid')
  assert.match((await importSigningKey(jwk, 'PS256')).kid, /^[A-Za-z0-9_-]{43}$/)
})
