/**
 * `node bench/profile-summary.ts FILE.cpuprofile [TOP]`: what a V8 CPU profile (from `npm run bench --
 * --profile`, written with --cpu-prof) spends its time on: self time per function and per source file,
 * and inclusive time of the open-dcr functions, as percentages of the sampled time.
 */
import { readFileSync } from 'node:fs'

type Frame = { functionName: string; url: string; lineNumber: number }
type ProfileNode = { id: number; callFrame: Frame; children?: number[] }
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const short = (url: string): string => url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/').replace(/^node:/, 'node:')
const label = (frame: Frame): string => `${frame.functionName || '(anonymous)'} ${short(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`

export function summarise(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const selfTime = new Map<number, number>()
  profile.samples.forEach((id, index) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)))
  const total = [...selfTime.values()].reduce((a, b) => a + b, 0)

  const selfByFunction = new Map<string, number>()
  const selfByFile = new Map<string, number>()
  const inclusive = new Map<string, number>()
  for (const [id, time] of selfTime) {
    const frame = byId.get(id)!.callFrame
    selfByFunction.set(label(frame), (selfByFunction.get(label(frame)) ?? 0) + time)
    const fileName = frame.url ? short(frame.url).replace(/^(node_modules\/(@[^/]+\/)?[^/]+)\/.*$/, '$1') : `(${frame.functionName || 'native'})`
    selfByFile.set(fileName, (selfByFile.get(fileName) ?? 0) + time)
    // Inclusive time of open-dcr's own functions: every src/ frame on the stack, counted once per sample stack.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame
      if (!f.url.includes('/src/')) continue
      const key = label(f)
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + time)
    }
  }
  const table = (title: string, map: Map<string, number>) =>
    [`${title}`, ...[...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, time]) => `  ${((time / total) * 100).toFixed(1).padStart(5)} %  ${name}`)].join('\n')
  return [
    `sampled ${(total / 1e6).toFixed(1)} s`,
    table('self time by function', selfByFunction),
    table('self time by file or package', selfByFile),
    table('inclusive time of open-dcr functions (src/)', inclusive),
  ].join('\n\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2]
  if (path === undefined) throw new TypeError('usage: node bench/profile-summary.ts FILE.cpuprofile [TOP]')
  console.log(summarise(JSON.parse(readFileSync(path, 'utf8')) as Profile, Number(process.argv[3] ?? 25)))
}
