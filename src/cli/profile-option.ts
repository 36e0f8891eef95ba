/** `--profile obuk|cdr|brazil|rfc7591`: the regulatory profile a command plays (config/profiles/). */
import { isSandboxProfile, SANDBOX_PROFILES, type SandboxProfile } from '../sandbox/profile-sandbox.ts'
import { UsageError } from './usage-error.ts'

/** The profile named by `value`, else `fallback`; a name that is not a profile is a usage error (exit 2). */
export function profileOption(value: string | undefined, fallback: SandboxProfile = 'obuk'): SandboxProfile {
  if (value === undefined) return fallback
  if (!isSandboxProfile(value)) throw new UsageError(`--profile must be one of ${SANDBOX_PROFILES.join(', ')}, got "${value}"`)
  return value
}
