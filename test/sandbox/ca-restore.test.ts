/**
 * The sandbox CA outlives its process: createSandbox writes ca-key.pem (mode 0600) beside ca.pem, and
 * restoreCertificateAuthority (through loadSandbox(dir).certificateAuthority()) issues client and server
 * certificates that chain to the same CA, with the authority key identifier of its certificate. A key that is
 * not the certificate's is refused, so nothing is issued that chains to nothing.
 */
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { rm, stat } from 'node:fs/promises'
import { after, before, it } from 'node:test'
import * as x509 from '@peculiar/x509'
import { createCertificateAuthority, restoreCertificateAuthority } from '../../src/sandbox/ca.ts'
import { createSandbox, loadSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'

let sandbox: Sandbox
before(async () => {
  sandbox = await createSandbox()
})
after(() => sandbox.close())

it('writes the CA private key as ca-key.pem, readable by the owner only', async () => {
  assert.equal((await stat(sandbox.files.caKeyFile)).mode & 0o777, 0o600)
})

it('a CA restored from ca.pem and ca-key.pem issues certificates that chain to the sandbox CA', async () => {
  const restored = await (await loadSandbox(sandbox.files.dir)).certificateAuthority()
  assert.equal(restored.certificatePem, sandbox.ca.certificatePem)
  const client = await restored.issueClient({ subject: 'CN=soft-1,OU=org-1,O=OpenBanking,C=GB' })
  const server = await restored.issueServer({ commonName: 'restored', ipAddresses: ['127.0.0.1'] })
  for (const issued of [client, server]) {
    assert.equal(issued.certificate.checkIssued(sandbox.ca.certificate), true)
    assert.equal(issued.certificate.verify(sandbox.ca.certificate.publicKey), true)
  }
  const authorityKeyId = new x509.X509Certificate(client.certificatePem).getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId
  const subjectKeyId = new x509.X509Certificate(sandbox.ca.certificatePem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId
  assert.equal(authorityKeyId, subjectKeyId)
  assert.match(new X509Certificate(client.certificatePem).subject, /CN=soft-1/)
})

it('refuses a private key that is not the CA certificate\'s', async () => {
  const other = await createCertificateAuthority('another CA')
  await assert.rejects(restoreCertificateAuthority(sandbox.ca.certificatePem, other.privateKeyPem), (error: unknown) => error instanceof TypeError && /does not belong to the CA certificate/.test(error.message))
})

it('a sandbox folder without ca-key.pem says which file is missing', async () => {
  const loaded = await loadSandbox(sandbox.files.dir)
  await rm(sandbox.files.caKeyFile)
  await assert.rejects(loaded.certificateAuthority(), /ca-key\.pem/)
})
