/**
 * `open-dcr conformance`: runs the conformance catalogue (registration cases, then management cases)
 * against a DCR endpoint — the running sandbox by default, or any server given the TPP's material — and
 * prints a pass/fail table, with JSON and JUnit reports. The clients the run creates are deleted at the end
 * (unless --keep-clients); any it could not delete are listed.
 */
import { X509Certificate } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { JWK } from 'jose'
import { casesFor } from '../conformance/catalogue.ts'
import { conformanceMaterial, sandboxMaterial, type ConformanceMaterial } from '../conformance/material.ts'
import { junitXml, textTable } from '../conformance/report.ts'
import { runConformance } from '../conformance/runner.ts'
import type { IssuedCertificate } from '../sandbox/ca.ts'
import { createSandboxDirectory } from '../sandbox/directory.ts'
import { isSandboxProfile, ssaShapeOf, type SandboxProfile } from '../sandbox/profile-sandbox.ts'
import { loadSandbox } from '../sandbox/sandbox.ts'
import { SSA_CLAIM_NAMES } from '../sandbox/ssa-shapes.ts'
import { restoreSandboxTpp } from '../sandbox/tpp.ts'
import { defineCommand, parseCommand, printedHelp } from './command-help.ts'
import { profileOption } from './profile-option.ts'
import { readRunningServer } from './running-server.ts'
import { decorates } from './terminal.ts'
import { UsageError } from './usage-error.ts'

const SANDBOX_TARGET = 'Against the running sandbox (default)'
const ANY_TARGET = 'Against any DCR endpoint'
const OUTPUT = 'Output'

export const CONFORMANCE_HELP = defineCommand({
  command: 'conformance',
  usage: 'open-dcr conformance [options]',
  description: `Runs a catalogue of positive and negative cases against a DCR endpoint — registration (POST /register),
then management of the clients it registered (GET/PUT/DELETE /register/{client_id}, RFC 7592) — and
reports, for each, the expected and the actual answer. Exit code 0 when every case passes, 1 otherwise.

Management is authorised with the registration_access_token of the 201 when the server returns one, else
with a client-credentials access token from the token endpoint (discovery's token_endpoint, else /token),
requested with a private_key_jwt assertion signed by the TPP signing key. Every client the run creates is
deleted at the end with that credential (a client whose credential a case revoked is first recovered with
a signed PUT sent with Authorization: Signed-Recovery, where the server offers that); those left on the
server are listed.

The cases that run are those of the server's profile (--profile; default the sandbox's, else obuk), and the
requests, software statements and media types are that profile's: a signed request JWT for obuk and cdr,
JSON metadata for brazil and rfc7591 (whose default registration carries no software statement).`,
  options: {
    profile: { type: 'string', value: 'P', doc: "obuk | cdr | brazil | rfc7591 (default: the sandbox's profile, else obuk)" },
    'content-type': { type: 'string', value: 'TYPE', doc: "media type of registration requests (default: the profile's)" },
    kid: { type: 'string', value: 'KID', doc: "kid of the TPP signing key (default: the JWK's own kid, else its thumbprint)" },
    dir: { type: 'string', value: 'DIR', group: SANDBOX_TARGET, doc: 'sandbox material (default .open-dcr)' },
    server: { type: 'string', value: 'URL', group: ANY_TARGET, doc: 'base URL of the server (its /register is called)' },
    aud: { type: 'string', value: 'VALUE', group: ANY_TARGET, doc: 'the aud the server expects (its issuer)' },
    cert: { type: 'string', value: 'FILE', group: ANY_TARGET, doc: 'the TPP transport certificate (PEM)' },
    key: { type: 'string', value: 'FILE', group: ANY_TARGET, doc: 'its private key (PEM)' },
    ca: { type: 'string', value: 'FILE', group: ANY_TARGET, doc: "CA of the server's TLS certificate (default: system CAs)" },
    'signing-key': { type: 'string', value: 'FILE', group: ANY_TARGET, doc: 'the TPP signing key, a private JWK (its kid must be in the TPP JWKS)' },
    'software-id': { type: 'string', value: 'ID', group: ANY_TARGET, doc: 'the software id the SSAs name' },
    'org-id': { type: 'string', value: 'ID', group: ANY_TARGET, doc: 'the organisation id the SSAs name' },
    'jwks-url': { type: 'string', value: 'URL', group: ANY_TARGET, doc: 'the TPP JWKS URL the SSAs name' },
    'ssa-key': { type: 'string', value: 'FILE', group: ANY_TARGET, doc: 'private JWK of a directory key the server trusts (fresh SSAs per case)' },
    'ssa-kid': { type: 'string', value: 'KID', group: ANY_TARGET, doc: "kid of that key (default: the JWK's own kid, else its thumbprint)" },
    'ssa-issuer': { type: 'string', value: 'ISS', group: ANY_TARGET, doc: "that directory's iss" },
    json: { type: 'boolean', group: OUTPUT, doc: 'print the report as JSON instead of a table' },
    report: { type: 'string', value: 'FILE', group: OUTPUT, doc: 'write the JSON report to FILE' },
    junit: { type: 'string', value: 'FILE', group: OUTPUT, doc: 'write a JUnit XML report to FILE' },
    only: { type: 'string', value: 'ID[,ID...]', group: OUTPUT, doc: 'run only these cases' },
    'keep-clients': { type: 'boolean', group: OUTPUT, doc: 'do not delete the clients the run created' },
  },
  footer: `Where the profile allows one registration per software id (cdr, brazil), cases that hold two clients at
once need a second software product, which only a sandbox provides: against another server they fail. So do,
in brazil and rfc7591, the cases that present a registration access token for another or an unknown client:
the server should revoke it (RFC 7592 section 2), and with no way to delete that client afterwards they run
only for a disposable software id of a sandbox, never for yours.`,
})

async function transportFromFiles(certFile: string, keyFile: string): Promise<IssuedCertificate> {
  const certificatePem = await readFile(certFile, 'utf8')
  return { certificatePem, privateKeyPem: await readFile(keyFile, 'utf8'), certificate: new X509Certificate(certificatePem) }
}

const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8')) as unknown

async function materialFromFiles(values: Record<string, string | boolean | undefined>, profile: SandboxProfile): Promise<ConformanceMaterial> {
  const need = (name: string): string => {
    const value = values[name]
    if (typeof value !== 'string') throw new UsageError(`--${name} is required when --server is given without a sandbox (see --help)`)
    return value
  }
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined)
  const serverUrl = need('server')
  const tpp = await restoreSandboxTpp({
    softwareId: need('software-id'),
    orgId: need('org-id'),
    signingKey: (await readJson(need('signing-key'))) as JWK,
    transport: await transportFromFiles(need('cert'), need('key')),
    jwksUrl: need('jwks-url'),
  })
  const ssaKey = (await readJson(need('ssa-key'))) as JWK
  const ssaKid = text('ssa-kid')
  // The directory's own keystore is not known here: its SSAs name the TPP's JWKS URL, and no invented host.
  const directory = await createSandboxDirectory({ issuer: need('ssa-issuer'), jwksUrl: tpp.jwksUrl, signingKey: ssaKid === undefined ? ssaKey : { ...ssaKey, kid: ssaKid } })
  const names = SSA_CLAIM_NAMES[ssaShapeOf(profile)]
  return conformanceMaterial({
    profile,
    serverUrl,
    audience: need('aud'),
    caPem: typeof values.ca === 'string' ? await readFile(values.ca, 'utf8') : undefined,
    tpp,
    kid: text('kid'),
    contentType: text('content-type'),
    issueSsa: (claims, softwareId) => directory.issueSsa({ software_id: softwareId, org_id: tpp.orgId, [names.jwksUri]: tpp.jwksUrl, ...claims }, { shape: ssaShapeOf(profile) }),
  })
}

export async function runConformanceCommand(args: string[]): Promise<number> {
  const { values } = parseCommand(CONFORMANCE_HELP, args)
  if (printedHelp(CONFORMANCE_HELP, values)) return 0
  let material: ConformanceMaterial
  if (values.cert !== undefined || values['signing-key'] !== undefined) material = await materialFromFiles(values, profileOption(values.profile))
  else {
    const dir = resolve(values.dir ?? '.open-dcr')
    const running = await readRunningServer(dir)
    if (running === undefined) throw new UsageError(`no running sandbox found in ${dir}: start one with "npm start", or give the TPP material (see --help)`)
    const profile = profileOption(values.profile, isSandboxProfile(running.profile) ? running.profile : 'obuk')
    material = sandboxMaterial(await loadSandbox(dir), { url: values.server ?? running.url, issuer: values.aud ?? running.issuer, profile, contentType: values['content-type'], kid: values.kid })
  }
  const catalogue = casesFor(material.profile)
  const only = values.only?.split(',').map((id) => id.trim())
  const cases = only ? catalogue.filter((c) => only.includes(c.id)) : catalogue
  if (only && cases.length !== only.length) throw new UsageError(`unknown case id in --only for profile ${material.profile}; known: ${catalogue.map((c) => c.id).join(', ')}`)

  const interactive = decorates(process.stdout) && !values.json
  const report = await runConformance(material, {
    cases,
    cleanup: values['keep-clients'] !== true,
    onOutcome: interactive ? (outcome, index, total) => process.stdout.write(`\r[${index + 1}/${total}] ${outcome.id.padEnd(40)}${index + 1 === total ? '\n' : ''}`) : undefined,
  })
  if (values.report) await writeFile(values.report, JSON.stringify(report, null, 2) + '\n')
  if (values.junit) await writeFile(values.junit, junitXml(report))
  console.log(values.json ? JSON.stringify(report, null, 2) : textTable(report, interactive))
  return report.failed === 0 ? 0 : 1
}
