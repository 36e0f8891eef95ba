/**
 * A real open-dcr server for integration tests: one sandbox (CA, directory, TPP, JWKS over https on
 * loopback) shared by a test file, and as many servers on port 0 as the file needs, each with its own
 * SQLite file and configuration. Requests go over real mutual TLS with the sandbox TPP's certificate.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { pino, type Logger } from 'pino'
import { loadConfig, merge } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import type { IssuedCertificate } from '../../src/sandbox/ca.ts'
import { mtlsRequest, type MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import type { StoreCounts } from '../../src/store/store.ts'

export const ISSUER = 'https://bank.example.com'

/** One sandbox per test file (run in `before`); closed with the file. */
export async function sharedSandbox(): Promise<Sandbox> {
  return createSandbox()
}

export type TestServer = {
  server: RunningServer
  config: Config
  sandbox: Sandbox
  /** POST /register with the TPP's transport certificate (or `certificate`, or none with `null`). */
  register(body: string, options?: { contentType?: string; certificate?: IssuedCertificate | null }): Promise<MtlsResponse>
  /** A signed, valid UK registration request; `overrides` change request claims (undefined removes one). */
  signedRequest(options?: { overrides?: Record<string, unknown>; ssa?: string }): Promise<string>
  counts(): Promise<StoreCounts>
  /**
   * A call to the client configuration endpoint /register/{clientId} (RFC 7592) over mutual TLS with the
   * TPP's transport certificate (or `certificate`, or none with `null`); `token` goes in `Authorization: Bearer`.
   */
  manage(method: 'GET' | 'PUT' | 'DELETE', clientId: string, options?: ManageOptions): Promise<MtlsResponse>
}

export type ManageOptions = {
  token?: string
  /** A whole Authorization header, instead of `token`. */
  authorization?: string
  body?: string
  contentType?: string
  certificate?: IssuedCertificate | null
}

export type StartDcrServerOptions = {
  /** The server's clock, epoch milliseconds (default Date.now); tests move it to cross expiries and grace periods. */
  clock?: () => number
  /** The server's logger (default: silent). */
  logger?: Logger
}

/** Starts a server trusting `sandbox`, with `values` merged over the sandbox configuration. */
export async function startDcrServer(t: TestContext, sandbox: Sandbox, values: Record<string, unknown> = {}, options: StartDcrServerOptions = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'open-dcr-it-'))
  const base = merge(sandbox.serverConfigValues(ISSUER), { server: { host: '127.0.0.1', port: 0 }, store: { path: join(dir, 'dcr.db') }, tokens: { signingKeysFile: join(dir, 'server-keys.json') }, log: { level: 'silent' } })
  const config = loadConfig({ values: merge(base, values) })
  const server = await startServer(config, { logger: options.logger ?? pino({ level: 'silent' }), ...(options.clock ? { clock: options.clock } : {}) })
  t.after(async () => {
    await server.close()
    await rm(dir, { recursive: true, force: true })
  })
  const tpp = sandbox.tpp
  return {
    server,
    config,
    sandbox,
    register(body, options = {}) {
      const certificate = options.certificate === undefined ? tpp.transport : options.certificate
      return mtlsRequest({
        url: `${server.url}/register`,
        method: 'POST',
        headers: { 'content-type': options.contentType ?? 'application/jwt', accept: 'application/json' },
        body,
        ...(certificate ? { cert: certificate.certificatePem, key: certificate.privateKeyPem } : {}),
        ca: sandbox.caCertificatePem,
      })
    },
    async signedRequest(options = {}) {
      const ssa = options.ssa ?? (await sandbox.issueSsa())
      return tpp.signRequest(tpp.registrationClaims({ ssa, aud: ISSUER, overrides: options.overrides ?? {} }))
    },
    counts: () => server.store.counts(),
    manage(method, clientId, manageOptions = {}) {
      const certificate = manageOptions.certificate === undefined ? tpp.transport : manageOptions.certificate
      const authorization = manageOptions.authorization ?? (manageOptions.token === undefined ? undefined : `Bearer ${manageOptions.token}`)
      return mtlsRequest({
        url: `${server.url}/register/${encodeURIComponent(clientId)}`,
        method,
        headers: {
          accept: 'application/json',
          ...(authorization === undefined ? {} : { authorization }),
          ...(manageOptions.body === undefined ? {} : { 'content-type': manageOptions.contentType ?? 'application/jwt' }),
        },
        ...(manageOptions.body === undefined ? {} : { body: manageOptions.body }),
        ...(certificate ? { cert: certificate.certificatePem, key: certificate.privateKeyPem } : {}),
        ca: sandbox.caCertificatePem,
      })
    },
  }
}
