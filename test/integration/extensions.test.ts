/**
 * Custom validators as a bank configures them, through the running server: the example module from
 * examples/ loaded by path, and the example HTTP extension service called over loopback, allowing,
 * adding metadata, denying, and failing closed when it is down.
 */
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { startExtensionService } from '../../examples/extension-service.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { sharedSandbox, startDcrServer } from '../helpers/dcr-server.ts'

const EXAMPLE_MODULE = fileURLToPath(new URL('../../examples/custom-validator.ts', import.meta.url))

let sandbox: Sandbox
before(async () => {
  sandbox = await sharedSandbox()
})
after(() => sandbox.close())

describe('custom validators through the server', () => {
  it('runs a module validator after the built-in checks', async (t) => {
    const s = await startDcrServer(t, sandbox, { customValidators: { modules: [EXAMPLE_MODULE] } })
    const refused = await s.register(await s.signedRequest({ overrides: { client_name: 'Example Bank Savings Helper' } }))
    assert.deepStrictEqual(
      { status: refused.status, body: refused.json },
      { status: 400, body: { error: 'invalid_client_metadata', error_description: 'client_name in the request uses the bank\'s name "example bank"; register a name of your own product', validator: 'client-name-not-impersonating' } },
    )
    assert.equal((await s.counts()).clients, 0)
    const accepted = await s.register(await s.signedRequest({ overrides: { client_name: 'Acme Budget' } }))
    assert.equal(accepted.status, 201, accepted.text)
  })

  it('asks the HTTP extension service: allow with metadata, deny, and fail closed when it is down', async (t) => {
    const service = await startExtensionService({ port: 0, policy: { blockedOrgIds: ['0015800001BLOCKED'], defaultMaxAgeSeconds: 900 } })
    let closed = false
    t.after(() => (closed ? undefined : service.close()))
    const decideUrl = `${service.url}/decide`
    const s = await startDcrServer(t, sandbox, { customValidators: { http: { url: decideUrl } } })

    const allowed = await s.register(await s.signedRequest())
    assert.equal(allowed.status, 201, allowed.text)
    assert.equal((allowed.json as Record<string, unknown>).default_max_age, 900, 'metadata the service asked for is registered')

    const blocked = await s.register(await s.signedRequest({ ssa: await sandbox.issueSsa({ org_id: '0015800001BLOCKED' }) }))
    // The transport certificate names the sandbox org, so the built-in binding refuses first ...
    assert.deepStrictEqual(
      { status: blocked.status, body: blocked.json },
      {
        status: 400,
        body: {
          error: 'unapproved_software_statement',
          error_description: `the transport certificate subject ${sandbox.tpp.transportSubject} does not name software_id "${sandbox.tpp.softwareId}" and org_id "0015800001BLOCKED" of the software statement as required (ob-legacy: CN=<software_id> and OU=<org_id>; obwac: organizationIdentifier=PSD<country>-<authority>-[Unknown]<org_id> or CN=<org_id>)`,
          validator: 'transport-certificate',
        },
      },
    )
    // ... and with that binding off, the extension service is the one that refuses.

    const unbound = await startDcrServer(t, sandbox, { customValidators: { http: { url: decideUrl } }, validators: { 'transport-certificate': { enabled: false } } })
    const denied = await unbound.register(await unbound.signedRequest({ ssa: await sandbox.issueSsa({ org_id: '0015800001BLOCKED' }) }))
    assert.deepStrictEqual(
      { status: denied.status, body: denied.json },
      { status: 400, body: { error: 'unapproved_software_statement', error_description: "org_id 0015800001BLOCKED: this organisation is not onboarded with this bank; contact the bank's partner team before registering", validator: 'http-extension' } },
    )

    await service.close()
    closed = true
    const down = await s.register(await s.signedRequest())
    assert.deepStrictEqual(
      { status: down.status, body: down.json },
      { status: 400, body: { error: 'unapproved_software_statement', error_description: "the registration cannot be approved now: the bank's additional registration check did not give a decision; try again later", validator: 'http-extension' } },
    )
    assert.equal((await s.counts()).clients, 1, 'only the allowed registration was stored')
  })
})
