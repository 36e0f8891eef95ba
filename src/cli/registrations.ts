/**
 * What the `tpp` commands remember between runs: one file per registration,
 * `<dir>/registrations/<client_id>.json` (mode 0600: it may hold the RFC 7592 registration access token),
 * and `<dir>/registrations/current`, the client_id the next command uses unless `--client-id` says
 * otherwise. A registration answer that carries a new (rotated) registration_access_token replaces the
 * remembered one (RFC7592-8: the client keeps the latest). A deleted registration is kept, marked deleted,
 * so that `tpp show` can still ask the server and show its refusal.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { SandboxProfile } from '../sandbox/profile-sandbox.ts'
import { UsageError } from './usage-error.ts'

/** How management calls are authorised, as the registration answer showed (docs/management.md). */
export type ManagementKind = 'client-credentials' | 'registration-access-token'

/** Where the TPP's keys and certificates came from, so later commands find them again (paths, no secrets). */
export type RememberedMaterial =
  | { kind: 'sandbox'; dir: string }
  | { kind: 'files'; cert: string; key: string; ca?: string | undefined; signingKey: string; kid?: string | undefined; ssa?: string | undefined }

export type RememberedRegistration = {
  clientId: string
  profile: SandboxProfile
  server: { url: string; issuer: string }
  material: RememberedMaterial
  management: ManagementKind
  /** The latest registration access token (registration-access-token mode). Secret. */
  registrationAccessToken?: string | undefined
  registrationClientUri?: string | undefined
  /** The latest registration answer (201 or 200), without the software statement. */
  registration: Record<string, unknown>
  createdAt: string
  updatedAt: string
  deletedAt?: string | undefined
}

/** client_ids open-dcr issues are base64url; anything else is not used as a file name. */
const CLIENT_ID = /^[A-Za-z0-9_-]{1,128}$/

export const registrationsDir = (dir: string): string => join(resolve(dir), 'registrations')
const recordFile = (dir: string, clientId: string): string => join(registrationsDir(dir), `${clientId}.json`)
const currentFile = (dir: string): string => join(registrationsDir(dir), 'current')

function assertClientId(clientId: string): void {
  if (!CLIENT_ID.test(clientId)) throw new UsageError(`client_id "${clientId.slice(0, 64)}" cannot be remembered: expected 1 to 128 base64url characters`)
}

/** The registration answer as remembered: everything but the token and the SSA (kept apart or not at all). */
export function rememberedAnswer(answer: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...answer }
  delete rest.registration_access_token
  delete rest.software_statement
  return rest
}

/** Writes the record (mode 0600) and makes it the current registration. */
export async function rememberRegistration(dir: string, record: RememberedRegistration): Promise<void> {
  assertClientId(record.clientId)
  await mkdir(registrationsDir(dir), { recursive: true, mode: 0o700 })
  const file = recordFile(dir, record.clientId)
  await writeFile(file, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 })
  await chmod(file, 0o600)
  await writeFile(currentFile(dir), record.clientId + '\n', { mode: 0o644 })
}

/** The client_id to act on: `--client-id`, else the current pointer; UsageError when there is none. */
export async function chosenClientId(dir: string, given: string | undefined): Promise<string> {
  if (given !== undefined) {
    assertClientId(given)
    return given
  }
  let current: string
  try {
    current = (await readFile(currentFile(dir), 'utf8')).trim()
  } catch {
    throw new UsageError(`no remembered registration in ${registrationsDir(dir)}: run "open-dcr tpp register" first, or pass --client-id`)
  }
  assertClientId(current)
  return current
}

/** The remembered registration of `clientId`; UsageError when this folder has none. */
export async function loadRegistration(dir: string, clientId: string): Promise<RememberedRegistration> {
  assertClientId(clientId)
  let text: string
  try {
    text = await readFile(recordFile(dir, clientId), 'utf8')
  } catch {
    throw new UsageError(`no remembered registration for client_id ${clientId} in ${registrationsDir(dir)}; register with "open-dcr tpp register" (or use --dir)`)
  }
  try {
    return JSON.parse(text) as RememberedRegistration
  } catch {
    throw new UsageError(`${recordFile(dir, clientId)} is not JSON; delete it and register again`)
  }
}
