/**
 * `open-dcr tpp register | token | show | update | delete`: the TPP side of a registration and its
 * management, over mutual TLS (RFC 7591 §3, RFC 7592 §2, RFC 6749 §4.4 with RFC 7523 private_key_jwt).
 * The TPP is the running sandbox's by default, or the TPP's own files (tpp-material.ts); requests are built in
 * the profile's shape (profile-request.ts). Management calls are authorised the way the registration answer
 * showed: with a `registration_access_token` in it, that token (RFC7592-2, BR-DCR-27); otherwise an access
 * token of the client credentials grant (UK-DCR-2, CDR-DCR-2). Registrations are remembered locally
 * (registrations.ts) for the next command. Exit codes: 0 done, 1 the server refused or could not be
 * reached, 2 the command line or the local material is wrong.
 */
import type { MtlsResponse } from '../sandbox/mtls-client.ts'
import { profileRegistrationRequest, type RegistrationRequestBody } from '../sandbox/profile-request.ts'
import { deleteRegistration, discoverBank, readRegistration, registerClient, requestAccessToken, updateRegistration, type BankEndpoints } from '../sandbox/tpp-client.ts'
import { claimsFromArguments } from './claim-arguments.ts'
import { defineCommand, parseCommand, printedHelp, renderHelp, type CommandHelp, type OptionHelp } from './command-help.ts'
import { registeredMetadata } from './registered-metadata.ts'
import { chosenClientId, loadRegistration, rememberedAnswer, rememberRegistration, registrationsDir, type ManagementKind, type RememberedRegistration } from './registrations.ts'
import { progress, styleFor } from './terminal.ts'
import { resolveTppMaterial, type TppFlags, type TppMaterial } from './tpp-material.ts'
import { UsageError } from './usage-error.ts'

const MATERIAL = 'TPP material (default: the running sandbox\'s, from --dir)'

/** Where the TPP's keys and certificates come from, and where registrations are remembered: every subcommand. */
const CONNECTION_OPTIONS = {
  dir: { type: 'string', value: 'DIR', group: MATERIAL, doc: 'sandbox folder, and where registrations are remembered (default .open-dcr)' },
  server: { type: 'string', value: 'URL', group: MATERIAL, doc: "base URL of the DCR server (default: the running sandbox's)" },
  cert: { type: 'string', value: 'FILE', group: MATERIAL, doc: 'TPP transport certificate (PEM)' },
  key: { type: 'string', value: 'FILE', group: MATERIAL, doc: 'its private key (PEM)' },
  ca: { type: 'string', value: 'FILE', group: MATERIAL, doc: "CA of the server's TLS certificate (default: system CAs)" },
  'signing-key': { type: 'string', value: 'FILE', group: MATERIAL, doc: 'TPP signing key, a private JWK (PS256 or ES256)' },
  kid: { type: 'string', value: 'KID', group: MATERIAL, doc: "kid to sign with (default: the JWK's own kid, else its thumbprint)" },
} as const satisfies Record<string, OptionHelp>

/** What a request is built from: register and update only. */
const REQUEST_MATERIAL_OPTIONS = {
  ssa: { type: 'string', value: 'FILE', group: MATERIAL, doc: 'software statement to send ("-" reads stdin; default: a fresh one from the sandbox)' },
  profile: { type: 'string', value: 'P', group: MATERIAL, doc: "obuk | cdr | brazil | rfc7591: the request shape (default: the sandbox's, else obuk)" },
  aud: { type: 'string', value: 'ISS', group: MATERIAL, doc: "the bank's issuer, the request aud (default: server.json, else discovery)" },
} as const satisfies Record<string, OptionHelp>

const CLIENT_ID = { type: 'string', value: 'ID', doc: 'the registration (default: the current one)' } as const
const JSON_ANSWER = { type: 'boolean', doc: "print the server's JSON answer only" } as const
const REQUEST_CHANGES = {
  claim: { type: 'string', multiple: true, value: 'NAME=VALUE', doc: 'add or replace request metadata (JSON values allowed), repeatable' },
  claims: { type: 'string', value: 'FILE', doc: 'a JSON object of request metadata' },
  omit: { type: 'string', multiple: true, value: 'NAME', doc: 'leave a member out of the request, repeatable' },
} as const

export const TPP_HELP = defineCommand({
  command: 'tpp',
  usage: 'open-dcr tpp <register|token|show|update|delete> [options]',
  description: `The TPP side, over mutual TLS with the TPP transport certificate:
  register   build and sign a registration request (profile shape), POST /register, remember the client
  token      client credentials access token (private_key_jwt, aud = discovery token_endpoint)
  show       GET /register/{client_id}
  update     PUT /register/{client_id} with a fresh request (--claim to change metadata)
  delete     DELETE /register/{client_id}

show, update and delete authorise with the registration access token of the registration answer if it had
one, else with an access token from "tpp token". The registration is remembered in
DIR/registrations/<client_id>.json; DIR/registrations/current names the one used next (--client-id to choose).`,
  options: {},
  footer: `Run "open-dcr tpp <command> --help" for its options.
Exit codes: 0 done, 1 refused by the server (or unreachable), 2 usage or local material error.`,
})

export const TPP_SUBCOMMAND_HELP = {
  register: defineCommand({
    command: 'tpp register',
    usage: 'open-dcr tpp register [options]',
    description: `Builds the registration request in the profile's shape (obuk/cdr: a JWT signed with the TPP key, as
application/jwt; brazil/rfc7591: JSON metadata, as application/json), with a fresh software statement, sends
it over mutual TLS and prints the registration (201) or the server's error. The new client becomes the
current registration.`,
    options: {
      claim: { ...REQUEST_CHANGES.claim, group: 'Request' },
      claims: { ...REQUEST_CHANGES.claims, group: 'Request' },
      omit: { ...REQUEST_CHANGES.omit, group: 'Request' },
      json: { ...JSON_ANSWER, group: 'Request' },
      ...CONNECTION_OPTIONS,
      ...REQUEST_MATERIAL_OPTIONS,
    },
  }),
  token: defineCommand({
    command: 'tpp token',
    usage: 'open-dcr tpp token [--client-id ID] [--scope SCOPE] [options]',
    description: `Obtains an access token with the client credentials grant: a private_key_jwt client assertion (iss = sub =
client_id, aud = the token_endpoint of /.well-known/openid-configuration) signed with the TPP key, over
mutual TLS; the token is bound to the transport certificate. Prints the token.`,
    options: {
      'client-id': CLIENT_ID,
      scope: { type: 'string', value: 'SCOPE', doc: 'scopes to ask for (default: every registered scope)' },
      json: JSON_ANSWER,
      ...CONNECTION_OPTIONS,
    },
  }),
  show: defineCommand({
    command: 'tpp show',
    usage: 'open-dcr tpp show [--client-id ID] [options]',
    description: 'Reads the registration (GET /register/{client_id}) with its management token and prints it.',
    options: { 'client-id': CLIENT_ID, json: JSON_ANSWER, ...CONNECTION_OPTIONS },
  }),
  update: defineCommand({
    command: 'tpp update',
    usage: 'open-dcr tpp update [--client-id ID] [--claim NAME=VALUE ...] [options]',
    description: `Replaces the registration (PUT /register/{client_id}) with a complete, freshly signed request and a fresh
software statement, starting from the metadata last registered; --claim and --omit change it. Prints the
registration as updated (200).`,
    options: { 'client-id': CLIENT_ID, ...REQUEST_CHANGES, json: JSON_ANSWER, ...CONNECTION_OPTIONS, ...REQUEST_MATERIAL_OPTIONS },
  }),
  delete: defineCommand({
    command: 'tpp delete',
    usage: 'open-dcr tpp delete [--client-id ID] [options]',
    description: 'Deletes the registration (DELETE /register/{client_id}, 204). It stays remembered, marked deleted.',
    options: { 'client-id': CLIENT_ID, json: { type: 'boolean', doc: 'print {"client_id": ..., "deleted": true}' }, ...CONNECTION_OPTIONS },
  }),
} as const

/** The parsed options of any tpp subcommand; each subcommand's parser accepts only the options its help lists. */
type Values = {
  [K in keyof typeof CONNECTION_OPTIONS | keyof typeof REQUEST_MATERIAL_OPTIONS | 'client-id' | 'scope' | 'claims']?: string | undefined
} & { claim?: string[] | undefined; omit?: string[] | undefined; json?: boolean | undefined; help?: boolean | undefined }

const flagsOf = (values: Values): TppFlags => ({
  dir: values.dir,
  server: values.server,
  cert: values.cert,
  key: values.key,
  ca: values.ca,
  'signing-key': values['signing-key'],
  kid: values.kid,
  ssa: values.ssa,
  profile: values.profile,
  aud: values.aud,
})

const dirOf = (values: Values): string => values.dir ?? '.open-dcr'

/** What a command prints and returns for an answer the server refused (or an unexpected status). */
function refused(what: string, response: MtlsResponse, json: boolean | undefined): number {
  const body = response.json ?? (response.text === '' ? undefined : response.text)
  if (json) console.log(JSON.stringify({ status: response.status, ...(typeof body === 'object' && body !== null ? body : { body }) }, null, 2))
  else {
    const style = styleFor()
    const error = body as { error?: unknown; error_description?: unknown } | undefined
    const summary = typeof error === 'object' && error !== null && typeof error.error === 'string' ? `${error.error}${typeof error.error_description === 'string' ? `: ${error.error_description}` : ''}` : typeof body === 'string' ? body.slice(0, 500) : ''
    console.log(`${style.bad(`refused: ${what} answered ${response.status}`)}${summary === '' ? '' : `\n  ${summary}`}`)
  }
  return 1
}

/** The registration as the command prints it: the essentials, then the whole answer (SSA and token elided). */
function printRegistration(heading: string, answer: Record<string, unknown>, remembered: string | undefined): void {
  const style = styleFor()
  const shown = { ...answer, ...(answer.software_statement === undefined ? {} : { software_statement: '…' }), ...(answer.registration_access_token === undefined ? {} : { registration_access_token: '… (remembered)' }) }
  const software = answer.software_id === undefined ? '' : `\n  software   ${String(answer.software_id)}${answer.org_name ?? answer.org_id ? ` (${String(answer.org_name ?? answer.org_id)})` : ''}`
  console.log(`${style.ok(heading)}
  client_id  ${style.strong(String(answer.client_id))}${software}
  auth       ${String(answer.token_endpoint_auth_method)}
  scope      ${String(answer.scope ?? '')}${remembered === undefined ? '' : `\n  remembered ${remembered}`}

${JSON.stringify(shown, null, 2)}`)
}

/** The bank's issuer for the request `aud`: --aud or server.json, else the discovery document's. */
async function audienceOf(material: TppMaterial, endpoints: () => Promise<BankEndpoints>): Promise<string> {
  return material.audience ?? (await endpoints()).issuer
}

/**
 * A request for `profile`, carrying a fresh (or the given) software statement and the --claim changes; an
 * update starts from the metadata `registered` (registered-metadata.ts).
 */
async function buildRequest(material: TppMaterial, values: Values, audience: string, registered: Record<string, unknown> = {}): Promise<RegistrationRequestBody> {
  const overrides = { ...registered, ...(await claimsFromArguments({ claimsFile: values.claims, claim: values.claim, omit: values.omit })) }
  const ssa = await material.softwareStatement()
  if (ssa === undefined && material.profile !== 'rfc7591') throw new UsageError(`a ${material.profile} registration request needs a software statement: pass --ssa FILE`)
  const tpp = await material.tppFor(ssa)
  return profileRegistrationRequest(material.profile, tpp, { ssa, aud: audience, overrides, sign: material.kid === undefined ? {} : { kid: material.kid } })
}

const now = (): string => new Date().toISOString()

async function register(values: Values): Promise<number> {
  const material = await resolveTppMaterial(flagsOf(values))
  const step = progress(values.json)
  let endpoints: BankEndpoints | undefined
  const discover = async (): Promise<BankEndpoints> => (endpoints ??= await discoverBank(material.connection))
  const audience = await audienceOf(material, discover)
  const request = await buildRequest(material, values, audience)
  step(`POST ${material.connection.serverUrl}/register (${material.profile}, ${request.contentType})`)
  const response = await registerClient(material.connection, request)
  if (response.status !== 201) return refused('POST /register', response, values.json)
  const answer = response.json as Record<string, unknown>
  const token = typeof answer.registration_access_token === 'string' ? answer.registration_access_token : undefined
  const record: RememberedRegistration = {
    clientId: String(answer.client_id),
    profile: material.profile,
    server: { url: material.connection.serverUrl, issuer: audience },
    material: material.remembered,
    management: token === undefined ? 'client-credentials' : 'registration-access-token',
    registrationAccessToken: token,
    registrationClientUri: typeof answer.registration_client_uri === 'string' ? answer.registration_client_uri : undefined,
    registration: rememberedAnswer(answer),
    createdAt: now(),
    updatedAt: now(),
  }
  await rememberRegistration(dirOf(values), record)
  if (values.json) console.log(response.text)
  else printRegistration(`registered: ${response.status} Created`, answer, `${registrationsDir(dirOf(values))}/${record.clientId}.json (current)`)
  return 0
}

/** The remembered registration the command acts on, and the TPP material for it. */
async function chosenRegistration(values: Values): Promise<{ record: RememberedRegistration; material: TppMaterial }> {
  const record = await loadRegistration(dirOf(values), await chosenClientId(dirOf(values), values['client-id']))
  if (record.deletedAt !== undefined && !values.json) console.error(`note: client ${record.clientId} was deleted at ${record.deletedAt}; asking the server anyway`)
  return { record, material: await resolveTppMaterial(flagsOf(values), record) }
}

type Bearer = { token: string } | { refusal: number }

/** The management token: the remembered registration access token, or a fresh client credentials access token. */
async function managementBearer(record: RememberedRegistration, material: TppMaterial, json: boolean | undefined): Promise<Bearer> {
  const kind: ManagementKind = record.management
  if (kind === 'registration-access-token') {
    if (record.registrationAccessToken === undefined) throw new UsageError(`no registration access token is remembered for client ${record.clientId}; register again`)
    return { token: record.registrationAccessToken }
  }
  progress(json)(`POST token endpoint (client credentials, private_key_jwt) for ${record.clientId}`)
  const endpoints = await discoverBank(material.connection)
  const response = await requestAccessToken(material.connection, { endpoints, clientId: record.clientId, signingKey: material.signingKey, kid: material.kid })
  const token = (response.json as { access_token?: unknown } | undefined)?.access_token
  if (response.status !== 200 || typeof token !== 'string') return { refusal: refused('the token endpoint', response, json) }
  return { token }
}

/** Remembers a 200 answer of show/update, with a rotated registration access token if it carries one. */
async function rememberAnswer(values: Values, record: RememberedRegistration, material: TppMaterial, answer: Record<string, unknown>): Promise<void> {
  const rotated = typeof answer.registration_access_token === 'string' ? answer.registration_access_token : undefined
  await rememberRegistration(dirOf(values), {
    ...record,
    material: material.remembered,
    registration: rememberedAnswer(answer),
    registrationAccessToken: rotated ?? record.registrationAccessToken,
    registrationClientUri: typeof answer.registration_client_uri === 'string' ? answer.registration_client_uri : record.registrationClientUri,
    updatedAt: now(),
  })
}

async function token(values: Values): Promise<number> {
  const { record, material } = await chosenRegistration(values)
  progress(values.json)(`POST token endpoint (client credentials, private_key_jwt) for ${record.clientId}`)
  const endpoints = await discoverBank(material.connection)
  const response = await requestAccessToken(material.connection, { endpoints, clientId: record.clientId, signingKey: material.signingKey, kid: material.kid, scope: values.scope })
  if (response.status !== 200) return refused(`the token endpoint ${endpoints.tokenRequestUrl}`, response, values.json)
  if (values.json) console.log(response.text)
  else {
    const answer = response.json as { access_token: string; expires_in?: number; scope?: string }
    console.log(`${styleFor().ok(`access token for ${record.clientId}`)} (Bearer, expires in ${String(answer.expires_in)} s, scope "${answer.scope ?? ''}", bound to the transport certificate)\n${answer.access_token}`)
  }
  return 0
}

async function show(values: Values): Promise<number> {
  const { record, material } = await chosenRegistration(values)
  const bearer = await managementBearer(record, material, values.json)
  if ('refusal' in bearer) return bearer.refusal
  progress(values.json)(`GET /register/${record.clientId}`)
  const response = await readRegistration(material.connection, record.clientId, bearer.token)
  if (response.status !== 200) return refused(`GET /register/${record.clientId}`, response, values.json)
  const answer = response.json as Record<string, unknown>
  await rememberAnswer(values, record, material, answer)
  if (values.json) console.log(response.text)
  else printRegistration(`registration ${record.clientId}`, answer, undefined)
  return 0
}

async function update(values: Values): Promise<number> {
  const { record, material } = await chosenRegistration(values)
  const request = await buildRequest(material, values, material.audience ?? record.server.issuer, registeredMetadata(record.clientId, record.registration))
  const bearer = await managementBearer(record, material, values.json)
  if ('refusal' in bearer) return bearer.refusal
  progress(values.json)(`PUT /register/${record.clientId} (${material.profile}, ${request.contentType})`)
  const response = await updateRegistration(material.connection, record.clientId, bearer.token, request)
  if (response.status !== 200) return refused(`PUT /register/${record.clientId}`, response, values.json)
  const answer = response.json as Record<string, unknown>
  await rememberAnswer(values, record, material, answer)
  if (values.json) console.log(response.text)
  else printRegistration(`updated: ${response.status} OK`, answer, undefined)
  return 0
}

async function remove(values: Values): Promise<number> {
  const { record, material } = await chosenRegistration(values)
  const bearer = await managementBearer(record, material, values.json)
  if ('refusal' in bearer) return bearer.refusal
  progress(values.json)(`DELETE /register/${record.clientId}`)
  const response = await deleteRegistration(material.connection, record.clientId, bearer.token)
  if (response.status !== 204) return refused(`DELETE /register/${record.clientId}`, response, values.json)
  await rememberRegistration(dirOf(values), { ...record, deletedAt: now(), updatedAt: now() })
  if (values.json) console.log(JSON.stringify({ client_id: record.clientId, deleted: true }))
  else console.log(`${styleFor().ok('deleted')}: ${record.clientId} (204 No Content); its tokens no longer work`)
  return 0
}

const SUBCOMMANDS: Record<keyof typeof TPP_SUBCOMMAND_HELP, (values: Values) => Promise<number>> = { register, token, show, update, delete: remove }

const isSubcommand = (name: string): name is keyof typeof TPP_SUBCOMMAND_HELP => Object.hasOwn(TPP_SUBCOMMAND_HELP, name)

export async function runTpp(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args
  if (subcommand === '--help' || subcommand === '-h' || subcommand === undefined) {
    console.log(renderHelp(TPP_HELP))
    return subcommand === undefined ? 2 : 0
  }
  if (!isSubcommand(subcommand)) throw new UsageError(`unknown tpp command "${subcommand}"\n\n${renderHelp(TPP_HELP)}`)
  const help: CommandHelp = TPP_SUBCOMMAND_HELP[subcommand]
  // The parser accepted only this subcommand's options, each with the type its declaration gives.
  const values = parseCommand(help, rest).values as Values
  if (printedHelp(help, values)) return 0
  return SUBCOMMANDS[subcommand](values)
}
