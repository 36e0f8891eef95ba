/**
 * Property-based fuzzing of POST /register (issue 13 item 12) against one real server over mutual TLS with the
 * sandbox TPP's certificate: random bytes, JSON, compact-JWS segments and re-signed requests and SSAs whose
 * members hold values of every JSON type (registration-cases.ts). For every case:
 * - the status is below 500 (never a server fault for a client's input, SEC-23);
 * - a refusal is an RFC 7591 §3.2.2 / RFC 6749 §5.2 error body: JSON `{error, error_description}` (and
 *   `validator`, naming the check), `error` an RFC code, the description a non-empty string;
 * - a refusal stores nothing: per batch, clients and JTIs grow exactly by what the 201s registered (DESIGN.md, Data).
 * After the run the server still registers a valid request. Cases go out concurrently over keep-alive
 * connections, a batch at a time; fast-check shrinks a failing batch. `OPEN_DCR_FUZZ_RUNS` (default 5,000)
 * sets the number of cases, e.g. 100000 for a long run (docs/security.md); `OPEN_DCR_FUZZ_SEED` replays one.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { Agent, request } from 'undici'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { ISSUER, sharedSandbox, startDcrServer } from '../helpers/dcr-server.ts'
import { caseMaterial, fuzzCase, renderCase, type FuzzCase } from './registration-cases.ts'

const RUNS = Number(process.env.OPEN_DCR_FUZZ_RUNS ?? 5_000)
const SEED = process.env.OPEN_DCR_FUZZ_SEED === undefined ? undefined : Number(process.env.OPEN_DCR_FUZZ_SEED)
/** Cases sent at once; each batch is one fast-check run. */
const BATCH = 25
/** RFC 7591 §3.2.2 codes and the RFC 6749 §5.2 / RFC 6750 §3.1 ones a registration endpoint may answer. */
const RFC_ERRORS = new Set(['invalid_redirect_uri', 'invalid_client_metadata', 'invalid_software_statement', 'unapproved_software_statement', 'invalid_request', 'invalid_token', 'invalid_client'])

type Tally = { cases: number; serverErrors: number; created: number; rowsStoredOnRefusal: number; byStatus: Map<number, number>; byValidator: Map<string, number> }

/** What is wrong with one answer to a refused case, or undefined when it is a proper RFC error. */
function errorBodyProblem(status: number, contentType: string | undefined, text: string): string | undefined {
  if (!/^application\/json\b/.test(contentType ?? '')) return `Content-Type ${String(contentType)}`
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return 'the body is not JSON'
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not a JSON object'
  const { error, error_description: description, ...rest } = body as Record<string, unknown>
  if (typeof error !== 'string' || !RFC_ERRORS.has(error)) return `error ${JSON.stringify(error)} is no RFC 7591/6749 error`
  if (typeof description !== 'string' || description === '') return 'error_description is not a non-empty string'
  const extra = Object.keys(rest).filter((name) => name !== 'validator')
  if (extra.length > 0) return `unexpected members ${extra.join(', ')}`
  if (status < 400) return `refused with ${status}`
  return undefined
}

describe('POST /register under property-based fuzzing (issue 13 item 12)', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await sharedSandbox()
  })
  after(() => sandbox.close())

  it(`${RUNS} random bodies, content types, headers, JWT segments and re-signed claim values: never a 5xx, always an RFC error body, nothing stored on refusal`, { timeout: Math.max(180_000, RUNS * 40) }, async (t) => {
    const s = await startDcrServer(t, sandbox)
    const material = await caseMaterial(sandbox, ISSUER)
    const tpp = sandbox.tpp
    const agent = new Agent({ connections: 8, connect: { cert: tpp.transport.certificatePem, key: tpp.transport.privateKeyPem, ca: sandbox.caCertificatePem } })
    t.after(() => agent.close())
    const send = async (rendered: { body: Uint8Array | string; headers: Record<string, string> }) => {
      const response = await request(`${s.server.url}/register`, { method: 'POST', headers: rendered.headers, body: rendered.body, dispatcher: agent })
      return { status: response.statusCode, contentType: response.headers['content-type'] as string | undefined, text: await response.body.text() }
    }

    // What one registration stores, measured rather than assumed (request and SSA JTIs).
    const empty = await s.counts()
    const first = await send({ body: await s.signedRequest(), headers: { 'content-type': 'application/jwt' } })
    assert.equal(first.status, 201, first.text)
    const perRegistration = (await s.counts()).jtis - empty.jtis

    const tally: Tally = { cases: 0, serverErrors: 0, created: 0, rowsStoredOnRefusal: 0, byStatus: new Map(), byValidator: new Map() }
    const property = fc.asyncProperty(fc.array(fuzzCase, { minLength: BATCH, maxLength: BATCH }), async (plans: FuzzCase[]) => {
      const rendered = await Promise.all(plans.map((plan) => renderCase(material, plan)))
      const before = await s.counts()
      const answers = await Promise.all(rendered.map(send))
      const afterBatch = await s.counts()
      let created = 0
      answers.forEach((answer, index) => {
        tally.cases += 1
        tally.byStatus.set(answer.status, (tally.byStatus.get(answer.status) ?? 0) + 1)
        if (answer.status >= 500) tally.serverErrors += 1
        assert.ok(answer.status < 500, `case ${index} answered ${answer.status}: ${answer.text}`)
        if (answer.status === 201) {
          created += 1
          tally.created += 1
          return
        }
        const problem = errorBodyProblem(answer.status, answer.contentType, answer.text)
        assert.equal(problem, undefined, `case ${index} answered ${answer.status} ${answer.text}: ${problem}`)
        const validator = String((JSON.parse(answer.text) as { validator?: unknown }).validator ?? `http ${answer.status}`)
        tally.byValidator.set(validator, (tally.byValidator.get(validator) ?? 0) + 1)
      })
      const stray = afterBatch.clients - before.clients - created + (afterBatch.jtis - before.jtis - created * perRegistration)
      tally.rowsStoredOnRefusal += Math.abs(stray)
      assert.deepEqual({ clients: afterBatch.clients - before.clients, jtis: afterBatch.jtis - before.jtis }, { clients: created, jtis: created * perRegistration }, 'a refused request stored a client or a JTI')
    })
    try {
      await fc.assert(property, { numRuns: Math.ceil(RUNS / BATCH), ...(SEED === undefined ? {} : { seed: SEED }) })
    } finally {
      const statuses = [...tally.byStatus].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ')
      const validators = [...tally.byValidator].sort(([, a], [, b]) => b - a).map(([name, count]) => `${name}: ${count}`).join(', ')
      t.diagnostic(`fuzz cases: ${tally.cases}; 5xx seen: ${tally.serverErrors}; rows stored for refused requests: ${tally.rowsStoredOnRefusal}; registered (201): ${tally.created}; statuses ${statuses}`)
      // Which checks the refusals reached: the re-signed cases must get past the signatures to the later validators.
      t.diagnostic(`refused by: ${validators}`)
    }
    assert.ok(tally.cases >= RUNS, `${tally.cases} cases ran, ${RUNS} asked for`)

    // The server still answers: a valid registration after the run.
    const last = await send({ body: await s.signedRequest(), headers: { 'content-type': 'application/jwt' } })
    assert.equal(last.status, 201, last.text)
  })
})
