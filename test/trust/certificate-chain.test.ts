import { test } from 'node:test'
import assert from 'node:assert/strict'
import { webcrypto, X509Certificate } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { AsnConvert } from '@peculiar/asn1-schema'
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { MAX_CHAIN_DEPTH, verifyChain } from '../../src/trust/certificate-chain.ts'

const DAY_MS = 24 * 60 * 60 * 1000
const now = new Date()
const ca = await createCertificateAuthority('Test Directory Transport CA')
const otherCa = await createCertificateAuthority('Some Other CA')
const good = await ca.issueClient({ subject: 'CN=soft-1,OU=org-1,O=OpenBanking,C=GB' })

const expectFailure = async (pending: ReturnType<typeof verifyChain>, pattern: RegExp): Promise<void> => {
  const result = await pending
  assert.equal(result.ok, false)
  if (!result.ok) assert.match(result.reason, pattern)
}

test('accepts a transport certificate issued by a trusted CA', async () => {
  assert.deepEqual(await verifyChain(good.certificate, [], [ca.certificate], now), { ok: true })
  assert.deepEqual(await verifyChain(good.certificate, [], [otherCa.certificate, ca.certificate], now), { ok: true })
})

test('rejects a certificate issued by another CA', async () => {
  const foreign = verifyChain(good.certificate, [], [otherCa.certificate], now)
  expectFailure(foreign, /is not issued by a trusted certificate authority/)
})

test('rejects any certificate when no CA is configured', async () => {
  await expectFailure(verifyChain(good.certificate, [], [], now), /no trusted certificate authority/)
})

test('rejects a chain whose presented intermediate did not issue the certificate', async () => {
  await expectFailure(verifyChain(good.certificate, [otherCa.certificate], [otherCa.certificate], now), /not issued by a trusted/)
})

test('rejects an expired leaf and a leaf not yet valid', async () => {
  const expired = await ca.issueClient({ subject: 'CN=soft-1,OU=org-1', notBefore: new Date(now.getTime() - 10 * DAY_MS), notAfter: new Date(now.getTime() - DAY_MS) })
  await expectFailure(verifyChain(expired.certificate, [], [ca.certificate], now), /expired on/)
  const future = await ca.issueClient({ subject: 'CN=soft-1,OU=org-1', notBefore: new Date(now.getTime() + DAY_MS), notAfter: new Date(now.getTime() + 10 * DAY_MS) })
  await expectFailure(verifyChain(future.certificate, [], [ca.certificate], now), /is not valid before/)
})

test('judges validity at the given time, not the wall clock', async () => {
  await expectFailure(verifyChain(good.certificate, [], [ca.certificate], new Date(now.getTime() + 900 * DAY_MS)), /expired on/)
})

test('rejects a server-only certificate (extended key usage without clientAuth)', async () => {
  const server = await ca.issueServer({ commonName: 'bank.example.com', dnsNames: ['bank.example.com'] })
  await expectFailure(verifyChain(server.certificate, [], [ca.certificate], now), /does not allow TLS client authentication/)
})

test('rejects a CA certificate presented as the transport certificate', async () => {
  await expectFailure(verifyChain(otherCa.certificate, [], [otherCa.certificate], now), /is a CA certificate, not a transport certificate/)
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

test('accepts a chain through a presented intermediate', async () => {
  assert.deepEqual(await verifyChain(leafViaIntermediate.certificate, [intermediate.certificate], [root.certificate], now), { ok: true })
  assert.deepEqual(await verifyChain(leafViaIntermediate.certificate, [good.certificate, intermediate.certificate], [root.certificate], now), { ok: true })
})

test('rejects a chain whose intermediate is missing', async () => {
  await expectFailure(verifyChain(leafViaIntermediate.certificate, [], [root.certificate], now), /CN=soft-2 is not issued by a trusted/)
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
  await expectFailure(verifyChain(new X509Certificate(child.toString('pem')), [notCa.certificate], [root.certificate], now), /issuer CN=Not A CA is not a CA certificate/)
})

test('rejects an expired intermediate', async () => {
  const expiredIntermediate = await issueFrom(root, 'Old Intermediate', { ca: true, notAfter: new Date(now.getTime() - 1000) })
  const leaf = await issueFrom(expiredIntermediate, 'soft-4', { ca: false })
  await expectFailure(verifyChain(leaf.certificate, [expiredIntermediate.certificate], [root.certificate], now), /intermediate CA certificate .* expired on/)
})

test(`accepts ${MAX_CHAIN_DEPTH} CA certificates above the leaf and rejects more`, async () => {
  const cas: Node[] = [root]
  for (let level = 1; level <= MAX_CHAIN_DEPTH; level += 1) cas.push(await issueFrom(cas.at(-1)!, `Level ${level}`, { ca: true }))
  const deepest = await issueFrom(cas.at(-1)!, 'soft-deep', { ca: false })
  const intermediates = cas.slice(1).map((node) => node.certificate)
  await expectFailure(verifyChain(deepest.certificate, intermediates, [root.certificate], now), /longer than 5 CA certificates/)
  const shorter = await issueFrom(cas.at(-2)!, 'soft-ok', { ca: false })
  assert.deepEqual(await verifyChain(shorter.certificate, intermediates.slice(0, -1), [root.certificate], now), { ok: true })
})

test('gives the same answers when a certificate is checked again (remembered link results), dates still judged each time', async () => {
  // Fresh objects from the same DER, as each request of a keep-alive connection gives.
  const again = () => new X509Certificate(good.certificate.raw)
  for (let round = 0; round < 3; round += 1) {
    assert.deepEqual(await verifyChain(again(), [], [ca.certificate], now), { ok: true })
    await expectFailure(verifyChain(again(), [], [otherCa.certificate], now), /is not issued by a trusted certificate authority/)
  }
  await expectFailure(verifyChain(again(), [], [ca.certificate], new Date(good.certificate.validToDate.getTime() + DAY_MS)), /expired on/)
})

// RFC 5280 §6.1 rules on issuers and extensions: each with a certificate that breaks it, and a good chain beside it.

type IssueOptions = { ca: boolean; pathLength?: number; keyUsage?: number | null; extensions?: x509.Extension[]; dnsNames?: string[] }

/** Issues `name` from `issuer` (self-signed when issuer is undefined) with exactly the extensions asked for. */
async function issue(issuer: Node | undefined, name: string, options: IssueOptions): Promise<Node> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const keyUsage = options.keyUsage === undefined ? (options.ca ? x509.KeyUsageFlags.keyCertSign : x509.KeyUsageFlags.digitalSignature) : options.keyUsage
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(options.ca, options.pathLength, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)]
  if (issuer !== undefined) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey))
  if (keyUsage !== null) extensions.push(new x509.KeyUsagesExtension(keyUsage, true))
  if (!options.ca) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]))
  if (options.dnsNames !== undefined) extensions.push(new x509.SubjectAlternativeNameExtension(options.dnsNames.map((value) => ({ type: 'dns' as const, value }))))
  extensions.push(...(options.extensions ?? []))
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Math.floor(Math.random() * 1e9).toString(16),
    subject: `CN=${name}`,
    issuer: issuer?.cert.subject ?? `CN=${name}`,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + 20 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: (issuer?.keys ?? keys).privateKey,
    extensions,
  })
  return { certificate: new X509Certificate(cert.toString('pem')), cert, keys }
}

/** A critical nameConstraints extension permitting only DNS names under `permittedDns`. */
const permitOnlyDns = (permittedDns: string): x509.Extension =>
  new x509.Extension('2.5.29.30', true, AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees([new GeneralSubtree({ base: new GeneralName({ dNSName: permittedDns }) })]) })))

/** An extension no one processes, marked critical. */
const unknownCritical = (): x509.Extension => new x509.Extension('1.3.6.1.4.1.99999.7', true, new Uint8Array([0x05, 0x00]))

test('passes the good chains the rules below are measured against: pathLen, keyCertSign, name constraints all satisfied', async () => {
  const anchor = await issue(undefined, 'Rules Root', { ca: true, pathLength: 1 })
  const middle = await issue(anchor, 'Rules Intermediate', { ca: true, pathLength: 0, extensions: [permitOnlyDns('tpp.example')] })
  const leaf = await issue(middle, 'soft-rules', { ca: false, dnsNames: ['api.tpp.example'] })
  assert.deepEqual(await verifyChain(leaf.certificate, [middle.certificate], [anchor.certificate], now), { ok: true })
})

test('refuses a chain longer than an issuer\'s pathLenConstraint (RFC 5280 §4.2.1.9)', async () => {
  const anchor = await issue(undefined, 'PathLen Zero Root', { ca: true, pathLength: 0 })
  const middle = await issue(anchor, 'Too Deep Intermediate', { ca: true })
  const leaf = await issue(middle, 'soft-deep-1', { ca: false })
  await expectFailure(verifyChain(leaf.certificate, [middle.certificate], [anchor.certificate], now), /trusted certificate CN=PathLen Zero Root allows 0 intermediate CA certificate\(s\) below it \(basicConstraints pathLenConstraint\), the chain has 1/)
  const second = await issue(middle, 'Second Intermediate', { ca: true })
  const limited = await issue(anchor, 'Limited Intermediate', { ca: true, pathLength: 0 })
  const belowLimited = await issue(limited, 'Below Limited', { ca: true })
  const leafBelow = await issue(belowLimited, 'soft-deep-2', { ca: false })
  await expectFailure(verifyChain(leafBelow.certificate, [belowLimited.certificate, limited.certificate, second.certificate], [anchor.certificate], now), /issuer CN=Limited Intermediate allows 0 intermediate/)
})

test('refuses an issuer whose keyUsage does not allow keyCertSign, or that has no keyUsage (RFC 5280 §4.2.1.3)', async () => {
  const anchor = await issue(undefined, 'KeyUsage Root', { ca: true })
  const withoutKeyUsage = await issue(anchor, 'No KeyUsage Intermediate', { ca: true, keyUsage: null })
  const leaf = await issue(withoutKeyUsage, 'soft-ku-1', { ca: false })
  await expectFailure(verifyChain(leaf.certificate, [withoutKeyUsage.certificate], [anchor.certificate], now), /issuer CN=No KeyUsage Intermediate may not sign certificates \(its keyUsage lacks keyCertSign\)/)
  const signingOnly = await issue(anchor, 'Signing Only Intermediate', { ca: true, keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.cRLSign })
  const leafOfSigningOnly = await issue(signingOnly, 'soft-ku-2', { ca: false })
  // OpenSSL does not even link such an issuer; either way the chain is refused.
  await expectFailure(verifyChain(leafOfSigningOnly.certificate, [signingOnly.certificate], [anchor.certificate], now), /not issued by a trusted certificate authority|may not sign certificates/)
  const anchorWithoutKeyUsage = await issue(undefined, 'No KeyUsage Root', { ca: true, keyUsage: null })
  const leafOfAnchor = await issue(anchorWithoutKeyUsage, 'soft-ku-3', { ca: false })
  await expectFailure(verifyChain(leafOfAnchor.certificate, [], [anchorWithoutKeyUsage.certificate], now), /trusted certificate CN=No KeyUsage Root may not sign certificates/)
})

test('refuses a name outside an intermediate\'s or the anchor\'s name constraints (RFC 5280 §4.2.1.10)', async () => {
  const anchor = await issue(undefined, 'Constraints Root', { ca: true })
  const middle = await issue(anchor, 'Constrained Intermediate', { ca: true, extensions: [permitOnlyDns('tpp.example')] })
  const outside = await issue(middle, 'soft-nc-1', { ca: false, dnsNames: ['api.evil.example'] })
  await expectFailure(verifyChain(outside.certificate, [middle.certificate], [anchor.certificate], now), /chain of CN=soft-nc-1 fails RFC 5280 path validation: .*permitted sub-trees/)
  const constrainedAnchor = await issue(undefined, 'Constrained Root', { ca: true, extensions: [permitOnlyDns('tpp.example')] })
  const direct = await issue(constrainedAnchor, 'soft-nc-2', { ca: false, dnsNames: ['evil.example'] })
  await expectFailure(verifyChain(direct.certificate, [], [constrainedAnchor.certificate], now), /fails RFC 5280 path validation: .*permitted sub-trees/)
  const inside = await issue(constrainedAnchor, 'soft-nc-3', { ca: false, dnsNames: ['api.tpp.example'] })
  assert.deepEqual(await verifyChain(inside.certificate, [], [constrainedAnchor.certificate], now), { ok: true })
})

test('refuses a leaf or an intermediate with a critical extension it does not process (RFC 5280 §4.2)', async () => {
  const anchor = await issue(undefined, 'Critical Root', { ca: true })
  const leaf = await issue(anchor, 'soft-crit-1', { ca: false, extensions: [unknownCritical()] })
  await expectFailure(verifyChain(leaf.certificate, [], [anchor.certificate], now), /certificate CN=soft-crit-1 has a critical extension this server does not process \(1\.3\.6\.1\.4\.1\.99999\.7\)/)
  const middle = await issue(anchor, 'Critical Intermediate', { ca: true, extensions: [unknownCritical()] })
  const below = await issue(middle, 'soft-crit-2', { ca: false })
  await expectFailure(verifyChain(below.certificate, [middle.certificate], [anchor.certificate], now), /certificate CN=Critical Intermediate has a critical extension this server does not process/)
  const nonCritical = await issue(anchor, 'soft-crit-3', { ca: false, extensions: [new x509.Extension('1.3.6.1.4.1.99999.7', false, new Uint8Array([0x05, 0x00]))] })
  assert.deepEqual(await verifyChain(nonCritical.certificate, [], [anchor.certificate], now), { ok: true }, 'the same extension, not critical, is ignored')
})

test('gives the same verdicts when a chain is checked again (remembered path verdicts)', async () => {
  const anchor = await issue(undefined, 'Again Root', { ca: true })
  const middle = await issue(anchor, 'Again Intermediate', { ca: true, extensions: [permitOnlyDns('tpp.example')] })
  const good = await issue(middle, 'soft-again-1', { ca: false, dnsNames: ['a.tpp.example'] })
  const bad = await issue(middle, 'soft-again-2', { ca: false, dnsNames: ['a.evil.example'] })
  for (let round = 0; round < 3; round += 1) {
    assert.deepEqual(await verifyChain(new X509Certificate(good.certificate.raw), [middle.certificate], [anchor.certificate], now), { ok: true })
    await expectFailure(verifyChain(new X509Certificate(bad.certificate.raw), [middle.certificate], [anchor.certificate], now), /permitted sub-trees/)
  }
  await expectFailure(verifyChain(good.certificate, [middle.certificate], [anchor.certificate], new Date(now.getTime() + 60 * DAY_MS)), /expired on/)
})
