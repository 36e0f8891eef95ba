/**
 * `open-dcr tpp register`: the TPP side. Uses the running sandbox's material: issues a fresh SSA from the
 * sandbox directory, signs a registration request with the TPP key, and sends it over mutual TLS with the
 * TPP transport certificate.
 */
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { mtlsRequest } from '../sandbox/mtls-client.ts'
import { loadSandbox } from '../sandbox/sandbox.ts'
import { SERVER_FILE } from './sandbox.ts'
import { UsageError } from './usage-error.ts'

const HELP = `Usage: open-dcr tpp register [--dir DIR] [--server URL] [--json]

Registers the sandbox TPP with a running open-dcr sandbox: a fresh SSA from the sandbox directory, a
registration request signed with the TPP key (PS256), sent over mutual TLS with the TPP transport
certificate. Prints the registration (201) or the server's error.

Options:
  --dir DIR      sandbox material written by "open-dcr sandbox" (default .open-dcr)
  --server URL   DCR server base URL (default: the running sandbox's)
  --json         print the raw JSON answer only`

export async function runTpp(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args
  if (subcommand === '--help' || subcommand === '-h' || subcommand === undefined) {
    console.log(HELP)
    return subcommand === undefined ? 2 : 0
  }
  if (subcommand !== 'register') throw new UsageError(`unknown tpp command "${subcommand}"\n\n${HELP}`)
  const { values } = parseArgs({ args: rest, options: { dir: { type: 'string' }, server: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true })
  if (values.help) {
    console.log(HELP)
    return 0
  }
  const dir = resolve(values.dir ?? '.open-dcr')
  let running: { url: string; issuer: string }
  try {
    running = JSON.parse(await readFile(join(dir, SERVER_FILE), 'utf8')) as { url: string; issuer: string }
  } catch {
    throw new UsageError(`no running sandbox found in ${dir}: start one with "npm start" (or "open-dcr sandbox --dir ${values.dir ?? '.open-dcr'}")`)
  }
  const sandbox = await loadSandbox(dir)
  const ssa = await sandbox.issueSsa()
  const request = await sandbox.tpp.signRequest(sandbox.tpp.registrationClaims({ ssa, aud: running.issuer }))
  const serverUrl = values.server ?? running.url
  const response = await mtlsRequest({
    url: new URL('/register', serverUrl).href,
    method: 'POST',
    headers: { 'content-type': 'application/jwt', accept: 'application/json' },
    body: request,
    cert: sandbox.tpp.transport.certificatePem,
    key: sandbox.tpp.transport.privateKeyPem,
    ca: sandbox.caCertificatePem,
  })
  if (values.json) console.log(response.text)
  else if (response.status === 201) {
    const client = response.json as Record<string, unknown>
    console.log(`registered: ${response.status} Created\n  client_id  ${String(client.client_id)}\n  software   ${String(client.software_id)} (${String(client.org_name ?? client.org_id)})\n  auth       ${String(client.token_endpoint_auth_method)}\n  scope      ${String(client.scope)}\n\n${JSON.stringify({ ...client, software_statement: '…' }, null, 2)}`)
  } else {
    console.log(`refused: ${response.status}\n${JSON.stringify(response.json ?? response.text, null, 2)}`)
  }
  return response.status === 201 ? 0 : 1
}
