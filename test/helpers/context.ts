/**
 * Builds a ValidationContext for validator unit tests: a resolved UK configuration (proxy mode, so no TLS
 * files are needed), decoded request and SSA claims, and in-memory trust that a test can replace.
 */
import { loadConfig } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import type { Operation, ValidationContext } from '../../src/validation/context.ts'
import type { Claims } from '../../src/lib/claims.ts'
import type { ClientCertificate, Directories, RemoteKeySets, TrustedDirectory } from '../../src/trust/types.ts'

export const TEST_ISSUER = 'https://bank.example.com'
export const TEST_DIRECTORY = 'OpenBanking Ltd'

/** A configuration with one inline-keyed directory; `values` are merged over it like a config file. */
export function testConfig(values: Record<string, unknown> = {}): Config {
  const base = {
    issuer: TEST_ISSUER,
    directories: [{ issuer: TEST_DIRECTORY, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'placeholder' }] } }],
    server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } },
  }
  return loadConfig({ values: { ...base, ...values } })
}

const noDirectories: Directories = { byIssuer: () => undefined, all: () => [] }
const noRemoteKeys: RemoteKeySets = {
  forUrl: () => {
    throw new Error('no remote key sets in this test')
  },
}

export type ContextOptions = {
  operation?: Operation
  config?: Config
  now?: number
  request?: Claims
  requestCompact?: string
  ssa?: Claims | undefined
  ssaCompact?: string
  /** The SSA as ssa-signature leaves it: verified. */
  ssaVerified?: boolean
  directory?: TrustedDirectory
  directories?: Directories
  remoteKeySets?: RemoteKeySets
  certificate?: ClientCertificate
  usedJtis?: Set<string>
}

/** A context whose request and SSA are decoded but not verified; `usedJtis` holds `issuer|jti` keys. */
export function makeContext(options: ContextOptions = {}): ValidationContext {
  const usedJtis = options.usedJtis ?? new Set<string>()
  return {
    operation: options.operation ?? 'create',
    config: options.config ?? testConfig(),
    now: options.now ?? Math.floor(Date.now() / 1000),
    request: { compact: options.requestCompact, header: undefined, claims: options.request ?? {}, verified: false },
    ssa: options.ssa === undefined && options.ssaCompact === undefined ? undefined : { compact: options.ssaCompact, header: undefined, claims: options.ssa ?? {}, verified: options.ssaVerified ?? false },
    directory: options.directory,
    certificate: options.certificate,
    directories: options.directories ?? noDirectories,
    remoteKeySets: options.remoteKeySets ?? noRemoteKeys,
    isJtiUsed: async (issuer, jti) => usedJtis.has(`${issuer}|${jti}`),
    client: undefined,
  }
}
