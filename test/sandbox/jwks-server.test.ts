/**
 * The sandbox keystore: serves published JWKS as application/json over https with a certificate from the
 * sandbox CA, replaces a document on republish (rotation), and answers 404 to anything else.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resolve } from '../../src/config/fields.ts'
import { configSchema } from '../../src/config/schema.ts'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { startJwksServer } from '../../src/sandbox/jwks-server.ts'
import { createBoundedFetch } from '../../src/trust/outbound-http.ts'
import { temporaryFile } from '../helpers/loopback-servers.ts'

test('serves published JWKS over https, replaces them on republish and answers 404 otherwise', async (t) => {
  const ca = await createCertificateAuthority('jwks-server test CA')
  const server = await startJwksServer({ ca })
  t.after(() => server.close())
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/)
  const fetch = createBoundedFetch(resolve(configSchema.fields.outbound, { caFiles: [temporaryFile(t, 'ca.pem', ca.certificatePem)], allowPrivateAddresses: true }, 'outbound'))

  const url = server.publish('/org/software.jwks', { keys: [{ kty: 'oct', kid: 'one' }] })
  assert.equal(url, `${server.url}/org/software.jwks`)
  const first = await fetch(url)
  assert.equal(first.status, 200)
  assert.equal(first.headers.get('content-type'), 'application/json')
  assert.deepEqual(await first.json(), { keys: [{ kty: 'oct', kid: 'one' }] })

  server.publish('/org/software.jwks', { keys: [{ kty: 'oct', kid: 'two' }] })
  assert.deepEqual(await (await fetch(url)).json(), { keys: [{ kty: 'oct', kid: 'two' }] })

  assert.equal((await fetch(`${server.url}/org/other.jwks`)).status, 404)
  server.unpublish('/org/software.jwks')
  assert.equal((await fetch(url)).status, 404)
  assert.throws(() => server.publish('relative.jwks', { keys: [] }), TypeError)
})
