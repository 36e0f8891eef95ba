import { test } from 'node:test'
import assert from 'node:assert/strict'
import { constants, generateKeyPairSync, sign } from 'node:crypto'
import { CompactSign, createLocalJWKSet, errors, type JSONWebKeySet } from 'jose'
import { JwsVerificationError, MAX_KID_LENGTH, verifyCompactJws, type JwsFailureReason } from '../../src/trust/verify-jws.ts'
import type { KeySet } from '../../src/trust/types.ts'
import { hmacWithPublicKey, keySetOf, makeSigner, signJsonTexts, unsignedJws } from '../helpers/jws-fixtures.ts'

const ps = await makeSigner('PS256', 'ps-key')
const es = await makeSigner('ES256', 'es-key')
const attacker = await makeSigner('PS256', 'attacker-key')
const trusted = keySetOf(ps, es)
const FAPI = ['PS256', 'ES256']
const payload = { iss: 'OpenBanking Ltd', software_id: 'soft-1', nested: { roles: ['AISP'] } }

async function rejects(promise: Promise<unknown>, reason: JwsFailureReason): Promise<JwsVerificationError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof JwsVerificationError, `expected JwsVerificationError, got ${String(error)}`)
    assert.equal(error.reason, reason, error.message)
    return error
  }
  assert.fail(`expected a ${reason} failure`)
}

test('verifies a PS256 and an ES256 JWS and returns header and claims', async () => {
  for (const signer of [ps, es]) {
    const { header, claims } = await verifyCompactJws(await signer.sign(payload), trusted, FAPI)
    assert.equal(header.alg, signer.alg)
    assert.equal(header.kid, signer.kid)
    assert.deepEqual({ ...claims, nested: { ...(claims.nested as object) } }, payload)
  }
})

test('returns claims as null-prototype objects at every depth (SEC-21)', async () => {
  const { claims } = await verifyCompactJws(await ps.sign(payload), trusted, FAPI)
  assert.equal(Object.getPrototypeOf(claims), null)
  assert.equal(Object.getPrototypeOf(claims.nested), null)
})

test('rejects alg none even when listed (SEC-1)', async () => {
  const error = await rejects(verifyCompactJws(unsignedJws({ alg: 'none', typ: 'JWT' }, payload), trusted, [...FAPI, 'none']), 'algorithm')
  assert.equal(error.alg, 'none')
})

test('rejects HS256 signed with the public key text even when listed (SEC-2)', async () => {
  const withPem = await hmacWithPublicKey(ps.publicPem, payload, { kid: ps.kid })
  await rejects(verifyCompactJws(withPem, trusted, [...FAPI, 'HS256']), 'algorithm')
  const withJwk = await hmacWithPublicKey(JSON.stringify(ps.publicJwk), payload, { kid: ps.kid })
  await rejects(verifyCompactJws(withJwk, trusted, ['HS256', 'hs384']), 'algorithm')
})

test('rejects RS256 when not allowed and accepts it when allowed (SEC-3)', async () => {
  const rs = await makeSigner('RS256', 'rs-key')
  const token = await rs.sign(payload)
  const error = await rejects(verifyCompactJws(token, keySetOf(rs), FAPI), 'algorithm')
  assert.equal(error.alg, 'RS256')
  const { claims } = await verifyCompactJws(token, keySetOf(rs), ['RS256'])
  assert.equal(claims.software_id, 'soft-1')
})

test('rejects an RSA key shorter than 2048 bits (SEC-3)', async () => {
  // jose refuses to make or use such keys, so node:crypto makes the key and the PS256 signature.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const keys = createLocalJWKSet({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'short' }] } as JSONWebKeySet)
  const signingInput = unsignedJws({ alg: 'PS256', kid: 'short' }, payload).slice(0, -1)
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
  const error = await rejects(verifyCompactJws(`${signingInput}.${signature.toString('base64url')}`, keys, FAPI), 'signature')
  assert.match(String(error.cause), /2048 bits/)
})

test('rejects an unknown kid (SEC-4)', async () => {
  const error = await rejects(verifyCompactJws(await ps.sign(payload, { kid: 'nobody' }), trusted, FAPI), 'unknown-kid')
  assert.equal(error.kid, 'nobody')
})

test('rejects a kid longer than 256 characters or not a string (SEC-4)', async () => {
  await rejects(verifyCompactJws(await ps.sign(payload, { kid: 'k'.repeat(MAX_KID_LENGTH + 1) }), trusted, FAPI), 'malformed')
  await rejects(verifyCompactJws(await ps.sign(payload, { kid: 42 }), trusted, FAPI), 'malformed')
  await rejects(verifyCompactJws(await ps.sign(payload, { kid: '../../etc/passwd' }), trusted, FAPI), 'unknown-kid')
})

test('rejects a token whose key was embedded in the jwk header by an attacker (SEC-5)', async () => {
  const asTrustedKid = await attacker.sign(payload, { kid: ps.kid, jwk: attacker.publicJwk })
  await rejects(verifyCompactJws(asTrustedKid, trusted, FAPI), 'signature')
  const withOwnKid = await attacker.sign(payload, { jwk: attacker.publicJwk })
  await rejects(verifyCompactJws(withOwnKid, trusted, FAPI), 'unknown-kid')
  const withoutKid = await attacker.sign(payload, { kid: undefined, jwk: attacker.publicJwk })
  await rejects(verifyCompactJws(withoutKid, keySetOf(ps), FAPI), 'signature')
})

test('ignores jku, x5u and x5c headers: keys come only from the key set (SEC-5)', async () => {
  const seen: string[] = []
  const spying: KeySet = async (header, token) => {
    seen.push(JSON.stringify(header))
    return trusted(header, token)
  }
  const pointing = { jku: 'https://attacker.example/jwks.json', x5u: 'https://attacker.example/cert.pem', x5c: ['MIIBattacker'] }
  // A genuine token that carries the headers still verifies with the configured keys...
  const genuine = await ps.sign(payload, pointing)
  assert.equal((await verifyCompactJws(genuine, spying, FAPI)).claims.software_id, 'soft-1')
  // ...and the attacker's token that points at its own keys does not.
  await rejects(verifyCompactJws(await attacker.sign(payload, pointing), spying, FAPI), 'unknown-kid')
  await rejects(verifyCompactJws(await attacker.sign(payload, { ...pointing, kid: ps.kid }), spying, FAPI), 'signature')
  assert.equal(seen.length, 3)
})

test('rejects a tampered payload', async () => {
  const [header, , signature] = (await ps.sign(payload)).split('.')
  const forged = unsignedJws({}, { ...payload, software_id: 'someone-else' }).split('.')[1]
  await rejects(verifyCompactJws(`${header}.${forged}.${signature}`, trusted, FAPI), 'signature')
})

test('rejects a b64 header, unencoded or not (SEC-6)', async () => {
  await rejects(verifyCompactJws(await ps.sign(payload, { b64: true }), trusted, FAPI), 'malformed')
  await rejects(verifyCompactJws(unsignedJws({ alg: 'PS256', kid: ps.kid, b64: false, crit: ['b64'] }, payload, 'AAAA'), trusted, FAPI), 'malformed')
})

test('rejects an unknown crit extension (SEC-6)', async () => {
  await rejects(verifyCompactJws(unsignedJws({ alg: 'PS256', kid: ps.kid, crit: ['exp-ext'], 'exp-ext': 1 }, payload, 'AAAA'), trusted, FAPI), 'malformed')
})

test('rejects anything but strict compact serialization (SEC-7)', async () => {
  const token = await ps.sign(payload)
  await rejects(verifyCompactJws(`${token}=`, trusted, FAPI), 'malformed')
  await rejects(verifyCompactJws(` ${token}`, trusted, FAPI), 'malformed')
  await rejects(verifyCompactJws(token.split('.').slice(0, 2).join('.'), trusted, FAPI), 'malformed')
  await rejects(verifyCompactJws(JSON.stringify({ protected: token.split('.')[0], payload: token.split('.')[1], signature: token.split('.')[2] }), trusted, FAPI), 'malformed')
  await rejects(verifyCompactJws(`${unsignedJws({}, {}).split('.')[0]!.slice(0, 2)}.${token.split('.')[1]}.${token.split('.')[2]}`, trusted, FAPI), 'malformed')
})

test('rejects a payload that is not a JSON object (SEC-7)', async () => {
  const asText = await new CompactSign(new TextEncoder().encode('not json')).setProtectedHeader({ alg: 'PS256', kid: ps.kid }).sign(ps.privateKey)
  await rejects(verifyCompactJws(asText, trusted, FAPI), 'payload')
  const asArray = await new CompactSign(new TextEncoder().encode('[1,2]')).setProtectedHeader({ alg: 'PS256', kid: ps.kid }).sign(ps.privateKey)
  await rejects(verifyCompactJws(asArray, trusted, FAPI), 'payload')
})

test('rejects __proto__, constructor and prototype members at any depth (SEC-21)', async () => {
  for (const json of ['{"__proto__":{"isAdmin":true}}', '{"a":{"b":[{"constructor":{"prototype":1}}]}}', '{"x":{"prototype":1}}']) {
    const token = await new CompactSign(new TextEncoder().encode(json)).setProtectedHeader({ alg: 'PS256', kid: ps.kid }).sign(ps.privateKey)
    const error = await rejects(verifyCompactJws(token, trusted, FAPI), 'payload')
    assert.match(error.message, /must not contain a member named "(__proto__|constructor|prototype)"/)
  }
  const pollutingHeader = Buffer.from('{"alg":"PS256","__proto__":{"kid":"ps-key"}}').toString('base64url')
  await rejects(verifyCompactJws(`${pollutingHeader}.${unsignedJws({}, payload).split('.')[1]}.AAAA`, trusted, FAPI), 'malformed')
})

test('rejects a payload nested deeper than the cap (SEC-19)', async () => {
  const deep = `${'{"a":'.repeat(30)}1${'}'.repeat(30)}`
  const token = await new CompactSign(new TextEncoder().encode(deep)).setProtectedHeader({ alg: 'PS256', kid: ps.kid }).sign(ps.privateKey)
  await rejects(verifyCompactJws(token, trusted, FAPI), 'payload')
})

test('reports unavailable keys apart from unknown keys', async () => {
  const offline: KeySet = async () => {
    throw new TypeError('fetch failed')
  }
  await rejects(verifyCompactJws(await ps.sign(payload), offline, FAPI), 'keys-unavailable')
  const timingOut: KeySet = async () => {
    throw new errors.JWKSTimeout()
  }
  await rejects(verifyCompactJws(await ps.sign(payload), timingOut, FAPI), 'keys-unavailable')
})

test('picks the verifying key when several keys match a header without kid', async () => {
  const first = await makeSigner('ES256', 'first')
  const second = await makeSigner('ES256', 'second')
  const noKids = createLocalJWKSet({ keys: [first, second].map(({ publicJwk }) => ({ ...publicJwk, kid: undefined })) } as JSONWebKeySet)
  const { claims } = await verifyCompactJws(await second.sign(payload, { kid: undefined }), noKids, FAPI)
  assert.equal(claims.iss, 'OpenBanking Ltd')
  await rejects(verifyCompactJws(await attacker.sign(payload, { kid: undefined, alg: 'PS256' }), noKids, FAPI), 'unknown-kid')
  const third = await makeSigner('ES256', 'third')
  await rejects(verifyCompactJws(await third.sign(payload, { kid: undefined }), noKids, FAPI), 'signature')
})

test('rejects an alg that does not fit the key type of the kid (SEC-2)', async () => {
  const token = await es.sign(payload, { kid: ps.kid })
  await rejects(verifyCompactJws(token, trusted, FAPI), 'unknown-kid')
})

test('with requireJwtType, accepts typ absent, JWT in any case and application/jwt (SEC-8)', async () => {
  for (const typ of [undefined, 'JWT', 'jwt', 'application/jwt', 'Application/JWT']) {
    const { claims } = await verifyCompactJws(await ps.sign(payload, { typ }), trusted, FAPI, { requireJwtType: true })
    assert.equal(claims.software_id, payload.software_id)
  }
})

test('with requireJwtType, rejects another kind of token by typ before looking up a key (SEC-8)', async () => {
  for (const typ of ['at+jwt', 'dpop+jwt', 'JOSE', 'secevent+jwt']) {
    const error = await rejects(verifyCompactJws(await ps.sign(payload, { typ }), trusted, FAPI, { requireJwtType: true }), 'malformed')
    assert.ok(error.message.includes(`"typ" "${typ}"`), error.message)
  }
  const nonString = await rejects(verifyCompactJws(await ps.sign(payload, { typ: 7 }), trusted, FAPI, { requireJwtType: true }), 'malformed')
  assert.match(nonString.message, /"typ" of type number/)
  // Without the option (client assertions), typ is not this function's concern.
  await verifyCompactJws(await ps.sign(payload, { typ: 'at+jwt' }), trusted, FAPI)
})

test('returns the key that verified the signature', async () => {
  const { key } = await verifyCompactJws(await es.sign(payload), trusted, FAPI)
  assert.ok(!(key instanceof Uint8Array))
  assert.equal(key.type, 'public')
})

test('refuses a validly signed JWS whose header names alg twice: {"alg":"none",...,"alg":"ES256"} (SEC-7, RFC 7515 §4)', async () => {
  const token = await signJsonTexts(es, `{"alg":"none","kid":"${es.kid}","alg":"ES256"}`, JSON.stringify(payload))
  const error = await rejects(verifyCompactJws(token, trusted, FAPI), 'malformed')
  assert.match(error.message, /header names the member "alg" more than once/)
})

test('refuses a validly signed JWS whose payload names iss or redirect_uris twice (SEC-7, RFC 7519 §4)', async () => {
  const header = `{"alg":"ES256","kid":"${es.kid}"}`
  for (const [name, text] of [['iss', '{"iss":"OpenBanking Ltd","software_id":"soft-1","iss":"Evil Ltd"}'], ['redirect_uris', '{"redirect_uris":["https://a.example/cb"],"iss":"x","redirect_uris":["https://evil.example/cb"]}']] as const) {
    const error = await rejects(verifyCompactJws(await signJsonTexts(es, header, text), trusted, FAPI), 'payload')
    assert.match(error.message, new RegExp(`payload names the member "${name}" more than once`))
  }
})

test('still verifies a JWS signed over texts without duplicates (the fixture signs correctly)', async () => {
  const { claims } = await verifyCompactJws(await signJsonTexts(es, `{"alg":"ES256","kid":"${es.kid}"}`, '{"iss":"a","nested":{"iss":"b"}}'), trusted, FAPI)
  assert.equal(claims.iss, 'a')
})
