/**
 * Runs the conformance catalogue against a DCR endpoint, one case at a time, judging each answer against
 * the case's expectation, reporting progress as it goes, and deleting the clients it created.
 */
import type { CaseContext, ConformanceCase, Expectation } from './cases.ts'
import { exchange, type ExchangeResult } from './exchange.ts'
import type { ConformanceMaterial } from './material.ts'

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
  /** Clients created by the run that could not be deleted afterwards. */
  leftBehind: string[]
}

export type RunOptions = {
  cases: readonly ConformanceCase[]
  /** Called after each case, for progress output. */
  onOutcome?: (outcome: CaseOutcome, index: number, total: number) => void
  /** Deletes a client the run created; returns true when it is gone. Without it, created clients are reported as left behind. */
  cleanup?: (clientId: string) => Promise<boolean>
}

export const describeExpectation = (expect: Expectation): string =>
  `${expect.status.join('/')}${expect.errors.length > 0 ? ` ${expect.errors.join(' | ')}` : ''}${expect.tlsRefusalConforms ? ' (or TLS refusal)' : ''}`

const describeResult = (result: ExchangeResult): string => {
  if (result.status === 0) return 'no HTTP answer'
  const error = (result.json as { error?: unknown } | undefined)?.error
  return `${result.status}${typeof error === 'string' ? ` ${error}` : ''}`
}

export function judge(expect: Expectation, result: ExchangeResult): boolean {
  if (result.status === 0) return expect.tlsRefusalConforms === true
  if (!expect.status.includes(result.status)) return false
  if (expect.errors.length === 0) return true
  const error = (result.json as { error?: unknown } | undefined)?.error
  return typeof error === 'string' && expect.errors.includes(error)
}

export async function runConformance(material: ConformanceMaterial, options: RunOptions): Promise<ConformanceReport> {
  const created: string[] = []
  const ctx: CaseContext = {
    material,
    register: (body, registerOptions = {}) => exchange(material, { method: 'POST', path: '/register', body, ...(registerOptions.withoutCertificate ? { withoutCertificate: true } : {}) }),
    created: (clientId) => created.push(clientId),
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
    const outcome: CaseOutcome = {
      id: testCase.id,
      title: testCase.title,
      requirements: testCase.requirements,
      expected: describeExpectation(testCase.expect),
      got: describeResult(result),
      passed: judge(testCase.expect, result),
      durationMs: Math.round(performance.now() - started),
      ...(result.note ? { note: result.note } : {}),
    }
    outcomes.push(outcome)
    options.onOutcome?.(outcome, index, options.cases.length)
  }
  const leftBehind: string[] = []
  for (const clientId of created) {
    if (!options.cleanup || !(await options.cleanup(clientId).catch(() => false))) leftBehind.push(clientId)
  }
  const passed = outcomes.filter((outcome) => outcome.passed).length
  return { server: material.serverUrl, startedAt: new Date().toISOString(), outcomes, passed, failed: outcomes.length - passed, leftBehind }
}
