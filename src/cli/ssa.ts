/**
 * `open-dcr ssa issue | inspect`. `issue` signs a software statement with the sandbox directory key in any
 * profile's claim shape (UK-DCR-15, CDR-DCR-7/8, BR-DCR-5/7; ssa-shapes.ts), with claims added, replaced or
 * left out from the command line. `inspect` decodes a statement, verifies its signature against a JWKS
 * (a URL, a file, or the sandbox directory's keys), explains each claim (ssa-dictionary.ts) and runs each
 * check a bank of the chosen profile would run on it (ssa-checks.ts), reporting every failure rather than
 * the first. Exit codes: 0 the statement passes, 1 a check or the signature fails, 2 usage error.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose'
import { mtlsRequest } from '../sandbox/mtls-client.ts'
import { issueProfileSsa, isSandboxProfile, ssaShapeOf, type SandboxProfile } from '../sandbox/profile-sandbox.ts'
import { createSandboxDirectory, type SandboxDirectory } from '../sandbox/directory.ts'
import { loadSandbox, type LoadedSandbox } from '../sandbox/sandbox.ts'
import { BRAZIL_SANDBOX_SSA_ISSUER, CDR_REGISTER_ISSUER } from '../sandbox/ssa-shapes.ts'
import { claimsFromArguments } from './claim-arguments.ts'
import { defineCommand, parseCommand, printedHelp, renderHelp } from './command-help.ts'
import { profileOption } from './profile-option.ts'
import { readRunningServer } from './running-server.ts'
import { checkSoftwareStatement, type SsaCheckOutcome } from './ssa-checks.ts'
import { explainClaim, SHAPE_NAMES, type ClaimExplanation } from './ssa-dictionary.ts'
import { styleFor, type Style } from './terminal.ts'
import { readSoftwareStatement } from './tpp-material.ts'
import { UsageError } from './usage-error.ts'

export const SSA_HELP = defineCommand({
  command: 'ssa',
  usage: 'open-dcr ssa <issue|inspect> [options]',
  description: `  issue     sign a software statement with the sandbox directory key, in a profile's claim shape
  inspect   decode a statement, verify it, explain its claims and run a bank's checks on it`,
  options: {},
  footer: 'Run "open-dcr ssa <command> --help" for its options.',
})

export const SSA_ISSUE_HELP = defineCommand({
  command: 'ssa issue',
  usage: 'open-dcr ssa issue [--profile P] [--claim NAME=VALUE ...] [--claims FILE] [--omit NAME ...]',
  description: `Signs a software statement (PS256) with the sandbox directory key for the sandbox TPP, in the claim shape of
the profile, and prints it (compact JWS); with --key and --issuer, with a real test directory's key instead.
Every key set URL it names is the sandbox keystore's (loopback), never an internet host. Without --key the
sandbox material must exist (open-dcr sandbox).`,
  options: {
    profile: { type: 'string', value: 'P', doc: "obuk | cdr | brazil | rfc7591 (rfc7591: RFC 7591 metadata names; default: the sandbox's)" },
    claim: { type: 'string', multiple: true, value: 'NAME=VALUE', doc: "add or replace a claim; JSON values allowed (--claim 'software_roles=[\"AISP\"]'), repeatable" },
    claims: { type: 'string', value: 'FILE', doc: 'a JSON object of claims' },
    omit: { type: 'string', multiple: true, value: 'NAME', doc: 'leave a claim out, repeatable' },
    key: { type: 'string', value: 'FILE', doc: "sign with this directory key instead (a private JWK, PS256), e.g. a real test directory's" },
    issuer: { type: 'string', value: 'ISS', doc: "the statement's iss (default: the sandbox directory's; required with --key and no sandbox)" },
    kid: { type: 'string', value: 'KID', doc: "header kid (default: the key's own kid, else its thumbprint)" },
    dir: { type: 'string', value: 'DIR', doc: 'sandbox folder (default .open-dcr)' },
    json: { type: 'boolean', doc: 'print {"ssa", "header", "claims"}' },
  },
})

export const SSA_INSPECT_HELP = defineCommand({
  command: 'ssa inspect',
  usage: 'open-dcr ssa inspect FILE|- [options]',
  description: `Decodes a software statement (a file, or "-" for stdin), verifies its signature, explains each claim and
runs each check a bank of the profile would run on it, reporting every failing check with its message.
Exit code 0 when everything passes, 1 when the signature or a check fails.`,
  positionals: true,
  options: {
    profile: { type: 'string', value: 'P', doc: 'obuk | cdr | brazil | rfc7591 (default: guessed from the statement)' },
    jwks: { type: 'string', value: 'URL|FILE', doc: "the directory's JWKS (default: the sandbox directory's keys, when --dir holds one)" },
    'directory-issuer': {
      type: 'string',
      multiple: true,
      value: 'ISS',
      doc: "an SSA issuer the bank trusts, repeatable (default: the sandbox directory's, else\nthe regime's: OpenBanking Ltd, cdr-register, the Brasil issuer strings)",
    },
    register: { type: 'string', value: 'URL', doc: "CDR Register base URL, to check software-status (default: the cdr sandbox's)" },
    ca: { type: 'string', value: 'FILE', doc: 'CA for the https of --jwks and --register (default: the sandbox CA)' },
    dir: { type: 'string', value: 'DIR', doc: 'sandbox folder (default .open-dcr)' },
    json: { type: 'boolean', doc: 'print the inspection as JSON' },
  },
})

/** The regime's SSA issuers, for a bank configured as in production (UK-DCR-34, CDR-DCR-8, BR-DCR-7). */
const REGIME_ISSUERS: Readonly<Record<SandboxProfile, readonly string[]>> = {
  obuk: ['OpenBanking Ltd'],
  cdr: [CDR_REGISTER_ISSUER],
  brazil: ['Open Finance Open Finance Brasil production SSA issuer', BRAZIL_SANDBOX_SSA_ISSUER, 'Open Banking Open Banking Brasil prod SSA issuer'],
  rfc7591: [],
}

async function sandboxIn(dir: string): Promise<LoadedSandbox | undefined> {
  try {
    return await loadSandbox(dir)
  } catch {
    return undefined
  }
}

async function runIssue(args: string[]): Promise<number> {
  const { values } = parseCommand(SSA_ISSUE_HELP, args)
  if (printedHelp(SSA_ISSUE_HELP, values)) return 0
  const dir = resolve(values.dir ?? '.open-dcr')
  const sandbox = await sandboxIn(dir)
  if (sandbox === undefined && values.key === undefined) throw new UsageError(`no sandbox material in ${dir}: create one with "npm start" (open-dcr sandbox), use --dir, or sign with --key FILE --issuer ISS`)
  const running = await readRunningServer(dir)
  const profile = profileOption(values.profile, isSandboxProfile(running?.profile) ? running.profile : 'obuk')
  const claims = await claimsFromArguments({ claimsFile: values.claims, claim: values.claim, omit: values.omit })
  const ssa = await issueWithChosenKey({ sandbox, profile, claims, key: values.key, issuer: values.issuer, kid: values.kid })
  console.log(values.json ? JSON.stringify({ ssa, header: decodeProtectedHeader(ssa), claims: decodeJwt(ssa) }, null, 2) : ssa)
  return 0
}

/**
 * A statement from the sandbox directory, or signed with --key for the directory that key belongs to (its
 * --issuer; the sandbox TPP's ids and key sets when a sandbox is there, else the shape's made-up participant).
 */
async function issueWithChosenKey(input: { sandbox: LoadedSandbox | undefined; profile: SandboxProfile; claims: Record<string, unknown>; key: string | undefined; issuer: string | undefined; kid: string | undefined }): Promise<string> {
  const { sandbox, profile, claims } = input
  const options = input.kid === undefined ? {} : { kid: input.kid }
  if (input.key === undefined) {
    const issued = input.issuer === undefined ? claims : { iss: input.issuer, ...claims }
    return issueProfileSsa(sandbox!, profile, issued, options)
  }
  const issuer = input.issuer ?? sandbox?.directory.issuer
  if (issuer === undefined) throw new UsageError('--key needs --issuer ISS: the iss of the directory whose key it is')
  let jwk: JWK
  try {
    jwk = JSON.parse(await readFile(input.key, 'utf8')) as JWK
  } catch (error) {
    throw new UsageError(`--key ${input.key} is not a readable JSON file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give the directory's private JWK`)
  }
  let directory: SandboxDirectory
  try {
    directory = await createSandboxDirectory({ issuer, jwksUrl: sandbox?.directory.jwksUrl ?? 'https://127.0.0.1/directory/jwks', ...(sandbox === undefined ? {} : { keystoreUrl: sandbox.manifest.keystoreUrl }), signingKey: { alg: 'PS256', ...jwk } })
  } catch (error) {
    throw new UsageError(`--key ${input.key}: ${(error as Error).message}`)
  }
  const tpp = sandbox === undefined ? {} : { software_id: sandbox.tpp.softwareId, ...(profile === 'rfc7591' ? {} : { org_id: sandbox.tpp.orgId }) }
  return directory.issueSsa({ ...tpp, ...claims }, { ...options, shape: ssaShapeOf(profile) })
}

/** The profile whose shape the statement has: CDR by its issuer, Brazil by its role objects, else UK. */
function guessedProfile(claims: JWTPayload): SandboxProfile {
  if (claims.iss === CDR_REGISTER_ISSUER || (typeof claims.software_roles === 'string' && claims.legal_entity_id !== undefined)) return 'cdr'
  if (claims.software_statement_roles !== undefined || claims.software_jwks_uri !== undefined) return 'brazil'
  return 'obuk'
}

type Keys = { jwks: JSONWebKeySet; source: string }

async function keysFrom(jwks: string, caPem: string | undefined): Promise<Keys> {
  let parsed: unknown
  if (/^https?:\/\//i.test(jwks)) {
    if (!jwks.toLowerCase().startsWith('https://')) throw new UsageError(`--jwks ${jwks}: a JWKS URL must be https`)
    const response = await mtlsRequest({ url: jwks, headers: { accept: 'application/json' }, ...(caPem === undefined ? {} : { ca: caPem }) })
    if (response.status !== 200) throw new Error(`the JWKS at ${jwks} answered ${response.status}`)
    parsed = response.json
  } else {
    try {
      parsed = JSON.parse(await readFile(jwks, 'utf8'))
    } catch (error) {
      throw new UsageError(`--jwks ${jwks} is neither an https URL nor a readable JSON file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    }
  }
  const keys = (parsed as { keys?: unknown } | undefined)?.keys
  if (!Array.isArray(keys)) throw new UsageError(`--jwks ${jwks} is not a JWK Set ({"keys": [...]})`)
  return { jwks: parsed as JSONWebKeySet, source: jwks }
}

type Signature = { verified: true; kid: string | undefined; alg: string; source: string } | { verified: false; reason: string; source: string | undefined }

async function verifySignature(ssa: string, keys: Keys | undefined): Promise<Signature> {
  if (keys === undefined) return { verified: false, reason: 'not checked: no directory keys (pass --jwks URL|FILE)', source: undefined }
  try {
    const { protectedHeader } = await compactVerify(ssa, createLocalJWKSet(keys.jwks))
    return { verified: true, kid: protectedHeader.kid, alg: protectedHeader.alg, source: keys.source }
  } catch (error) {
    const reason =
      error instanceof joseErrors.JWKSNoMatchingKey ? 'no key of the JWKS matches its kid and alg'
      : error instanceof joseErrors.JWSSignatureVerificationFailed ? 'the signature does not verify'
      : `cannot be verified: ${(error as Error).message}`
    return { verified: false, reason, source: keys.source }
  }
}

const shortValue = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 72 ? `${text.slice(0, 69)}...` : text
}

function timeNote(name: string, value: unknown, now: number): string {
  if (!['iat', 'exp', 'nbf'].includes(name) || typeof value !== 'number') return ''
  const delta = value - now
  return ` (${new Date(value * 1000).toISOString()}, ${delta <= 0 ? `${-delta} s ago` : `in ${delta} s`})`
}

function printInspection(style: Style, inspection: Inspection): void {
  const { header, claims, signature, profile, checks } = inspection
  const shape = ssaShapeOf(profile)
  console.log(`${style.strong('Software statement')}  header ${JSON.stringify(header)}`)
  console.log(signature.verified ? `${style.ok('✔ signature verified')} (alg ${signature.alg}, kid ${signature.kid ?? '(none)'}) with ${signature.source}` : `${style.bad('✘ signature')} ${signature.reason}${signature.source === undefined ? '' : ` (keys: ${signature.source})`}`)
  console.log(`\n${style.strong(`Claims (read as a ${SHAPE_NAMES[shape]} statement)`)}`)
  const width = Math.min(40, Math.max(...Object.keys(claims).map((name) => name.length), 4))
  for (const claim of inspection.explained) {
    const meaning = claim.description ?? (claim.knownIn.length > 0 ? `not a ${SHAPE_NAMES[shape]} claim (a ${claim.knownIn.map((other) => SHAPE_NAMES[other]).join(' / ')} one)` : `not a known ${SHAPE_NAMES[shape]} claim`)
    console.log(`  ${claim.name.padEnd(width)}  ${shortValue(claim.value)}${timeNote(claim.name, claim.value, inspection.now)}\n  ${' '.repeat(width)}  ${style.dim(meaning)}`)
  }
  console.log(`\n${style.strong(`Checks a bank with profile ${profile} runs on it`)} (with a synthetic request that is valid for it)`)
  for (const check of checks) {
    if (check.status === 'pass') console.log(`  ${style.ok('✔')} ${check.id}`)
    else if (check.status === 'fail') console.log(`  ${style.bad('✘')} ${check.id}  ${check.error}${check.claim === undefined ? '' : ` (${check.claim})`}: ${check.description}`)
    else console.log(`  ${style.dim(`– ${check.id}  ${check.reason}`)}`)
  }
  const failed = checks.filter((check) => check.status === 'fail').length
  const verdict = failed === 0 && signature.verified ? style.ok('the statement passes every check run') : style.bad(`${failed} check${failed === 1 ? ' fails' : 's fail'}${signature.verified ? '' : '; the signature is not verified'}`)
  console.log(`\n${verdict}`)
}

type Inspection = {
  header: Record<string, unknown>
  claims: JWTPayload
  explained: Array<{ name: string; value: unknown } & ClaimExplanation>
  signature: Signature
  profile: SandboxProfile
  directoryIssuers: readonly string[]
  checks: SsaCheckOutcome[]
  now: number
}

async function runInspect(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(SSA_INSPECT_HELP, args)
  if (printedHelp(SSA_INSPECT_HELP, values)) return 0
  if (positionals.length !== 1) throw new UsageError(`ssa inspect takes one FILE (or - for stdin)\n\n${renderHelp(SSA_INSPECT_HELP)}`)
  const ssa = await readSoftwareStatement(positionals[0]!)
  const header = decodeProtectedHeader(ssa) as Record<string, unknown>
  const claims = decodeJwt(ssa)
  const now = Math.floor(Date.now() / 1000)

  const dir = resolve(values.dir ?? '.open-dcr')
  const sandbox = values.jwks === undefined ? await sandboxIn(dir) : undefined
  const running = sandbox === undefined ? undefined : await readRunningServer(dir)
  const caFile = values.ca ?? sandbox?.files.caFile
  const caPem = caFile === undefined ? undefined : await readFile(caFile, 'utf8').catch(() => {
    throw new UsageError(`--ca ${caFile} is not readable`)
  })
  const keys: Keys | undefined = values.jwks !== undefined ? await keysFrom(values.jwks, caPem) : sandbox === undefined ? undefined : { jwks: sandbox.directory.publicJwks, source: `the sandbox directory keys (${dir})` }
  const profile = profileOption(values.profile, guessedProfile(claims))
  const ownIssuer = typeof claims.iss === 'string' && claims.iss !== '' ? [claims.iss] : ['(no iss)']
  const issuers = values['directory-issuer'] ?? (sandbox === undefined ? (REGIME_ISSUERS[profile].length > 0 ? REGIME_ISSUERS[profile] : ownIssuer) : [sandbox.directory.issuer])
  const registerUrl = values.register ?? running?.registerUrl
  if (registerUrl !== undefined && !URL.canParse(registerUrl)) throw new UsageError(`--register must be a URL, got "${registerUrl}"`)

  const checks = await checkSoftwareStatement({ ssa, profile, keys: keys?.jwks, directoryIssuers: [...new Set(issuers)], registerUrl, caFiles: caFile === undefined ? [] : [caFile], now })
  const explained = Object.entries(claims).map(([name, value]) => ({ name, value, ...explainClaim(name, ssaShapeOf(profile)) }))
  const inspection: Inspection = { header, claims, explained, signature: await verifySignature(ssa, keys), profile, directoryIssuers: issuers, checks, now }
  const failed = checks.some((check) => check.status === 'fail') || (keys !== undefined && !inspection.signature.verified)
  if (values.json) {
    const { header: jwsHeader, explained: claimList, signature, directoryIssuers, checks: outcomes } = inspection
    console.log(JSON.stringify({ header: jwsHeader, profile, signature, directoryIssuers, claims: claimList, checks: outcomes, passed: !failed }, null, 2))
  } else printInspection(styleFor(), inspection)
  return failed ? 1 : 0
}

export async function runSsa(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    console.log(renderHelp(SSA_HELP))
    return subcommand === undefined ? 2 : 0
  }
  if (subcommand === 'issue') return runIssue(rest)
  if (subcommand === 'inspect') return runInspect(rest)
  throw new UsageError(`unknown ssa command "${subcommand}"\n\n${renderHelp(SSA_HELP)}`)
}
