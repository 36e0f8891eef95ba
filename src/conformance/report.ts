/** Conformance reports: a text table for people, JSON and JUnit XML for machines and CI systems. */
import type { ConformanceReport } from './runner.ts'

export function textTable(report: ConformanceReport, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text)
  const widths = [
    Math.max(4, ...report.outcomes.map((o) => o.id.length)),
    Math.max(8, ...report.outcomes.map((o) => o.expected.length)),
    Math.max(3, ...report.outcomes.map((o) => o.got.length)),
  ]
  const row = (cells: string[]) => cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell)).join('  ')
  const lines = [row(['case', 'expected', 'got', 'result']), row(widths.map((w) => '-'.repeat(w)).concat('------'))]
  for (const outcome of report.outcomes) {
    lines.push(row([outcome.id, outcome.expected, outcome.got, outcome.passed ? paint('32', 'PASS') : paint('31', 'FAIL')]))
    if (!outcome.passed && outcome.note) lines.push(`    ${outcome.note}`)
  }
  lines.push('', `${report.passed} passed, ${report.failed} failed`)
  if (report.leftBehind.length > 0) lines.push(`clients left on the server (not deleted): ${report.leftBehind.join(', ')}`)
  return lines.join('\n')
}

const xml = (text: string): string => text.replace(/[<>&'"]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char]!)

export function junitXml(report: ConformanceReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3)
  const total = report.outcomes.reduce((sum, o) => sum + o.durationMs, 0)
  const cases = report.outcomes.map((o) => {
    const failure = o.passed ? '' : `\n    <failure message="${xml(`expected ${o.expected}, got ${o.got}`)}">${xml(o.note ?? '')}</failure>\n  `
    return `  <testcase classname="open-dcr.conformance" name="${xml(`${o.id}: ${o.title}`)}" time="${seconds(o.durationMs)}">${failure}</testcase>`
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="open-dcr conformance ${xml(report.server)}" tests="${report.outcomes.length}" failures="${report.failed}" time="${seconds(total)}" timestamp="${report.startedAt}">`,
    ...cases,
    '</testsuite>',
    '',
  ].join('\n')
}
