/**
 * The profiles in use (docs/decisions/0003-profile-per-directory.md): the top-level configuration, and the
 * whole configuration of each directory that has a `profile` of its own. loadConfig resolves them once; the
 * composition root turns them into a `Profiles` with profilesOf and hands it to whatever needs to choose a
 * profile, in its dependencies. The SSA `iss` only chooses among configured directories; the SSA is still
 * verified with that directory's keys alone (SEC-10).
 */
import type { Config } from './schema.ts'

/**
 * Where loadConfig keeps the resolved configurations of directories with their own profile. A symbol key, so
 * that a spread copy of a configuration keeps them and a JSON copy (a configuration file) leaves them out.
 */
export const DIRECTORY_PROFILES: unique symbol = Symbol('open-dcr.directoryProfiles')

export type WithDirectoryProfiles = { readonly [DIRECTORY_PROFILES]?: ReadonlyMap<string, Config> }

export type Profiles = {
  /** The top-level configuration: the server's own settings, and the profile of every other directory. */
  readonly top: Config
  /** The configuration a registration under the directory named `issuer` runs with (the top-level one unless it has its own). */
  forIssuer(issuer: unknown): Config
  /** Every profile in use, the top-level one first. */
  readonly all: readonly Config[]
}

export function profilesOf(config: Config): Profiles {
  const byIssuer = config[DIRECTORY_PROFILES] ?? new Map<string, Config>()
  return {
    top: config,
    forIssuer: (issuer) => (typeof issuer === 'string' ? byIssuer.get(issuer) : undefined) ?? config,
    all: [config, ...byIssuer.values()],
  }
}
