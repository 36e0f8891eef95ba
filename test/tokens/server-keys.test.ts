/** The server's signing keys: created when missing, rotated by putting a new key first, never published private. */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { importJWK, jwtVerify, SignJWT, type JWK } from 'jose'
import { ConfigError } from '../../src/config/fields.ts'
import { generateServerKey, loadServerKeys } from '../../src/tokens/server-keys.ts'

const folders: string[] = []
after(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))))
async function keysFile(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'open-dcr-keys-'))
  folders.push(folder)
  return join(folder, 'nested', 'server-signing-keys.json')
}

describe('server signing keys', () => {
  it('creates the file with one private key, readable by its owner only, and publishes only the public part', async () => {
    const file = await keysFile()
    const keys = await loadServerKeys(file, 'ES256')
    assert.equal((await stat(file)).mode & 0o777, 0o600)
    assert.equal(keys.current.alg, 'ES256')
    assert.equal(keys.publicJwks.keys.length, 1)
    const [published] = keys.publicJwks.keys
    assert.equal(published?.kid, keys.current.kid)
    assert.equal((published as JWK).d, undefined, 'no private member is published')
    const again = await loadServerKeys(file, 'PS256')
    assert.equal(again.current.kid, keys.current.kid, 'an existing file is reused, whatever alg is configured')
  })

  it('rotates: a new key put first signs, tokens of the previous key still verify until it is removed', async () => {
    const file = await keysFile()
    const old = await loadServerKeys(file, 'PS256')
    const oldToken = await new SignJWT({ sub: 'c1' }).setProtectedHeader({ alg: old.current.alg, kid: old.current.kid }).sign(old.current.privateKey)
    const stored = JSON.parse(await readFile(file, 'utf8')) as { keys: JWK[] }
    await writeFile(file, JSON.stringify({ keys: [await generateServerKey('ES256'), ...stored.keys] }))

    const rotated = await loadServerKeys(file, 'PS256')
    assert.notEqual(rotated.current.kid, old.current.kid)
    assert.equal(rotated.current.alg, 'ES256')
    assert.deepEqual(rotated.publicJwks.keys.map((key) => key.kid), [rotated.current.kid, old.current.kid])
    assert.equal((await jwtVerify(oldToken, rotated.keySet)).payload.sub, 'c1', 'the previous key still verifies')

    await writeFile(file, JSON.stringify({ keys: [JSON.parse(await readFile(file, 'utf8')).keys[0]] }))
    const retired = await loadServerKeys(file, 'PS256')
    await assert.rejects(jwtVerify(oldToken, retired.keySet), 'a removed key verifies nothing')
    const newToken = await new SignJWT({ sub: 'c2' }).setProtectedHeader({ alg: retired.current.alg, kid: retired.current.kid }).sign(retired.current.privateKey)
    assert.equal((await jwtVerify(newToken, await importJWK(retired.publicJwks.keys[0]!, 'ES256'))).payload.sub, 'c2')
  })

  it('refuses a keys file that is not a JWKS of private PS256/ES256 keys with kids, naming the key', async () => {
    const file = await keysFile()
    await loadServerKeys(file, 'PS256')
    const [key] = (JSON.parse(await readFile(file, 'utf8')) as { keys: JWK[] }).keys
    const refused = async (content: unknown) =>
      assert.rejects(
        (async () => {
          await writeFile(file, JSON.stringify(content))
          await loadServerKeys(file, 'PS256')
        })(),
        (error: unknown) => error instanceof ConfigError && error.key === 'tokens.signingKeysFile',
      )
    await refused({ keys: [] })
    await refused({ keys: [{ ...key, kid: undefined }] })
    await refused({ keys: [{ ...key, alg: 'RS256' }] })
    await refused({ keys: [{ ...key, d: undefined }] })
    await writeFile(file, '{ not json')
    await assert.rejects(loadServerKeys(file, 'PS256'), ConfigError)
  })
})
