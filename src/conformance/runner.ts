/**
 * Runs the conformance catalogue against a DCR endpoint, one case at a time, judging each answer against
 * the case's expectation, reporting progress as it goes, and deleting the clients it created with their
 * management credential (run-clients.ts); those it could not delete are reported as left behind.
 */
import type { CaseContext, ConformanceCase, Expectation } from './cases.ts'
import { exchange, type ExchangeResult } from './exchange.ts'
import type { ConformanceMaterial } from './material.ts'
import { createRunClients } from './run-clients.ts'

export type CaseOutcome = {
  id: string
  title: string
  requirements: readonly string[]
  expected: string
  got: string
  passed: boolean
  durationMs: number
  note?: string
}

export type ConformanceReport = {
  server: string
  startedAt: string
  outcomes: CaseOutcome[]
  passed: number
  failed: number
  /** Clients created by the run that are still on the server afterwards (not deleted, or cleanup off). */
  leftBehind: string[]
}

export type RunOptions = {
  cases: readonly ConformanceCase[]
  /** Called after each case, for progress output. */
  onOutcome?: (outcome: CaseOutcome, index: number, total: number) => void
  /**
   * Delete the clients each case created, with their management credential, once the case is done (default
   * true), so that the next case can register again where a profile allows one registration per software
   * id (CDR-DCR-15, BR-DCR-25). Off, the created clients are reported as left behind.
   */
  cleanup?: boolean
}

export const describeExpectation = (expect: Expectation): string =>
  `${expect.status.join('/')}${expect.errors.length > 0 ? ` ${expect.errors.join(' | ')}` : ''}${expect.bearerChallenge ? ' + Bearer challenge' : ''}${expect.tlsRefusalConforms ? ' (or TLS refusal)' : ''}`

/** RFC 6750 §3: a 401 of a protected resource names the Bearer scheme in WWW-Authenticate. */
const hasBearerChallenge = (result: ExchangeResult): boolean => /^\s*Bearer(\s|,|$)/i.test(result.wwwAuthenticate ?? '')

const describeResult = (expect: Expectation, result: ExchangeResult): string => {
  if (result.status === 0) return 'no HTTP answer'
  const error = (result.json as { error?: unknown } | undefined)?.error
  const challenge = expect.bearerChallenge && !hasBearerChallenge(result) ? ' without Bearer challenge' : ''
  return `${result.status}${typeof error === 'string' ? ` ${error}` : ''}${challenge}${result.problem ? ' (see note)' : ''}`
}

export function judge(expect: Expectation, result: ExchangeResult): boolean {
  if (result.status === 0) return expect.tlsRefusalConforms === true
  if (result.problem !== undefined) return false
  if (!expect.status.includes(result.status)) return false
  if (expect.bearerChallenge && !hasBearerChallenge(result)) return false
  // `errors` judge refusals; an expectation that also accepts a success (e.g. 201 with the SSA's value) passes it on status.
  if (expect.errors.length === 0 || result.status < 400) return true
  const error = (result.json as { error?: unknown } | undefined)?.error
  return typeof error === 'string' && expect.errors.includes(error)
}

export async function runConformance(material: ConformanceMaterial, options: RunOptions): Promise<ConformanceReport> {
  const startedAt = new Date().toISOString()
  const clients = createRunClients(material)
  const ctx: CaseContext = {
    material,
    register: (body, registerOptions = {}) => exchange(material, { method: 'POST', path: '/register', body, ...registerOptions }),
    created: (information, participant) => void clients.remember(information, participant),
    clients,
  }
  const outcomes: CaseOutcome[] = []
  for (const [index, testCase] of options.cases.entries()) {
    const started = performance.now()
    let result: ExchangeResult
    try {
      result = await testCase.run(ctx)
    } catch (error) {
      result = { status: 0, json: undefined, note: `the case could not run: ${(error as Error).message}` }
    }
    const note = [result.problem, result.note].filter((text) => text !== undefined).join('; ')
    const outcome: CaseOutcome = {
      id: testCase.id,
      title: testCase.title,
      requirements: testCase.requirements,
      expected: describeExpectation(testCase.expect),
      got: describeResult(testCase.expect, result),
      passed: judge(testCase.expect, result),
      durationMs: Math.round(performance.now() - started),
      ...(note !== '' ? { note } : {}),
    }
    outcomes.push(outcome)
    if (options.cleanup !== false) await clients.cleanup()
    options.onOutcome?.(outcome, index, options.cases.length)
  }
  const leftBehind = clients.remaining()
  const passed = outcomes.filter((outcome) => outcome.passed).length
  return { server: material.serverUrl, startedAt, outcomes, passed, failed: outcomes.length - passed, leftBehind }
}
