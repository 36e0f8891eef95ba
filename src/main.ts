/**
 * Starts open-dcr from a resolved configuration: opens the store, builds trust (directories, remote JWKS),
 * the registration service and the HTTP application, then listens. Returns handles for tests and the CLI.
 */
import type { X509Certificate } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import { ConfigError } from './config/fields.ts'
import { createAuditWriter } from './audit/audit-writer.ts'
import { profilesOf, type Profiles } from './config/directory-profiles.ts'
import { securityWarnings } from './config/load.ts'
import type { Config } from './config/schema.ts'
import { buildApp } from './http/app.ts'
import { startRegisterSync, type RegisterSyncTimer } from './registration/register-sync.ts'
import { createManagementAuthorizer } from './registration/management-authorization.ts'
import { createRegistrationService } from './registration/service.ts'
import { createTokenEndpoint } from './tokens/client-credentials.ts'
import { openStore } from './store/open.ts'
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

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: config.log.level, redact: ['req.headers.authorization', `req.headers["${config.server.proxy.certificateHeader}"]`] })
  for (const warning of securityWarnings(config)) logger.warn(warning)
  const remoteKeySets = createRemoteKeySets(config.outbound)
  const directories = createDirectories(config, remoteKeySets)
  const anchors = [...directories.all().flatMap((directory) => directory.transportCas), ...extraClientCas(config)]
  if (config.server.mode === 'mtls' && anchors.length === 0) {
    throw new ConfigError('directories', 'in mode mtls at least one directory needs transportCaFiles (or set server.tls.clientCaFiles): no client certificate could be trusted')
  }
  const serverKeys = await loadServerKeys(config.tokens.signingKeysFile, config.tokens.signingAlgorithm)
  const clock = options.clock ?? Date.now
  const store = openStore(config.store)
  const profiles = profilesOf(config)
  const audit = createAuditWriter(store)
  const registerStatus = registerStatusOf(profiles)
  const registration = createRegistrationService({ profiles, store, audit, directories, remoteKeySets, clock, registerStatus, customValidators: await customValidatorsOf(config) })
  const authorizer = createManagementAuthorizer({ config, store, audit, serverKeys, clock })
  const tokenEndpoint = createTokenEndpoint({ config, store, audit, serverKeys, remoteKeySets, directories, clock })
  // CDR-DCR-25..28: registrations under a directory that checks software status follow the Register's statuses.
  const syncs: RegisterSyncTimer[] = []
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
  const app = buildApp({ profiles, registration, authorizer, tokenEndpoint, audit, anchors, logger, serverKeys, clock })
  const purge = setInterval(() => {
    store.purgeExpiredJtis(Math.floor(Date.now() / 1000)).catch((error: unknown) => logger.error({ err: error }, 'JTI purge failed'))
  }, config.store.jtiPurgeIntervalSeconds * 1000)
  purge.unref()
  try {
    await app.listen({ host: config.server.host, port: config.server.port })
  } catch (error) {
    clearInterval(purge)
    for (const sync of syncs) sync.stop()
    await store.close()
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.server.port
  const scheme = config.server.mode === 'mtls' ? 'https' : 'http'
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host
  return {
    app,
    store,
    url: `${scheme}://${host}:${port}`,
    async close() {
      clearInterval(purge)
      for (const sync of syncs) sync.stop()
      await app.close()
      await store.close()
    },
  }
}
