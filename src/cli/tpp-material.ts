/**
 * Where the `tpp` commands get the TPP from. By default the running sandbox's material (`--dir`, default
 * .open-dcr): its server.json (URL, issuer, profile), the TPP transport certificate, signing key and CA, and
 * fresh software statements from the sandbox directory. Otherwise the TPP's own files: `--server URL --cert
 * FILE --key FILE [--ca FILE] --signing-key FILE [--kid KID] --ssa FILE` (flags win over what an earlier
 * command remembered for the registration). `--ssa -` reads the statement from stdin.
 */
import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { decodeJwt, type JWK } from 'jose'
import type { Config } from '../config/schema.ts'
import { profilePresets } from '../config/profiles/index.ts'
import { issueProfileSsa, isSandboxProfile, type SandboxProfile } from '../sandbox/profile-sandbox.ts'
import { loadSandbox, type LoadedSandbox } from '../sandbox/sandbox.ts'
import { importSigningKey, type SigningKey } from '../sandbox/signing-key.ts'
import { restoreSandboxTpp, type SandboxTpp } from '../sandbox/tpp.ts'
import type { TppConnection } from '../sandbox/tpp-client.ts'
import type { RememberedMaterial, RememberedRegistration } from './registrations.ts'
import { profileOption } from './profile-option.ts'
import { readRunningServer, type RunningServer } from './running-server.ts'
import { UsageError } from './usage-error.ts'

export type TppFlags = {
  dir?: string | undefined
  server?: string | undefined
  cert?: string | undefined
  key?: string | undefined
  ca?: string | undefined
  'signing-key'?: string | undefined
  kid?: string | undefined
  ssa?: string | undefined
  profile?: string | undefined
  aud?: string | undefined
}

export type TppMaterial = {
  readonly profile: SandboxProfile
  readonly connection: TppConnection
  readonly signingKey: SigningKey
  /** Header `kid` to sign with when it is not the key's own (the JWK's `kid`, else its thumbprint). */
  readonly kid: string | undefined
  /** The bank's issuer when known without asking (server.json, --aud). */
  readonly audience: string | undefined
  /** What a later command needs to find this material again. */
  readonly remembered: RememberedMaterial
  /** A software statement for a new request: --ssa, else a fresh one from the sandbox directory; undefined when there is none. */
  softwareStatement(): Promise<string | undefined>
  /** The TPP that signs requests carrying `ssa` (its ids and JWKS URL are those the statement names). */
  tppFor(ssa: string | undefined): Promise<SandboxTpp>
}

const readText = async (file: string, what: string): Promise<string> => {
  try {
    return file === '-' ? await readStdin() : await readFile(file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Reads a compact SSA from a file or stdin (`-`), checking only that it decodes. */
export async function readSoftwareStatement(file: string): Promise<string> {
  const ssa = (await readText(file, 'the software statement')).trim()
  try {
    decodeJwt(ssa)
  } catch {
    throw new UsageError(`${file === '-' ? 'stdin' : file} does not hold a software statement (a compact JWS with a JSON payload)`)
  }
  return ssa
}

/** A private JWK (or a JWKS whose first key is private) as a PS256/ES256 signing key; the alg follows the key type when absent. */
export async function readSigningKey(file: string): Promise<SigningKey> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readText(file, 'the signing key'))
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`--signing-key ${file} is not JSON: give the private JWK of the TPP signing key`)
  }
  const keys = (parsed as { keys?: unknown }).keys
  const jwk = (Array.isArray(keys) ? keys[0] : parsed) as JWK | undefined
  if (typeof jwk !== 'object' || jwk === null) throw new UsageError(`--signing-key ${file} holds no JWK`)
  const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'RSA' ? 'PS256' : undefined)
  try {
    return await importSigningKey({ ...jwk, alg }, alg as 'PS256' | 'ES256' | undefined)
  } catch (error) {
    throw new UsageError(`--signing-key ${file}: ${(error as Error).message}`)
  }
}

/** The SSA claim that names the TPP's JWKS in `profile` (the preset's `ssa.jwksUriClaim`, else the schema default). */
function jwksClaimOf(profile: SandboxProfile): string {
  const ssa = profilePresets[profile]?.ssa as Partial<Config['ssa']> | undefined
  return ssa?.jwksUriClaim ?? 'software_jwks_endpoint'
}

function fromSandbox(sandbox: LoadedSandbox, running: RunningServer | undefined, flags: TppFlags, profile: SandboxProfile, dir: string): TppMaterial {
  const serverUrl = flags.server ?? running?.url
  if (serverUrl === undefined) throw new UsageError(`no running sandbox found in ${dir}: start one with "npm start" (or "open-dcr sandbox --dir ${flags.dir ?? '.open-dcr'}"), or pass --server URL`)
  return {
    profile,
    connection: { serverUrl, transport: sandbox.tpp.transport, caPem: sandbox.caCertificatePem },
    signingKey: sandbox.tpp.signingKey,
    kid: flags.kid,
    audience: flags.aud ?? running?.issuer,
    remembered: { kind: 'sandbox', dir },
    // RFC7591-14: a plain RFC 7591 registration needs no statement; give one with --ssa (open-dcr ssa issue --profile rfc7591).
    softwareStatement: async () => (flags.ssa !== undefined ? readSoftwareStatement(flags.ssa) : profile === 'rfc7591' ? undefined : issueProfileSsa(sandbox, profile)),
    tppFor: async () => sandbox.tpp,
  }
}

async function fromFiles(flags: TppFlags, remembered: RememberedRegistration | undefined, profile: SandboxProfile): Promise<TppMaterial> {
  const earlier = remembered?.material.kind === 'files' ? remembered.material : undefined
  const need = (flag: 'cert' | 'key' | 'signing-key', earlierValue: string | undefined): string => {
    const value = flags[flag] ?? earlierValue
    if (value === undefined) throw new UsageError(`--${flag} FILE is required with the TPP's own material (--server, --cert, --key, --signing-key; see --help)`)
    return resolve(value)
  }
  const serverUrl = flags.server ?? remembered?.server.url
  if (serverUrl === undefined) throw new UsageError('--server URL is required with the TPP\'s own material (see --help)')
  if (!URL.canParse(serverUrl)) throw new UsageError(`--server must be a URL, got "${serverUrl}"`)
  const cert = need('cert', earlier?.cert)
  const key = need('key', earlier?.key)
  const signingKeyFile = need('signing-key', earlier?.signingKey)
  const caFile = flags.ca ?? earlier?.ca
  const ssaFile = flags.ssa ?? earlier?.ssa
  const certificatePem = await readText(cert, '--cert')
  try {
    new X509Certificate(certificatePem)
  } catch {
    throw new UsageError(`--cert ${cert} is not a PEM certificate`)
  }
  const transport = { certificatePem, privateKeyPem: await readText(key, '--key') }
  const signingKey = await readSigningKey(signingKeyFile)
  const kid = flags.kid ?? earlier?.kid
  const jwksClaim = jwksClaimOf(profile)
  return {
    profile,
    connection: { serverUrl, transport, caPem: caFile === undefined ? undefined : await readText(caFile, '--ca') },
    signingKey,
    kid,
    audience: flags.aud,
    remembered: { kind: 'files', cert, key, ca: caFile === undefined ? undefined : resolve(caFile), signingKey: signingKeyFile, kid, ssa: ssaFile === undefined || ssaFile === '-' ? undefined : resolve(ssaFile) },
    softwareStatement: async () => (ssaFile === undefined ? undefined : readSoftwareStatement(ssaFile)),
    async tppFor(ssa) {
      const claims = ssa === undefined ? {} : decodeJwt(ssa)
      const text = (name: string): string => (typeof claims[name] === 'string' ? (claims[name] as string) : '')
      return restoreSandboxTpp({
        softwareId: text('software_id'),
        orgId: text('org_id'),
        jwksUrl: text(jwksClaim),
        signingKey: signingKey.privateJwk,
        transport: { ...transport, certificate: new X509Certificate(certificatePem) },
      })
    },
  }
}

/** Whether the flags name the TPP's own files rather than the sandbox's. */
const namesOwnFiles = (flags: TppFlags): boolean => flags.cert !== undefined || flags.key !== undefined || flags['signing-key'] !== undefined

/** The TPP material for a command: the flags, else what `remembered` recorded, else the sandbox in `--dir`. */
export async function resolveTppMaterial(flags: TppFlags, remembered?: RememberedRegistration): Promise<TppMaterial> {
  const dir = resolve(flags.dir ?? (remembered?.material.kind === 'sandbox' ? remembered.material.dir : '.open-dcr'))
  if (namesOwnFiles(flags) || remembered?.material.kind === 'files') {
    return fromFiles(flags, remembered, profileOption(flags.profile, remembered?.profile))
  }
  const running = await readRunningServer(dir)
  if (running === undefined && flags.server === undefined) {
    throw new UsageError(`no running sandbox found in ${dir}: start one with "npm start" (or "open-dcr sandbox --dir ${flags.dir ?? '.open-dcr'}"), or give the TPP's own material (see --help)`)
  }
  let sandbox: LoadedSandbox
  try {
    sandbox = await loadSandbox(dir)
  } catch (error) {
    throw new UsageError(`no sandbox material in ${dir} (${(error as Error).message}); start a sandbox with "npm start", or give the TPP's own material (see --help)`)
  }
  const fallback = remembered?.profile ?? (isSandboxProfile(running?.profile) ? running.profile : 'obuk')
  return fromSandbox(sandbox, running, flags, profileOption(flags.profile, fallback), dir)
}
