/**
 * `open-dcr keys generate`: a TPP's key material for tests and integrations. A request signing key
 * (PS256: RSA 2048, or ES256: P-256; FAPI-1, UK-DCR-14) as a private JWK and its public JWKS (`use: sig`,
 * kid = RFC 7638 thumbprint unless given, SEC-9), and with `--transport` a transport certificate and key
 * (PEM) issued by the sandbox CA (restored from ca.pem and ca-key.pem), with the subject the profile's
 * directory would issue (UK-DCR-38 OB legacy, a CDR subject, or the ICP-Brasil-like BR-DCR-11/12 one).
 * Private keys are written with mode 0600; existing files are only replaced with --force.
 */
import { access, chmod, mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { loadSandbox } from '../sandbox/sandbox.ts'
import { generateSigningKey, type SandboxAlgorithm } from '../sandbox/signing-key.ts'
import { isSandboxProfile, transportSubjectFor } from '../sandbox/profile-sandbox.ts'
import { defineCommand, parseCommand, printedHelp, renderHelp } from './command-help.ts'
import { profileOption } from './profile-option.ts'
import { readRunningServer } from './running-server.ts'
import { styleFor } from './terminal.ts'
import { UsageError } from './usage-error.ts'

export const KEYS_HELP = defineCommand({
  command: 'keys',
  usage: 'open-dcr keys generate [options]',
  description: '  generate   a TPP request signing key (private JWK and JWKS), and with --transport a transport certificate',
  options: {},
  footer: 'Run "open-dcr keys generate --help" for its options.',
})

export const KEYS_GENERATE_HELP = defineCommand({
  command: 'keys generate',
  usage: 'open-dcr keys generate [options]',
  description: `Generates a TPP request signing key, as a private JWK and its public JWKS, and with --transport a transport
certificate and key (PEM) from the sandbox CA, with the subject the profile's directory issues. Private keys
are written with mode 0600.`,
  options: {
    alg: { type: 'string', value: 'ALG', doc: 'PS256 (RSA 2048, default) or ES256 (P-256)' },
    kid: { type: 'string', value: 'KID', doc: 'kid of the key (default its RFC 7638 JWK thumbprint)' },
    out: { type: 'string', value: 'DIR', doc: 'where to write (default DIR/keys, DIR being --dir)' },
    name: { type: 'string', value: 'NAME', doc: 'file name prefix (default tpp)' },
    transport: { type: 'boolean', doc: 'also issue a transport certificate from the sandbox CA (needs the sandbox material)' },
    profile: { type: 'string', value: 'P', doc: "obuk | cdr | brazil | rfc7591: the certificate subject layout (default: the sandbox's)" },
    'software-id': { type: 'string', value: 'ID', doc: "software id the subject names (default the sandbox TPP's)" },
    'org-id': { type: 'string', value: 'ID', doc: "organisation id the subject names (default the sandbox TPP's)" },
    subject: { type: 'string', value: 'DN', doc: "the RFC 4514 subject itself, instead of the profile's layout" },
    dir: { type: 'string', value: 'DIR', doc: 'sandbox folder (default .open-dcr)' },
    force: { type: 'boolean', doc: 'replace existing files' },
    json: { type: 'boolean', doc: 'print the written files as JSON' },
  },
  footer: 'Files: NAME-signing.private.jwk.json, NAME-signing.jwks.json, NAME-transport.pem, NAME-transport-key.pem',
})

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false)

async function write(path: string, content: string, secret: boolean): Promise<void> {
  const mode = secret ? 0o600 : 0o644
  await writeFile(path, content, { mode })
  await chmod(path, mode)
}

async function runGenerate(args: string[]): Promise<number> {
  const { values } = parseCommand(KEYS_GENERATE_HELP, args)
  if (printedHelp(KEYS_GENERATE_HELP, values)) return 0
  const alg = (values.alg ?? 'PS256') as SandboxAlgorithm
  if (alg !== 'PS256' && alg !== 'ES256') throw new UsageError(`--alg must be PS256 or ES256, got "${values.alg}"`)
  const name = values.name ?? 'tpp'
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new UsageError(`--name must be 1 to 64 letters, digits, ".", "_" or "-", got "${name}"`)
  const dir = resolve(values.dir ?? '.open-dcr')
  const out = resolve(values.out ?? join(dir, 'keys'))
  const files = {
    privateJwk: join(out, `${name}-signing.private.jwk.json`),
    jwks: join(out, `${name}-signing.jwks.json`),
    ...(values.transport ? { certificate: join(out, `${name}-transport.pem`), certificateKey: join(out, `${name}-transport-key.pem`) } : {}),
  }
  if (!values.force) {
    for (const path of Object.values(files)) if (await exists(path)) throw new UsageError(`${path} exists; pass --force to replace it, or choose --name or --out`)
  }

  // The certificate first: without the sandbox CA nothing should be written.
  let transport: { subject: string; certificatePem: string; privateKeyPem: string } | undefined
  if (values.transport) {
    const sandbox = await loadSandbox(dir).catch((error: unknown) => {
      throw new UsageError(`--transport needs the sandbox material in ${dir} (${(error as Error).message}); start a sandbox with "npm start" or pass --dir`)
    })
    const ca = await sandbox.certificateAuthority().catch((error: unknown) => {
      throw new UsageError(`the sandbox in ${dir} has no usable CA key (${(error as Error).message}); restart the sandbox so that it writes ca-key.pem`)
    })
    const running = await readRunningServer(dir)
    const profile = profileOption(values.profile, isSandboxProfile(running?.profile) ? running.profile : 'obuk')
    const subject = values.subject ?? transportSubjectFor(profile, values['software-id'] ?? sandbox.manifest.tpp.softwareId, values['org-id'] ?? sandbox.manifest.tpp.orgId)
    const issued = await ca.issueClient({ subject }).catch((error: unknown) => {
      throw new UsageError(`cannot issue a certificate for subject "${subject.slice(0, 200)}": ${(error as Error).message}`)
    })
    transport = { subject, certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem }
  }

  const key = await generateSigningKey(alg)
  const kid = values.kid ?? key.kid
  await mkdir(out, { recursive: true, mode: 0o700 })
  await write(files.privateJwk, JSON.stringify({ ...key.privateJwk, kid }, null, 2) + '\n', true)
  await write(files.jwks, JSON.stringify({ keys: [{ ...key.publicJwk, kid }] }, null, 2) + '\n', false)
  if (transport !== undefined && files.certificate !== undefined && files.certificateKey !== undefined) {
    await write(files.certificate, transport.certificatePem, false)
    await write(files.certificateKey, transport.privateKeyPem, true)
  }

  if (values.json) console.log(JSON.stringify({ alg, kid, files, ...(transport === undefined ? {} : { subject: transport.subject }) }, null, 2))
  else {
    const style = styleFor()
    console.log(`${style.ok('generated')} ${alg} signing key, kid ${style.strong(kid)}
  private JWK   ${files.privateJwk}  (0600; --signing-key of "open-dcr tpp")
  public JWKS   ${files.jwks}  (publish it where the SSA's JWKS URL points)${transport === undefined ? '' : `
  certificate   ${files.certificate}  (subject ${transport.subject}, issued by the sandbox CA)
  its key       ${files.certificateKey}  (0600)`}`)
  }
  return 0
}

export async function runKeys(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    console.log(renderHelp(KEYS_HELP))
    return subcommand === undefined ? 2 : 0
  }
  if (subcommand === 'generate') return runGenerate(rest)
  throw new UsageError(`unknown keys command "${subcommand}"\n\n${renderHelp(KEYS_HELP)}`)
}
