/**
 * Starts open-dcr from a resolved configuration: checks the files it reads (TLS material, CAs, signing keys),
 * opens the store, builds trust (directories, remote JWKS), the registration service and the HTTP application,
 * then listens. Returns handles for tests and the CLI; a failed start leaves nothing open.
 */
import type { X509Certificate } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import { ConfigError } from './config/fields.ts'
import { createAuditWriter } from './audit/audit-writer.ts'
import { createRefusalCounter } from './audit/refusal-counter.ts'
import { profilesOf, type Profiles } from './config/directory-profiles.ts'
import { securityWarnings } from './config/load.ts'
import type { Config } from './config/schema.ts'
import { buildAdminApp } from './admin/app.ts'
import { readiness } from './admin/readiness.ts'
import { buildApp } from './http/app.ts'
import { createMetrics, type Metrics } from './metrics/metrics.ts'
import { timedStore } from './metrics/timed-store.ts'
import { startRegisterSync, type RegisterSyncTimer } from './registration/register-sync.ts'
import { createManagementAuthorizer } from './registration/management-authorization.ts'
import { createRegistrationService } from './registration/service.ts'
import { createTokenEndpoint } from './tokens/client-credentials.ts'
import { preparePrivateFile, shownPath } from './config/private-files.ts'
import { checkServerTls } from './http/server-tls.ts'
import { openStore } from './store/open.ts'
import { createMemoryRateLimitCounter } from './store/memory-rate-limit-counter.ts'
import type { Store } from './store/store.ts'
import { createDirectories } from './trust/directories.ts'
import { readPemCertificates } from './trust/pem-certificates.ts'
import { createRemoteKeySets } from './trust/remote-key-sets.ts'
import { loadServerKeys } from './tokens/server-keys.ts'
import { createBoundedFetch } from './trust/outbound-http.ts'
import { createRegisterStatusClient, type RegisterStatusReader } from './trust/register-status.ts'
import type { Validator } from './validation/context.ts'
import { createHttpExtensionValidator } from './validation/custom/http-extension.ts'
import { loadValidatorModules } from './validation/custom/module-validator.ts'

export type RunningServer = {
  app: FastifyInstance
  store: Store
  /** Base URL the server listens on, e.g. https://127.0.0.1:8443 */
  url: string
  /** Base URL of the admin listener (health, readiness, metrics), e.g. http://127.0.0.1:8444; absent when it is off. */
  adminUrl: string | undefined
  close(): Promise<void>
}

export type StartOptions = {
  logger?: Logger
  /** Epoch milliseconds; tests freeze it. */
  clock?: () => number
}

const extraClientCas = (config: Config): X509Certificate[] =>
  config.server.tls.clientCaFiles.flatMap((file, index) => readPemCertificates(file, `server.tls.clientCaFiles[${index}]`))

/** The CDR Register status client, when a profile in use checks software status (CDR-DCR-25). */
function registerStatusOf(profiles: Profiles): RegisterStatusReader | undefined {
  const profile = profiles.all.find((candidate) => candidate.validators['software-status'].enabled)
  return profile && createRegisterStatusClient({ config: profile.validators['software-status'], fetch: createBoundedFetch(profile.outbound) })
}

/** Module validators, then the HTTP extension service, in the order the configuration names them. */
async function customValidatorsOf(config: Config): Promise<Validator[]> {
  const modules = await loadValidatorModules(config.customValidators.modules)
  return config.customValidators.http.url === undefined ? modules : [...modules, createHttpExtensionValidator(config.customValidators.http)]
}

/**
 * Opens the store the configuration names; a file SQLite cannot open is a ConfigError naming `store.path`, a
 * PostgreSQL database that cannot be reached or migrated one naming `store.url` (whose value is never shown).
 */
async function openConfiguredStore(config: Config, logger: Logger): Promise<Store> {
  if (config.store.kind === 'postgres') {
    try {
      return await openStore(config.store, { onIdleError: (error) => logger.warn({ err: error }, 'a pooled PostgreSQL connection failed; the pool replaces it') })
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
      throw new ConfigError('store.url', `cannot open the PostgreSQL database: ${(cause as Error).message}`)
    }
  }
  if (config.store.path !== ':memory:') preparePrivateFile(config.store.path, 'store.path', { create: true })
  try {
    return await openStore(config.store)
  } catch (error) {
    throw new ConfigError('store.path', `cannot open the SQLite database ${shownPath(config.store.path)}: ${(error as Error).message}`)
  }
}

/** Listens on server.host:server.port; an address that cannot be had is a ConfigError naming the key. */
async function listenOn(app: FastifyInstance, config: Config): Promise<void> {
  const { host, port } = config.server
  try {
    await app.listen({ host, port })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new ConfigError('server.port', `${host}:${port} is already in use by another process`)
    if (code === 'EACCES') throw new ConfigError('server.port', `${host}:${port} needs privileges this user does not have (ports below 1024)`)
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConfigError('server.host', `${host} is not an address of this machine`)
    throw error
  }
}

/** What start-up has opened so far, closed in reverse when a later step fails, so that a failed start exits. */
class OpenedResources {
  readonly #closers: Array<() => unknown> = []
  add(close: () => unknown): void {
    this.#closers.push(close)
  }
  async closeAll(): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) {
      try {
        await close()
      } catch {
        // The start-up error is the one to report; a failing close must not hide it.
      }
    }
  }
}

/**
 * Starts the server. Everything that only reads files and configuration (TLS material, CA files, validator
 * modules, the signing keys) is checked before the store is opened; whatever fails after that closes what was
 * opened (store and its writer thread, timers, the listener) before the error is thrown, so the process can exit.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: config.log.level, redact: ['req.headers.authorization', `req.headers["${config.server.proxy.certificateHeader}"]`] })
  for (const warning of securityWarnings(config)) logger.warn(warning)
  checkServerTls(config)
  const remoteKeySets = createRemoteKeySets(config.outbound)
  const directories = createDirectories(config, remoteKeySets)
  const anchors = [...directories.all().flatMap((directory) => directory.transportCas), ...extraClientCas(config)]
  if (config.server.mode === 'mtls' && anchors.length === 0) {
    throw new ConfigError('directories', 'in mode mtls at least one directory needs transportCaFiles (or set server.tls.clientCaFiles): no client certificate could be trusted')
  }
  const customValidators = await customValidatorsOf(config)
  preparePrivateFile(config.tokens.signingKeysFile, 'tokens.signingKeysFile', { create: false })
  const serverKeys = await loadServerKeys(config.tokens.signingKeysFile, config.tokens.signingAlgorithm)
  const clock = options.clock ?? Date.now
  const store = await openConfiguredStore(config, logger)
  const opened = new OpenedResources()
  opened.add(() => store.close())
  try {
    return await startOnStore({ config, logger, store, opened, remoteKeySets, directories, anchors, customValidators, serverKeys, clock })
  } catch (error) {
    await opened.closeAll()
    throw error
  }
}

type OpenedStart = {
  config: Config
  logger: Logger
  store: Store
  opened: OpenedResources
  remoteKeySets: ReturnType<typeof createRemoteKeySets>
  directories: ReturnType<typeof createDirectories>
  anchors: X509Certificate[]
  customValidators: Validator[]
  serverKeys: Awaited<ReturnType<typeof loadServerKeys>>
  clock: () => number
}

/** The admin listener's port: as configured, else the server's + 1 (any free port where the server's is 0). */
const adminPortOf = (config: Config): number => (config.admin.port !== 0 ? config.admin.port : config.server.port === 0 ? 0 : config.server.port + 1)

/** Starts the admin listener (health, readiness, metrics) when it is on; returns its base URL. */
async function startAdmin(parts: OpenedStart, metrics: Metrics): Promise<string | undefined> {
  const { config, logger, store, opened, remoteKeySets, directories, clock } = parts
  if (!config.admin.enabled) return undefined
  const admin = buildAdminApp({ logger, metrics, readiness: () => readiness({ store, directories, remoteKeySets, clock }) })
  opened.add(() => admin.close())
  const port = adminPortOf(config)
  try {
    await admin.listen({ host: config.admin.host, port })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError('admin.port', `${config.admin.host}:${port} is already in use by another process`)
    throw error
  }
  const address = admin.server.address()
  const host = config.admin.host.includes(':') ? `[${config.admin.host}]` : config.admin.host
  return `http://${host}:${typeof address === 'object' && address !== null ? address.port : port}`
}

async function startOnStore(parts: OpenedStart): Promise<RunningServer> {
  const { config, logger, opened, remoteKeySets, directories, anchors, customValidators, serverKeys, clock } = parts
  const metrics = createMetrics()
  // The services' store calls are timed; the store itself (its writer thread, its close) stays as opened.
  const store = timedStore(parts.store, metrics)
  const profiles = profilesOf(config)
  // Refusals without credentials become one row per address and reason per interval (audit/refusal-counter.ts).
  const refusals = createRefusalCounter({ store, maxKeys: config.audit.maxRefusalKeys })
  const flushRefusals = () => refusals.flush().catch((error: unknown) => logger.error({ err: error }, 'writing counted refusals failed'))
  const refusalFlush = setInterval(flushRefusals, config.audit.refusalFlushSeconds * 1000)
  refusalFlush.unref()
  // Closed after the listener (closers run in reverse), so the refusals of the last requests are written too.
  opened.add(async () => {
    clearInterval(refusalFlush)
    await flushRefusals()
  })
  const audit = createAuditWriter(store, refusals)
  const registerStatus = registerStatusOf(profiles)
  const registration = createRegistrationService({ profiles, store, audit, directories, remoteKeySets, clock, registerStatus, customValidators, observeValidator: metrics.validator })
  const authorizer = createManagementAuthorizer({ config, store, audit, serverKeys, clock })
  const tokenEndpoint = createTokenEndpoint({ config, store, audit, serverKeys, remoteKeySets, directories, clock })
  // CDR-DCR-25..28: registrations under a directory that checks software status follow the Register's statuses.
  const syncs: RegisterSyncTimer[] = []
  opened.add(() => {
    for (const sync of syncs) sync.stop()
  })
  for (const directory of registerStatus ? config.directories : []) {
    const profile = profiles.forIssuer(directory.issuer)
    const options = profile.validators['software-status']
    if (!options.enabled) continue
    syncs.push(
      startRegisterSync({
        store,
        register: registerStatus!,
        directoryIssuer: directory.issuer,
        config: options,
        clock,
        intervalSeconds: options.syncIntervalSeconds,
        onOutcome: (outcome) => {
          if (!outcome.ok) logger.warn({ directory: directory.issuer, reason: outcome.reason }, 'CDR Register sync skipped')
          else if (outcome.changes.length > 0) logger.info({ directory: directory.issuer, changes: outcome.changes }, 'CDR Register sync changed registrations')
        },
        onError: (error) => logger.error({ err: error }, 'CDR Register sync failed'),
      }),
    )
  }
  const purge = setInterval(() => {
    store.purgeExpiredJtis(Math.floor(Date.now() / 1000)).catch((error: unknown) => logger.error({ err: error }, 'JTI purge failed'))
    const retentionDays = config.store.auditRetentionDays
    if (retentionDays > 0) store.purgeAuditEvents(Date.now() - retentionDays * 86_400_000).catch((error: unknown) => logger.error({ err: error }, 'audit retention purge failed'))
  }, config.store.jtiPurgeIntervalSeconds * 1000)
  purge.unref()
  opened.add(() => clearInterval(purge))
  const rateLimitCounter = createMemoryRateLimitCounter(config.rateLimit.maxTrackedKeys)
  const app = buildApp({ profiles, registration, authorizer, tokenEndpoint, audit, anchors, logger, serverKeys, clock, rateLimitCounter, metrics })
  opened.add(() => app.close())
  await listenOn(app, config)
  const adminUrl = await startAdmin(parts, metrics)
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.server.port
  const scheme = config.server.mode === 'mtls' ? 'https' : 'http'
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host
  return {
    app,
    store: parts.store,
    url: `${scheme}://${host}:${port}`,
    adminUrl,
    // In-flight requests are answered (Fastify closes idle connections, then waits), then the store flushes its writer.
    close: () => opened.closeAll(),
  }
}
