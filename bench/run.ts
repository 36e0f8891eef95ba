/**
 * `npm run bench [-- --quick] [-- --profile] [-- --request-alg ES256]`: the load benchmark of issue 7.
 *
 * Starts open-dcr as in production (SQLite with synchronous FULL, sandbox trust, HTTPS with mutual TLS,
 * keep-alive), pre-signs distinct registration requests (PS256 SSA + PS256 or ES256 request, each jti
 * fresh), and loads it with autocannon from a separate process. In the same run, under the same load
 * (connections, request count): the crypto ceiling (two jose verifications in sequence on one thread),
 * oidc-provider registering plain JSON clients, and a bare Fastify route of the same body size, each
 * server in its own process; then the management path (POST /token, GET /register/{id}) against
 * oidc-provider's GET /reg/{id}. The full run does the comparison twice and adds open-dcr with synchronous
 * NORMAL, with 2 worker processes and without group commit, and the scale curve (1 k, 100 k, 1 M clients
 * stored). Results go to bench/results/ as markdown; the ratios are printed last, one a line
 * (`ratio open-dcr/ceiling: 0.62`), in both modes, for scripts. docs/performance.md explains the figures.
 */
import { randomUUID } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { decodeJwt, type JWK } from 'jose'
import { loadConfig, merge } from '../src/config/load.ts'
import { registeredMetadata } from '../src/registration/metadata.ts'
import { toClaims } from '../src/lib/claims.ts'
import { thumbprintOf } from '../src/http/client-cert.ts'
import { createSandbox, type Sandbox } from '../src/sandbox/sandbox.ts'
import type { CeilingResult } from './crypto-ceiling.ts'
import type { LoadItem, LoadResult, LoadSpec } from './load-generator.ts'
import { machineFacts, type MachineFacts } from './machine.ts'
import { prefillClients, type PrefillSample } from './prefill.ts'
import { benchModule, cpuSeconds, runTool, startServerProcess, threadCpuSeconds, type ServerProcess } from './processes.ts'
import { scaleRatio, writeReport, type Measurement, type ScalePoint } from './report.ts'
import { signRegistrations, writeBodyItems } from './signed-requests.ts'

const ISSUER = 'https://bank.example.com'

type Plan = {
  name: 'quick' | 'full'
  connections: number
  /** Registrations sent per server (after the warm-up), the same for every server. */
  amount: number
  warmup: number
  ceilingSeconds: number
  /** Rounds of the main comparison (open-dcr, ceiling, oidc-provider, Fastify); the ratios use the mean rates. */
  rounds: number
  durabilityCost: boolean
  /** Also measure open-dcr with 2 worker processes and without group commit. */
  variants: boolean
  scaleSteps: number[]
  scaleAmount: number
  managementAmount: number
}

const PLANS: Record<Plan['name'], Omit<Plan, 'connections'>> = {
  quick: { name: 'quick', amount: 2500, warmup: 300, ceilingSeconds: 2, rounds: 1, durabilityCost: false, variants: false, scaleSteps: [], scaleAmount: 0, managementAmount: 3000 },
  full: { name: 'full', amount: 12000, warmup: 1000, ceilingSeconds: 5, rounds: 2, durabilityCost: true, variants: true, scaleSteps: [1_000, 100_000, 1_000_000], scaleAmount: 5000, managementAmount: 15000 },
}

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'request-alg': { type: 'string', default: 'PS256' },
    connections: { type: 'string', default: '10' },
    'no-scale': { type: 'boolean', default: false },
    /** Only open-dcr's registration phase (with the ceiling), for profiling and experiments. */
    only: { type: 'boolean', default: false },
    /** Only open-dcr's management phase (POST /token, then GET /register/{id}), for profiling and experiments. */
    'only-management': { type: 'boolean', default: false },
    /** Only the scale curve (1 k, 100 k and 1 M stored clients). */
    'only-scale': { type: 'boolean', default: false },
    /** JSON configuration values merged over open-dcr's, e.g. '{"store":{"synchronous":"NORMAL"}}'. */
    config: { type: 'string', default: '{}' },
  },
  strict: true,
})

const requestAlg = args['request-alg']
if (requestAlg !== 'PS256' && requestAlg !== 'ES256') throw new TypeError(`--request-alg must be PS256 or ES256, got ${requestAlg}`)
const plan: Plan = { ...PLANS[args.quick ? 'quick' : 'full'], connections: Number(args.connections) }
if (args['no-scale']) plan.scaleSteps = []

const resultsDir = benchModule('./results/')
const work = mkdtempSync(join(tmpdir(), 'open-dcr-bench-'))
const file = (name: string): string => join(work, name)
const writeJson = (name: string, value: unknown): string => {
  writeFileSync(file(name), JSON.stringify(value))
  return file(name)
}
const writeItems = (name: string, items: readonly LoadItem[]): string => {
  writeFileSync(file(name), items.map((item) => JSON.stringify(item)).join('\n') + '\n')
  return file(name)
}
/** A file-name-safe form of a measurement name. */
const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
const fmt = (value: number, digits = 0): string => value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const log = (line: string): void => console.log(line)

/** Items a distinct load of `amount` needs: warm-up and measured requests, plus one prepared but unsent per connection and run. */
const distinctItems = (amount: number): number => plan.warmup + amount + 2 * plan.connections + 8

function openDcrConfigValues(sandbox: Sandbox, storePath: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = merge(sandbox.serverConfigValues(ISSUER), {
    server: { host: '127.0.0.1', port: 0 },
    store: { path: storePath },
    tokens: { signingKeysFile: file('server-keys.json') },
    log: { level: 'silent' },
    // The load comes from one address and one certificate: the per-client rate limit would measure itself.
    rateLimit: { enabled: false },
  })
  return merge(merge(base, JSON.parse(args.config) as Record<string, unknown>), extra)
}

function loadSpec(server: ServerProcess, template: LoadSpec['template'], options: { distinct: boolean; amount: number; warmup?: number; capture?: boolean; sandbox: Sandbox }): string {
  const spec: LoadSpec = {
    url: server.url,
    template,
    connections: plan.connections,
    warmup: options.warmup ?? plan.warmup,
    amount: options.amount,
    distinct: options.distinct,
    tls: { certFile: options.sandbox.files.tppTransportCertFile, keyFile: options.sandbox.files.tppTransportKeyFile, caFile: options.sandbox.files.caFile },
    capture: options.capture ?? false,
  }
  return writeJson(`spec-${slug(server.name)}-${Date.now()}.json`, spec)
}

const REGISTER_JWT = { method: 'POST', path: '/register', headers: { 'content-type': 'application/jwt', accept: 'application/json' } } as const

/** Starts a server, runs one load against it, stops it; the load's result with the server's peak RSS. */
async function measure(name: string, server: Promise<ServerProcess>, load: (server: ServerProcess) => Promise<LoadResult>): Promise<Measurement> {
  const running = await server
  try {
    const cpuBefore = cpuSeconds(running.pids)
    const threadsBefore = threadCpuSeconds(running.pids)
    const result = await load(running)
    if (args.profile) {
      const threads = [...threadCpuSeconds(running.pids)].map(([thread, seconds]) => `${thread} ${fmt(seconds - (threadsBefore.get(thread) ?? 0), 2)} s`)
      log(`${name}: CPU by thread during the load: ${threads.join(', ')}`)
    }
    const sent = Object.values(result.statuses).reduce((sum, count) => sum + count, 0) + result.warmupSent
    const serverCpuMsPerRequest = ((cpuSeconds(running.pids) - cpuBefore) * 1000) / sent
    const measurement: Measurement = { name, ...result, peakRssBytes: running.peakRss(), serverCpuMsPerRequest }
    log(
      `${name.padEnd(34)} ${fmt(result.rate).padStart(7)} /s   p50 ${fmt(result.latency.p50, 1)} ms  p95 ${fmt(result.latency.p95, 1)} ms  p99 ${fmt(result.latency.p99, 1)} ms` +
        `   peak RSS ${fmt(measurement.peakRssBytes / 2 ** 20)} MiB   server CPU ${fmt(serverCpuMsPerRequest, 2)} ms/req, load generator ${fmt(result.loadCpuSeconds, 1)} s${nonSuccess(result)}`,
    )
    return measurement
  } finally {
    await running.stop()
  }
}

function nonSuccess(result: LoadResult): string {
  const failed = Object.entries(result.statuses).filter(([status]) => !status.startsWith('2'))
  const errors = result.errors > 0 ? ` errors ${result.errors}` : ''
  return failed.length === 0 && errors === '' ? '' : `   NOT 2xx: ${failed.map(([status, count]) => `${status}×${count}`).join(' ')}${errors}`
}

function startOpenDcr(name: string, values: Record<string, unknown>): Promise<ServerProcess> {
  const execArgv = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${resultsDir}`, `--cpu-prof-name=${slug(name)}-${Date.now()}.cpuprofile`] : []
  return startServerProcess(name, benchModule('./servers/open-dcr.ts'), [writeJson(`config-${slug(name)}.json`, values)], { execArgv })
}

/** open-dcr under the standard load: `amount` fresh registrations. */
async function measureOpenDcr(sandbox: Sandbox, name: string, storePath: string, amount: number, extra: Record<string, unknown> = {}): Promise<Measurement> {
  const bodies = await signRegistrations(sandbox, ISSUER, distinctItems(amount))
  const items = file(`bodies-${slug(name)}.ndjson`)
  writeBodyItems(items, bodies)
  return measure(name, startOpenDcr(name, openDcrConfigValues(sandbox, storePath, extra)), (server) =>
    runTool<LoadResult>('load generator', benchModule('./load-generator.ts'), [loadSpec(server, REGISTER_JWT, { distinct: true, amount, sandbox }), items]),
  )
}

/** The plain JSON client metadata oidc-provider registers (no signatures anywhere). */
const oidcClient = (index: number): LoadItem => ({
  body: JSON.stringify({
    client_name: `Acme Budget ${index}`,
    redirect_uris: ['https://acme-fin.example.co.uk/ob/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    application_type: 'web',
  }),
})

function startOidcProvider(sandbox: Sandbox): Promise<ServerProcess> {
  return startServerProcess('oidc-provider', benchModule('./servers/oidc-provider.ts'), [writeJson('oidc-provider.json', { keyFile: sandbox.files.serverKeyFile, certFile: sandbox.files.serverCertFile })])
}

const REGISTER_JSON = { method: 'POST', path: '/reg', headers: { 'content-type': 'application/json', accept: 'application/json' } } as const

async function measureOidcProvider(sandbox: Sandbox, suffix: string): Promise<Measurement> {
  const items = writeItems('oidc-clients.ndjson', Array.from({ length: 200 }, (_, index) => oidcClient(index)))
  return measure(`oidc-provider POST /reg${suffix}`, startOidcProvider(sandbox), (server) =>
    runTool<LoadResult>('load generator', benchModule('./load-generator.ts'), [loadSpec(server, REGISTER_JSON, { distinct: false, amount: plan.amount, sandbox }), items]),
  )
}

/** oidc-provider's GET /reg/{client_id} with each client's registration access token. */
async function measureOidcProviderRead(sandbox: Sandbox): Promise<Measurement> {
  const clients = 300 // its default in-memory adapter keeps 1000 entries: client + token each
  const server = await startOidcProvider(sandbox)
  let handedOver = false
  try {
    const setupItems = writeItems('oidc-setup.ndjson', Array.from({ length: clients + 2 * plan.connections }, (_, index) => oidcClient(index)))
    const setup = await runTool<LoadResult>('load generator', benchModule('./load-generator.ts'), [loadSpec(server, REGISTER_JSON, { distinct: true, amount: clients, warmup: 0, capture: true, sandbox }), setupItems])
    const reads: LoadItem[] = (setup.captured as Array<{ registration_client_uri: string; registration_access_token: string }>).map((client) => {
      const uri = new URL(client.registration_client_uri)
      return { path: uri.pathname + uri.search, headers: { authorization: `Bearer ${client.registration_access_token}` } }
    })
    const items = writeItems('oidc-reads.ndjson', reads)
    handedOver = true
    return await measure('oidc-provider GET /reg/{id}', Promise.resolve(server), (target) =>
      runTool<LoadResult>('load generator', benchModule('./load-generator.ts'), [loadSpec(target, { method: 'GET', path: '/reg', headers: { accept: 'application/json' } }, { distinct: false, amount: plan.managementAmount, sandbox }), items]),
    )
  } finally {
    if (!handedOver) await server.stop()
  }
}

/** Client assertions (RFC 7523, private_key_jwt) for the token endpoint, each with its own jti, signed by the TPP key. */
async function signAssertions(sandbox: Sandbox, clientIds: readonly string[], count: number): Promise<LoadItem[]> {
  const items: LoadItem[] = new Array<LoadItem>(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const index = next
      next += 1
      const clientId = clientIds[index % clientIds.length]!
      const iat = Math.floor(Date.now() / 1000)
      const assertion = await sandbox.tpp.signRequest({ iss: clientId, sub: clientId, aud: `${ISSUER}/token`, iat, exp: iat + 300, jti: randomUUID() })
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion })
      items[index] = { body: form.toString() }
    }
  }
  await Promise.all(Array.from({ length: 64 }, worker))
  return items
}

/**
 * open-dcr's management path on one server: registers clients, then POST /token (client credentials,
 * private_key_jwt, certificate-bound token) with fresh assertions, then GET /register/{client_id} with
 * those access tokens over the same mutual TLS.
 */
async function measureOpenDcrManagement(sandbox: Sandbox): Promise<Measurement[]> {
  const clients = 300
  const server = await startOpenDcr('open-dcr management', openDcrConfigValues(sandbox, file('management.db')))
  let handedOver = false
  try {
    const registrations = file('management-registrations.ndjson')
    writeBodyItems(registrations, await signRegistrations(sandbox, ISSUER, clients + 2 * plan.connections))
    const registered = await runTool<LoadResult>('load generator', benchModule('./load-generator.ts'), [loadSpec(server, REGISTER_JWT, { distinct: true, amount: clients, warmup: 0, capture: true, sandbox }), registrations])
    const clientIds = (registered.captured as Array<{ client_id: string }>).map((client) => client.client_id)
    if (clientIds.length === 0) throw new Error('no client was registered for the management phase')

    const assertions = writeItems('management-assertions.ndjson', await signAssertions(sandbox, clientIds, distinctItems(plan.managementAmount)))
    const tokenForm = { method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } } as const
    const cpuBefore = cpuSeconds(server.pids)
    const tokenResult = await runTool<LoadResult>('load generator', benchModule('./load-generator.ts'), [loadSpec(server, tokenForm, { distinct: true, amount: plan.managementAmount, capture: true, sandbox }), assertions])
    const tokenSent = Object.values(tokenResult.statuses).reduce((sum, count) => sum + count, 0) + tokenResult.warmupSent
    const tokenCpuMs = ((cpuSeconds(server.pids) - cpuBefore) * 1000) / tokenSent
    const tokens = tokenResult.captured as Array<{ access_token: string }>
    if (tokens.length === 0) throw new Error(`no access token was issued: ${JSON.stringify(tokenResult.statuses)}`)
    // The token answer does not name the client: the n-th assertion named clientIds[n % clients], in order of sending, which
    // concurrent answers may reorder; read each token's own client from its (signed by us) payload instead.
    const reads: LoadItem[] = tokens.slice(0, 2000).map(({ access_token: token }) => ({
      path: `/register/${encodeURIComponent(String(decodeJwt(token).client_id))}`,
      headers: { authorization: `Bearer ${token}` },
    }))
    const token: Measurement = { name: 'open-dcr POST /token', ...tokenResult, captured: [], peakRssBytes: server.peakRss(), serverCpuMsPerRequest: tokenCpuMs }
    log(`${token.name.padEnd(34)} ${fmt(token.rate).padStart(7)} /s   p50 ${fmt(token.latency.p50, 1)} ms  p95 ${fmt(token.latency.p95, 1)} ms  p99 ${fmt(token.latency.p99, 1)} ms   server CPU ${fmt(tokenCpuMs, 2)} ms/req${nonSuccess(tokenResult)}`)
    const items = writeItems('management-reads.ndjson', reads)
    handedOver = true
    const read = await measure('open-dcr GET /register/{id}', Promise.resolve(server), (target) =>
      runTool<LoadResult>('load generator', benchModule('./load-generator.ts'), [loadSpec(target, { method: 'GET', path: '/register', headers: { accept: 'application/json' } }, { distinct: false, amount: plan.managementAmount, sandbox }), items]),
    )
    return [token, read]
  } finally {
    if (!handedOver) await server.stop()
  }
}

async function measureFastify(sandbox: Sandbox, bodiesFile: string, responseBytes: number, suffix: string): Promise<Measurement> {
  const options = { keyFile: sandbox.files.serverKeyFile, certFile: sandbox.files.serverCertFile, caFile: sandbox.files.caFile, responseBytes }
  return measure(`bare Fastify POST /register${suffix}`, startServerProcess('fastify', benchModule('./servers/fastify-bare.ts'), [writeJson('fastify.json', options)]), (server) =>
    runTool<LoadResult>('load generator', benchModule('./load-generator.ts'), [loadSpec(server, REGISTER_JWT, { distinct: false, amount: plan.amount, sandbox }), bodiesFile]),
  )
}

async function measureCeiling(sandbox: Sandbox, bodiesFile: string): Promise<CeilingResult> {
  const options = {
    directoryJwk: sandbox.directory.publicJwks.keys[0] as JWK,
    tppJwk: sandbox.tpp.publicJwks.keys[0] as JWK,
    algorithms: ['PS256', 'ES256'],
    bodiesFile,
    seconds: plan.ceilingSeconds,
  }
  const result = await runTool<CeilingResult>('crypto ceiling', benchModule('./crypto-ceiling.ts'), [writeJson('ceiling.json', options)])
  log(`${'crypto ceiling (jose, 1 thread)'.padEnd(34)} ${fmt(result.importedKeys).padStart(7)} /s   (local JWKS ${fmt(result.localKeySet)} /s, JWK imported per verification ${fmt(result.importPerVerification)} /s)`)
  return result
}

/** One real registration's stored shape, repeated by the prefill. */
function prefillSample(sandbox: Sandbox, body: string): PrefillSample {
  const config = loadConfig({ values: openDcrConfigValues(sandbox, file('unused.db')) })
  const request = toClaims(decodeJwt(body))
  const ssa = String(request.software_statement)
  return {
    softwareId: sandbox.tpp.softwareId,
    orgId: sandbox.tpp.orgId,
    directoryIssuer: sandbox.directory.issuer,
    metadataJson: JSON.stringify(registeredMetadata(config, request, toClaims(decodeJwt(ssa)))),
    softwareStatement: ssa,
    certificateThumbprint: thumbprintOf(sandbox.tpp.transport.certificate.raw),
  }
}

/**
 * The scale curve. The machine's speed drifts during a run, so the smallest step is measured twice, first
 * and again last (on a copy of its file, taken before its first measurement): the curve compares every
 * step with the mean of the two.
 */
async function measureScale(sandbox: Sandbox, sampleBody: string): Promise<ScalePoint[]> {
  const storePath = file('scale.db')
  const firstCopy = file('scale-first.db')
  const sample = prefillSample(sandbox, sampleBody)
  const points: ScalePoint[] = []
  const measurePoint = async (stored: number, path: string, again: boolean) => {
    const result = await measureOpenDcr(sandbox, `open-dcr with ${fmt(stored)} stored${again ? ' (again)' : ''}`, path, plan.scaleAmount)
    points.push({ stored, again, rate: result.rate, p99: result.latency.p99, peakRssBytes: result.peakRssBytes, databaseBytes: statSync(path).size, serverCpuMsPerRequest: result.serverCpuMsPerRequest })
  }
  for (const [index, stored] of plan.scaleSteps.entries()) {
    const fill = await prefillClients(storePath, stored, sample)
    log(`prefill: ${fmt(fill.added)} clients added in ${fmt(fill.milliseconds / 1000, 1)} s (database ${fmt(statSync(storePath).size / 2 ** 20)} MiB)`)
    // prefillClients closes the database, so the file alone is the whole database.
    if (index === 0) copyFileSync(storePath, firstCopy)
    await measurePoint(stored, storePath, false)
  }
  // The large file goes first: its dirty pages, written back meanwhile, would slow the last measurement.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${storePath}${suffix}`, { force: true })
  if (plan.scaleSteps.length > 1) await measurePoint(plan.scaleSteps[0]!, firstCopy, true)
  return points
}

type Round = { openDcr: Measurement; ceiling: CeilingResult; oidcProvider: Measurement; fastify: Measurement }

/** One round of the comparison under the same load: open-dcr, the crypto ceiling, oidc-provider, bare Fastify. */
async function comparisonRound(sandbox: Sandbox, round: number, sampleBody: string): Promise<Round | Pick<Round, 'openDcr' | 'ceiling'>> {
  const suffix = plan.rounds > 1 ? ` #${round + 1}` : ''
  const name = `open-dcr POST /register${suffix}`
  const openDcr = await measureOpenDcr(sandbox, name, file(`main-${round}.db`), plan.amount)
  const bodiesFile = file(`bodies-${slug(name)}.ndjson`)
  const ceiling = await measureCeiling(sandbox, bodiesFile)
  if (args.only) return { openDcr, ceiling }
  const oidcProvider = await measureOidcProvider(sandbox, suffix)
  const fastify = await measureFastify(sandbox, bodiesFile, sampleBody.length, suffix)
  return { openDcr, ceiling, oidcProvider, fastify }
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length

async function main(): Promise<void> {
  mkdirSync(resultsDir, { recursive: true })
  const began = Date.now()
  const facts: MachineFacts = machineFacts(work)
  log(`open-dcr benchmark (${plan.name}): ${plan.connections} connections, ${fmt(plan.amount)} requests per server after ${fmt(plan.warmup)} warm-up, ${plan.rounds} round(s); request ${requestAlg}, SSA PS256`)
  log(`machine: ${facts.cpu}, ${facts.cores} cores, ${facts.memoryGiB} GiB; Node ${facts.node}; SQLite ${facts.sqlite}; fsync p50 ${fmt(facts.fsync.p50, 2)} ms`)
  const sandbox = await createSandbox({ tppAlgorithm: requestAlg as 'PS256' | 'ES256', dir: file('sandbox') })
  try {
    if (args['only-scale']) {
      const scale = await measureScale(sandbox, (await signRegistrations(sandbox, ISSUER, 1))[0]!)
      log(`ratio open-dcr-largest/smallest-stored: ${scaleRatio(scale).rate.toFixed(2)}`)
      return
    }
    if (args['only-management']) {
      const [token, read] = await measureOpenDcrManagement(sandbox)
      log(`${read!.name}: server CPU ${fmt(read!.serverCpuMsPerRequest, 2)} ms/req (POST /token ${fmt(token!.serverCpuMsPerRequest, 2)} ms/req)`)
      return
    }
    const sampleBody = (await signRegistrations(sandbox, ISSUER, 1))[0]!
    const partial: Array<Round | Pick<Round, 'openDcr' | 'ceiling'>> = []
    for (let round = 0; round < plan.rounds; round += 1) partial.push(await comparisonRound(sandbox, round, sampleBody))
    const openDcrRate = mean(partial.map((round) => round.openDcr.rate))
    const ceilingRate = mean(partial.map((round) => round.ceiling.importedKeys))
    if (args.only) {
      log(`ratio open-dcr/ceiling: ${(openDcrRate / ceilingRate).toFixed(2)}`)
      return
    }
    const rounds = partial as Round[]
    const durability = plan.durabilityCost ? await measureOpenDcr(sandbox, 'open-dcr, synchronous NORMAL', file('normal.db'), plan.amount, { store: { synchronous: 'NORMAL' } }) : undefined
    const variants = plan.variants
      ? [
          await measureOpenDcr(sandbox, 'open-dcr, 2 workers (server.workers)', file('workers.db'), plan.amount, { server: { workers: 2 } }),
          await measureOpenDcr(sandbox, 'open-dcr, no group commit', file('no-group.db'), plan.amount, { store: { groupCommit: false } }),
        ]
      : []
    const management = await measureOpenDcrManagement(sandbox)
    const oidcRead = await measureOidcProviderRead(sandbox)
    const scale = plan.scaleSteps.length > 0 ? await measureScale(sandbox, sampleBody) : []

    const openDcrRead = management.find((measurement) => measurement.name.startsWith('open-dcr GET'))!
    const ratios = {
      'open-dcr-get/oidc-provider-get': openDcrRead.rate / oidcRead.rate,
      'open-dcr/ceiling': openDcrRate / ceilingRate,
      'open-dcr/oidc-provider': openDcrRate / mean(rounds.map((round) => round.oidcProvider.rate)),
      'open-dcr/fastify': openDcrRate / mean(rounds.map((round) => round.fastify.rate)),
      ...(scale.length > 1 ? { 'open-dcr-largest/smallest-stored': scaleRatio(scale).rate } : {}),
    }
    const reportFile = writeReport(resultsDir, {
      plan: { ...plan, requestAlg },
      facts,
      seconds: (Date.now() - began) / 1000,
      rounds,
      durability,
      variants,
      reads: [...management, oidcRead],
      scale,
      ratios,
    })
    log(`results: ${reportFile}`)
    log(`total time: ${fmt((Date.now() - began) / 1000)} s`)
    for (const [name, value] of Object.entries(ratios)) log(`ratio ${name}: ${value.toFixed(2)}`)
  } finally {
    await sandbox.close()
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
