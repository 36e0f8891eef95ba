/**
 * Start-up refusal of configurations under which a check trusts an unverified software statement (issue 13
 * item 10; SEC-10: no key set and no trust decision from unverified claims). With ssa-signature off every SSA
 * claim is whatever the caller wrote: request-signature would verify the request with keys from the JWKS URL
 * that statement names, the statement's `iss` would choose a directory's own profile
 * (directory-profiles.ts), and the software id, roles and redirect URIs the other checks compare against
 * would be the caller's own. So every profile in use must keep ssa-signature on, unless the explicit,
 * test-only switch `unsafe.allowUnverifiedTrust` is on, which start-up warns about (schema: dangerous) and
 * refuses outright where `NODE_ENV` is `production` (docs/security.md).
 */
import { ConfigError } from './fields.ts'
import type { Config } from './schema.ts'

const SWITCH = 'unsafe.allowUnverifiedTrust'
const SSA_SIGNATURE = 'validators.ssa-signature.enabled'

/** What trusts the unverified statement in `profile`, as phrases for the refusal. */
function consequences(profile: Config, top: Config, byDirectory: ReadonlyMap<string, Config>): string[] {
  const out: string[] = []
  if (profile.validators['request-signature'].enabled) {
    out.push(`request-signature would verify the request with keys from the JWKS URL the unverified statement names (${profile.ssa.jwksUriClaim})`)
  }
  const chosen = top.directories.flatMap((directory, index) => (byDirectory.has(directory.issuer) ? [`directories[${index}].profile`] : []))
  if (chosen.length > 0) out.push(`the statement's unverified iss would choose the profile of ${chosen.join(', ')}`)
  out.push('its software id, roles and redirect URIs would be taken as the caller wrote them')
  return out
}

/**
 * Throws a ConfigError when a profile in use (the top-level one, then each directory's own) has ssa-signature
 * off without the test-only switch, or when the switch is on in `production` (NODE_ENV, any case).
 */
export function refuseUnverifiedTrust(top: Config, byDirectory: ReadonlyMap<string, Config>, production: boolean): void {
  const allowed = top.unsafe.allowUnverifiedTrust
  if (allowed && production) {
    throw new ConfigError(SWITCH, 'is refused where NODE_ENV is production: it lets checks trust an unverified software statement, for tests only')
  }
  if (allowed) return
  const fix = `turn it on; only a test may set ${SWITCH}: true`
  if (!top.validators['ssa-signature'].enabled) {
    throw new ConfigError(SSA_SIGNATURE, `is false, so the software statement is never verified: ${consequences(top, top, byDirectory).join('; ')}. ${fix}`)
  }
  top.directories.forEach((directory, index) => {
    const profile = byDirectory.get(directory.issuer)
    if (profile === undefined || profile.validators['ssa-signature'].enabled) return
    throw new ConfigError(`directories[${index}].profile`, `profile "${profile.profile}" has ${SSA_SIGNATURE} false, so the software statement of ${JSON.stringify(directory.issuer)} is never verified: ${consequences(profile, top, byDirectory).join('; ')}. ${fix}`)
  })
}
