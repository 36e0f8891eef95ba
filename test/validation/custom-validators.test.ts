/**
 * Custom validators both ways: modules loaded from paths at start (examples/custom-validator.ts and modules
 * that break the contract), and an HTTP extension service on loopback (examples/extension-service.ts, and
 * servers that hang, fail or answer garbage) that allows, allows with metadata, or denies; failures close
 * unless failOpen.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it, type TestContext } from 'node:test'
import { parse as parseYaml } from 'yaml'
import { ConfigError } from '../../src/config/fields.ts'
import type { Config } from '../../src/config/schema.ts'
import { createCertificateAuthority } from '../../src/sandbox/ca.ts'
import { createHttpExtensionValidator, extensionRequestOf, parseDecision, type ExtensionRequest } from '../../src/validation/custom/http-extension.ts'
import { loadValidatorModules } from '../../src/validation/custom/module-validator.ts'
import type { ValidationContext } from '../../src/validation/context.ts'
import type { Claims } from '../../src/lib/claims.ts'
import { ValidationError } from '../../src/validation/errors.ts'
import { startExtensionService, type ExtensionService } from '../../examples/extension-service.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { startHttpServer, startHttpsServer, temporaryFile } from '../helpers/loopback-servers.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const EXAMPLE_MODULE = resolve(import.meta.dirname, '../../examples/custom-validator.ts')
const request: Claims = { iss: 'soft-1', client_name: 'Acme Budget', redirect_uris: ['https://acme.example/cb'], software_statement: 'eyJhbGciOiJQUzI1NiJ9.e30.c2ln' }
const ssa: Claims = { iss: 'OpenBanking Ltd', software_id: 'soft-1', org_id: 'org-ok', software_client_name: 'Acme Budget' }

describe('module validators (customValidators.modules)', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'open-dcr-custom-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))
  const moduleFile = (name: string, text: string): string => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }
  const refuses = async (paths: string[], message: RegExp) =>
    assert.rejects(loadValidatorModules(paths), (error: unknown) => error instanceof ConfigError && error.key === 'customValidators.modules[0]' && message.test(error.message))

  it('loads the example module and runs it with the built-in contract', async () => {
    const [validator, ...rest] = await loadValidatorModules([EXAMPLE_MODULE])
    assert.equal(rest.length, 0)
    assert.equal(validator!.id, 'client-name-not-impersonating')
    await expectPass(validator!, makeContext({ request, ssa }))
    await expectFailure(validator!, makeContext({ request: { ...request, client_name: 'Example Bank Savings' }, ssa }), { error: 'invalid_client_metadata', claim: 'client_name', mentions: ['example bank'] })
    await expectFailure(validator!, makeContext({ request, ssa: { ...ssa, software_client_name: 'EXAMPLEBANK app' } }), { error: 'invalid_client_metadata', claim: 'software_client_name' })
  })

  it('resolves a relative path against the given folder and loads an array export', async () => {
    moduleFile('two.mjs', `const check = () => {}\nexport default [\n  { id: 'first-check', operations: ['create'], requirements: [], summary: 'one', errors: ['invalid_client_metadata'], check },\n  { id: 'second-check', operations: ['create', 'update'], requirements: ['X-1'], summary: 'two', errors: ['invalid_redirect_uri'], check },\n]\n`)
    const validators = await loadValidatorModules(['two.mjs'], dir)
    assert.deepEqual(validators.map((validator) => validator.id), ['first-check', 'second-check'])
  })

  it('refuses a module that cannot be loaded', async () => {
    await refuses([join(dir, 'missing.mjs')], /cannot load/)
  })

  it('refuses a module without a default export', async () => {
    await refuses([moduleFile('named.mjs', 'export const validator = {}\n')], /no default export/)
  })

  it('refuses a validator that breaks the contract or takes a built-in id', async () => {
    await refuses([moduleFile('no-check.mjs', "export default { id: 'x-check', operations: ['create'], requirements: [], summary: 's', errors: ['invalid_client_metadata'] }\n")], /needs a `check\(ctx\)` function/)
    await refuses([moduleFile('bad-errors.mjs', "export default { id: 'y-check', operations: ['create'], requirements: [], summary: 's', errors: ['server_error'], check() {} }\n")], /needs `errors`/)
    await refuses([moduleFile('bad-op.mjs', "export default { id: 'z-check', operations: ['delete'], requirements: [], summary: 's', errors: ['invalid_client_metadata'], check() {} }\n")], /needs `operations`/)
    await refuses([moduleFile('built-in.mjs', "export default { id: 'audience', operations: ['create'], requirements: [], summary: 's', errors: ['invalid_client_metadata'], check() {} }\n")], /built-in check/)
  })

  it('refuses the same id twice', async () => {
    const once = moduleFile('once.mjs', "export default { id: 'dup-check', operations: ['create'], requirements: [], summary: 's', errors: ['invalid_client_metadata'], check() {} }\n")
    await assert.rejects(loadValidatorModules([once, once]), (error: unknown) => error instanceof ConfigError && error.key === 'customValidators.modules[1]' && /exported twice/.test(error.message))
  })
})

describe('HTTP extension service (customValidators.http)', () => {
  let service: ExtensionService
  before(async () => {
    service = await startExtensionService({ policy: { blockedOrgIds: ['org-blocked'], defaultMaxAgeSeconds: 300 } })
  })
  after(() => service.close())

  const configWith = (http: Record<string, unknown>): Config => testConfig({ customValidators: { http } })
  const validatorFor = (http: Record<string, unknown>) => createHttpExtensionValidator(configWith(http).customValidators.http)
  const contextFor = (claims: Claims = ssa, extra: Partial<Pick<ValidationContext, 'certificate'>> = {}) => ({ ...makeContext({ request, ssa: claims }), ...extra })

  it('allows, adding the metadata the service asks for', async () => {
    const validator = validatorFor({ url: `${service.url}/decide` })
    const ctx = contextFor()
    const checked = await expectPass(validator, ctx)
    assert.deepEqual(checked.extensionMetadata, { default_max_age: 300 })
  })

  it('allows without metadata', async () => {
    const ctx = { ...makeContext({ request: { ...request, default_max_age: 60 }, ssa }) }
    const checked = await expectPass(validatorFor({ url: `${service.url}/decide` }), ctx)
    assert.equal(checked.extensionMetadata, undefined)
  })

  it('denies with the error, description and claim the service gives', async () => {
    const error = await expectFailure(validatorFor({ url: `${service.url}/decide` }), contextFor({ ...ssa, org_id: 'org-blocked' }), { error: 'unapproved_software_statement', claim: 'org_id', mentions: ['org-blocked', 'not onboarded'] })
    assert.equal(error.validator, 'http-extension')
  })

  it('sends the facts without compact tokens, with the certificate subject, issuer and thumbprint', async (t) => {
    const ca = await createCertificateAuthority('extension facts CA')
    const issued = await ca.issueClient({ subject: 'CN=soft-1,OU=org-ok,O=OpenBanking,C=GB' })
    const certificate = { certificate: issued.certificate, intermediates: [], thumbprint: createHash('sha256').update(issued.certificate.raw).digest('base64url'), source: 'tls' as const }
    let received: ExtensionRequest | undefined
    const server = await startHttpServer(t, (incoming, response) => {
      const chunks: Buffer[] = []
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
      incoming.on('end', () => {
        received = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExtensionRequest
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"decision":"allow"}')
      })
    })
    await expectPass(validatorFor({ url: `${server.url}/decide` }), contextFor(ssa, { certificate }))
    assert.ok(received !== undefined)
    assert.equal(received.operation, 'create')
    assert.equal(received.profile, 'obuk')
    assert.equal(received.request.software_statement, undefined, 'the compact SSA is not sent')
    assert.equal(received.request.client_name, 'Acme Budget')
    assert.equal(received.software_statement?.org_id, 'org-ok')
    assert.equal(received.certificate?.subject, 'CN=soft-1,OU=org-ok,O=OpenBanking,C=GB')
    assert.equal(received.certificate?.issuer, 'CN=extension facts CA')
    assert.equal(received.certificate?.thumbprint, certificate.thumbprint)
  })

  it('calls an https service trusting the configured CA file', async (t) => {
    const ca = await createCertificateAuthority('extension https CA')
    const server = await startHttpsServer(t, ca, (_incoming, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"decision":"allow"}'))
    await expectPass(validatorFor({ url: `${server.url}/decide`, caFiles: [temporaryFile(t, 'ca.pem', ca.certificatePem)] }), contextFor())
  })

  /** A service failure: closed by default, open with failOpen. */
  async function expectFailureHandling(t: TestContext, handler: Parameters<typeof startHttpServer>[1], why: RegExp, http: Record<string, unknown> = {}) {
    const server = await startHttpServer(t, handler)
    const url = `${server.url}/decide`
    await assert.rejects(async () => validatorFor({ url, ...http }).check(contextFor()), (error: unknown) => {
      assert.ok(error instanceof ValidationError)
      assert.equal(error.error, 'unapproved_software_statement')
      assert.equal(error.validator, 'http-extension')
      assert.match(error.message, /did not give a decision; try again later/)
      assert.match(String((error.cause as Error).message), why)
      return true
    })
    await expectPass(validatorFor({ url, ...http, failOpen: true }), contextFor())
  }

  it('fails closed when the service times out', async (t) => {
    await expectFailureHandling(t, () => {}, /within 200 ms/, { timeoutMs: 200 })
  })

  it('fails closed when the service answers 500', async (t) => {
    await expectFailureHandling(t, (_incoming, response) => response.writeHead(500).end('oops'), /HTTP 500/)
  })

  it('fails closed when the service answers a redirect, and does not follow it (SEC-16)', async (t) => {
    let followed = false
    await expectFailureHandling(
      t,
      (incoming, response) => {
        if (incoming.url === '/elsewhere') followed = true
        response.writeHead(307, { location: '/elsewhere' }).end()
      },
      /answered a redirect, which is not followed .*answered 307/,
    )
    assert.equal(followed, false)
  })

  it('fails closed when the service answers garbage', async (t) => {
    await expectFailureHandling(t, (_incoming, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"decision":"maybe"}'), /"decision" must be/)
    await expectFailureHandling(t, (_incoming, response) => response.writeHead(200).end('not json'), /did not answer JSON/)
  })

  it('fails closed when the service is unreachable or its answer is too large', async (t) => {
    const closed = await startHttpServer(t, () => {})
    const url = closed.url.replace(/:\d+$/, ':1')
    await assert.rejects(async () => validatorFor({ url: `${url}/decide` }).check(contextFor()), (error: unknown) => error instanceof ValidationError && error.error === 'unapproved_software_statement')
    await expectFailureHandling(t, (_incoming, response) => response.writeHead(200).end(JSON.stringify({ decision: 'allow', pad: 'x'.repeat(5000) })), /larger than 1024 bytes/, { maxResponseBytes: 1024 })
  })

  it('parses only well-formed decisions', () => {
    assert.deepEqual(parseDecision({ decision: 'allow' }), { decision: 'allow' })
    assert.deepEqual(parseDecision({ decision: 'deny', error: 'invalid_redirect_uri', error_description: 'redirect_uri\u0007 is on a blocklist' }), { decision: 'deny', error: 'invalid_redirect_uri', error_description: 'redirect_uri  is on a blocklist' })
    for (const garbage of [null, [], 'allow', { decision: 'deny', error: 'server_error', error_description: 'x' }, { decision: 'deny', error: 'invalid_client_metadata' }, { decision: 'allow', metadata: [] }, JSON.parse('{"decision":"allow","metadata":{"__proto__":{}}}')]) {
      assert.throws(() => parseDecision(garbage), { name: 'ExtensionCallError' })
    }
  })

  it('sends exactly the members docs/extension-openapi.yaml requires', () => {
    const spec = parseYaml(readFileSync(resolve(import.meta.dirname, '../../docs/extension-openapi.yaml'), 'utf8')) as { components: { schemas: Record<string, { required: string[] }> } }
    assert.deepEqual(Object.keys(extensionRequestOf(makeContext({ request, ssa }))).sort(), [...spec.components.schemas.ExtensionRequest!.required].sort())
    assert.deepEqual(['decision', 'error', 'error_description'], spec.components.schemas.Deny!.required)
  })

  it('describes the update it is asked about', () => {
    const ctx = makeContext({ operation: 'update', request, ssa, config: testConfig({ profile: 'rfc7591' }) })
    const facts = extensionRequestOf(ctx)
    assert.equal(facts.operation, 'update')
    assert.equal(facts.profile, 'rfc7591')
    assert.equal(facts.certificate, null)
    assert.equal(facts.directory, null)
  })
})
