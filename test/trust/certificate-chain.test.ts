import { test } from 'node:test'
import assert from 'node:assert/strict'
import { webcrypto, X509Certificate } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { MAX_CHAIN_DEPTH, verifyChain } from '../../src/trust/certificate-chain.ts'

const DAY_MS = 24 * 60 * 60 * 1000
const now = new Date()
const ca = await createCertificateAuthority('Test Directory Transport CA')
const otherCa = await createCertificateAuthority('Some Other CA')
const good = await ca.issueClient({ subject: 'CN=soft-1,OU=org-1,O=OpenBanking,C=GB' })

const expectFailure = (result: ReturnType<typeof verifyChain>, pattern: RegExp): void => {
  assert.equal(result.ok, false)
  if (!result.ok) assert.match(result.reason, pattern)
}

test('accepts a transport certificate issued by a trusted CA', () => {
  assert.deepEqual(verifyChain(good.certificate, [], [ca.certificate], now), { ok: true })
  assert.deepEqual(verifyChain(good.certificate, [], [otherCa.certificate, ca.certificate], now), { ok: true })
})

test('rejects a certificate issued by another CA', () => {
  const foreign = verifyChain(good.certificate, [], [otherCa.certificate], now)
  expectFailure(foreign, /is not issued by a trusted certificate authority/)
})

test('rejects any certificate when no CA is configured', () => {
  expectFailure(verifyChain(good.certificate, [], [], now), /no trusted certificate authority/)
})

test('rejects a chain whose presented intermediate did not issue the certificate', () => {
  expectFailure(verifyChain(good.certificate, [otherCa.certificate], [otherCa.certificate], now), /not issued by a trusted/)
})

test('rejects an expired leaf and a leaf not yet valid', async () => {
  const expired = await ca.issueClient({ subject: 'CN=soft-1,OU=org-1', notBefore: new Date(now.getTime() - 10 * DAY_MS), notAfter: new Date(now.getTime() - DAY_MS) })
  expectFailure(verifyChain(expired.certificate, [], [ca.certificate], now), /expired on/)
  const future = await ca.issueClient({ subject: 'CN=soft-1,OU=org-1', notBefore: new Date(now.getTime() + DAY_MS), notAfter: new Date(now.getTime() + 10 * DAY_MS) })
  expectFailure(verifyChain(future.certificate, [], [ca.certificate], now), /is not valid before/)
})

test('judges validity at the given time, not the wall clock', () => {
  expectFailure(verifyChain(good.certificate, [], [ca.certificate], new Date(now.getTime() + 900 * DAY_MS)), /expired on/)
})

test('rejects a server-only certificate (extended key usage without clientAuth)', async () => {
  const server = await ca.issueServer({ commonName: 'bank.example.com', dnsNames: ['bank.example.com'] })
  expectFailure(verifyChain(server.certificate, [], [ca.certificate], now), /does not allow TLS client authentication/)
})

test('rejects a CA certificate presented as the transport certificate', () => {
  expectFailure(verifyChain(otherCa.certificate, [], [otherCa.certificate], now), /is a CA certificate, not a transport certificate/)
})

// Chains with intermediates: built here with @peculiar/x509, as the sandbox CA issues only from its root.
type Node = { certificate: X509Certificate; cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const

async function makeRoot(name: string): Promise<Node> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + 30 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
  })
  return { certificate: new X509Certificate(cert.toString('pem')), cert, keys }
}

async function issueFrom(issuer: Node, name: string, options: { ca: boolean; notAfter?: Date }): Promise<Node> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(options.ca, undefined, true), await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)]
  if (options.ca) extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey))
  else extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]))
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Math.floor(Math.random() * 1e9).toString(16),
    subject: `CN=${name}`,
    issuer: issuer.cert.subject,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: options.notAfter ?? new Date(now.getTime() + 20 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions,
  })
  return { certificate: new X509Certificate(cert.toString('pem')), cert, keys }
}

const root = await makeRoot('Chain Root')
const intermediate = await issueFrom(root, 'Chain Intermediate', { ca: true })
const leafViaIntermediate = await issueFrom(intermediate, 'soft-2', { ca: false })

test('accepts a chain through a presented intermediate', () => {
  assert.deepEqual(verifyChain(leafViaIntermediate.certificate, [intermediate.certificate], [root.certificate], now), { ok: true })
  assert.deepEqual(verifyChain(leafViaIntermediate.certificate, [good.certificate, intermediate.certificate], [root.certificate], now), { ok: true })
})

test('rejects a chain whose intermediate is missing', () => {
  expectFailure(verifyChain(leafViaIntermediate.certificate, [], [root.certificate], now), /CN=soft-2 is not issued by a trusted/)
})

test('rejects an issuer that is not a CA', async () => {
  const notCa = await issueFrom(root, 'Not A CA', { ca: false })
  // Without a keyUsage extension OpenSSL lets the name and signature link; the CA flag must still refuse it.
  const keys = notCa.keys
  const child = await x509.X509CertificateGenerator.create({
    serialNumber: '0abc',
    subject: 'CN=soft-3',
    issuer: notCa.cert.subject,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair).publicKey,
    signingKey: keys.privateKey,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  })
  expectFailure(verifyChain(new X509Certificate(child.toString('pem')), [notCa.certificate], [root.certificate], now), /issuer CN=Not A CA is not a CA certificate/)
})

test('rejects an expired intermediate', async () => {
  const expiredIntermediate = await issueFrom(root, 'Old Intermediate', { ca: true, notAfter: new Date(now.getTime() - 1000) })
  const leaf = await issueFrom(expiredIntermediate, 'soft-4', { ca: false })
  expectFailure(verifyChain(leaf.certificate, [expiredIntermediate.certificate], [root.certificate], now), /intermediate CA certificate .* expired on/)
})

test(`accepts ${MAX_CHAIN_DEPTH} CA certificates above the leaf and rejects more`, async () => {
  const cas: Node[] = [root]
  for (let level = 1; level <= MAX_CHAIN_DEPTH; level += 1) cas.push(await issueFrom(cas.at(-1)!, `Level ${level}`, { ca: true }))
  const deepest = await issueFrom(cas.at(-1)!, 'soft-deep', { ca: false })
  const intermediates = cas.slice(1).map((node) => node.certificate)
  expectFailure(verifyChain(deepest.certificate, intermediates, [root.certificate], now), /longer than 5 CA certificates/)
  const shorter = await issueFrom(cas.at(-2)!, 'soft-ok', { ca: false })
  assert.deepEqual(verifyChain(shorter.certificate, intermediates.slice(0, -1), [root.certificate], now), { ok: true })
})

test('gives the same answers when a certificate is checked again (remembered link results), dates still judged each time', () => {
  // Fresh objects from the same DER, as each request of a keep-alive connection gives.
  const again = () => new X509Certificate(good.certificate.raw)
  for (let round = 0; round < 3; round += 1) {
    assert.deepEqual(verifyChain(again(), [], [ca.certificate], now), { ok: true })
    expectFailure(verifyChain(again(), [], [otherCa.certificate], now), /is not issued by a trusted certificate authority/)
  }
  expectFailure(verifyChain(again(), [], [ca.certificate], new Date(good.certificate.validToDate.getTime() + DAY_MS)), /expired on/)
})
