/**
 * The conformance catalogue: each case sends one registration (or a short sequence) to the server under
 * test and states the answer a conforming DCR endpoint gives, with the requirement it comes from. Named
 * after what is rejected, as oauth4webapi's conformance modules are. `registrationCases` exercise POST
 * /register (RFC 7591, UK-DCR-1..44, SEC-*); `managementCases` the client configuration endpoint of
 * clients the run registered (RFC 7592 §2, UK-DCR-2/5..9, SEC-33), with whichever credential the server
 * uses (run-clients.ts).
 */
import { randomBytes } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { decodeJwt, generateKeyPair, SignJWT } from 'jose'
import { SANDBOX_PROFILES, type SandboxProfile } from '../sandbox/profile-sandbox.ts'
import type { ConformanceMaterial, Participant, Transport } from './material.ts'
import type { ExchangeResult } from './exchange.ts'
import { answerSummary, type RunClient, type RunClients } from './run-clients.ts'

export type Expectation = {
  /** Acceptable HTTP statuses. */
  status: readonly number[]
  /** Acceptable `error` values (any when empty). */
  errors: readonly string[]
  /** A refusal during the TLS handshake also conforms (no client certificate). */
  tlsRefusalConforms?: boolean
  /** The answer must carry `WWW-Authenticate: Bearer ...` (RFC 6750 §3, RFC7592-4). */
  bearerChallenge?: boolean
}

export type CaseContext = {
  material: ConformanceMaterial
  /** Sends a registration request body over mutual TLS (another participant's certificate, another media type, or no certificate). */
  register(body: string, options?: { withoutCertificate?: boolean; transport?: Transport; contentType?: string }): Promise<ExchangeResult>
  /** Remembers the client of a 201 answer (its body) for `participant`, so the runner can delete it afterwards. */
  created(information: unknown, participant?: Participant): void
  /** Clients the run registered, their management credentials and calls at their configuration endpoint. */
  clients: RunClients
}

export type ConformanceCase = {
  id: string
  title: string
  requirements: readonly string[]
  /** The profiles whose servers the case applies to (a plain JSON profile has no request signature to test, ...). */
  profiles: readonly SandboxProfile[]
  expect: Expectation
  /** Runs the case; returns the answer that is judged against `expect`. */
  run(ctx: CaseContext): Promise<ExchangeResult>
}

export const accepted: Expectation = { status: [201], errors: [] }
export const refused = (...errors: string[]): Expectation => ({ status: [400], errors })
const now = () => Math.floor(Date.now() / 1000)

/** Profile groups of the catalogue. */
export const ALL_PROFILES: readonly SandboxProfile[] = SANDBOX_PROFILES
/** Signed request JWTs (UK-DCR-4, CDR-DCR-11): the request's own signature, iss, aud, jti and times can be tested. */
export const SIGNED_PROFILES: readonly SandboxProfile[] = ['obuk', 'cdr']
/** A software statement and a directory-issued transport certificate on every registration (UK-DCR-1, CDR-DCR-1, BR-DCR-1). */
export const DIRECTORY_PROFILES: readonly SandboxProfile[] = ['obuk', 'cdr', 'brazil']
/** RFC 7592 registration access tokens (BR-DCR-26, RFC7592-2). */
export const TOKEN_PROFILES: readonly SandboxProfile[] = ['brazil', 'rfc7591']

/** A request body for a free participant of the run: the profile's default SSA (or one with `ssaClaims`), then `overrides`. */
export type PreparedRequest = { body: string; participant: Participant }

export async function prepareRequest(ctx: CaseContext, overrides: Record<string, unknown> = {}, ssaClaims?: Record<string, unknown>): Promise<PreparedRequest> {
  const participant = await ctx.clients.freeParticipant()
  const ssa = ssaClaims === undefined ? await ctx.material.defaultSsa(participant.softwareId) : await ctx.material.issueSsa(ssaClaims, participant.softwareId)
  return { body: await ctx.material.encode(ctx.material.registrationClaims(ssa, overrides, participant.softwareId)), participant }
}

/** A request that carries a software statement in every profile (plain RFC 7591 included), with `ssaClaims`. */
export const requestWithSsa = (ctx: CaseContext, overrides: Record<string, unknown> = {}, ssaClaims: Record<string, unknown> = {}): Promise<PreparedRequest> => prepareRequest(ctx, overrides, ssaClaims)

/** A request carrying `ssa` as given, for the participant it names. */
export async function requestCarrying(ctx: CaseContext, ssa: string, overrides: Record<string, unknown> = {}): Promise<PreparedRequest> {
  const participant = await ctx.clients.freeParticipant()
  return { body: await ctx.material.encode(ctx.material.registrationClaims(ssa, overrides, participant.softwareId)), participant }
}

export async function registerAndRemember(ctx: CaseContext, request: PreparedRequest): Promise<ExchangeResult> {
  const result = await ctx.register(request.body, { transport: request.participant.transport })
  if (result.status === 201) ctx.created(result.json, request.participant)
  return result
}

/** Signs `claims` as the free participant would send them, with a protected header of the case's choosing. */
async function signedWith(ctx: CaseContext, sign: (claims: Record<string, unknown>) => Promise<string>, overrides: Record<string, unknown> = {}): Promise<ExchangeResult> {
  const participant = await ctx.clients.freeParticipant()
  const claims = ctx.material.registrationClaims(await ctx.material.issueSsa({}, participant.softwareId), overrides, participant.softwareId)
  return registerAndRemember(ctx, { body: await sign(claims), participant })
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

export const registrationCases: readonly ConformanceCase[] = [
  {
    id: 'valid-registration',
    title: "a valid registration request in the profile's shape is accepted",
    requirements: ['RFC7591-18', 'UK-DCR-1', 'CDR-DCR-19', 'BR-DCR-4'],
    profiles: ALL_PROFILES,
    expect: accepted,
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx)),
  },
  {
    id: 'invalid-request-signature',
    title: 'a request signed by a key not in the TPP JWKS is refused',
    requirements: ['UK-DCR-14', 'CDR-DCR-12', 'SEC-10'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata', 'invalid_software_statement'),
    async run(ctx) {
      const { privateKey } = await generateKeyPair('PS256')
      return signedWith(ctx, (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'PS256', kid: ctx.material.kid, typ: 'JWT' }).sign(privateKey))
    },
  },
  {
    id: 'alg-none',
    title: 'an unsigned request (alg none) is refused',
    requirements: ['SEC-1'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: (ctx) => signedWith(ctx, async (claims) => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`),
  },
  {
    id: 'hs256-with-public-key',
    title: 'a request MACed with HS256 keyed by the public key is refused',
    requirements: ['SEC-2'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: (ctx) => signedWith(ctx, (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: ctx.material.kid }).sign(new TextEncoder().encode(ctx.material.kid.padEnd(32, 'x')))),
  },
  {
    id: 'unknown-kid',
    title: 'a request whose kid is not in the TPP JWKS is refused',
    requirements: ['SEC-4'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: (ctx) => signedWith(ctx, (claims) => ctx.material.sign(claims, { kid: 'open-dcr-conformance-unknown-kid' })),
  },
  {
    id: 'ssa-untrusted-issuer',
    title: 'an SSA signed by an issuer the bank does not trust is refused',
    requirements: ['UK-DCR-34', 'RFC7591-16', 'BR-DCR-7'],
    profiles: ALL_PROFILES,
    expect: refused('unapproved_software_statement', 'invalid_software_statement'),
    async run(ctx) {
      const claims = { ...decodeJwt(await ctx.material.issueSsa()), iss: 'open-dcr conformance: untrusted directory' }
      const { privateKey } = await generateKeyPair('PS256')
      const ssa = await new SignJWT(claims).setProtectedHeader({ alg: 'PS256', kid: 'untrusted', typ: 'JWT' }).sign(privateKey)
      return registerAndRemember(ctx, await requestCarrying(ctx, ssa))
    },
  },
  {
    id: 'ssa-invalid-signature',
    title: "an SSA whose signature does not verify with the directory's keys is refused",
    requirements: ['UK-DCR-15', 'CDR-DCR-8', 'RFC7591-16'],
    profiles: ALL_PROFILES,
    expect: refused('invalid_software_statement', 'unapproved_software_statement'),
    async run(ctx) {
      // The directory's own header (alg, kid) over the same claims, signed by a key the directory never published.
      const original = await ctx.material.issueSsa()
      const header = JSON.parse(Buffer.from(original.split('.')[0]!, 'base64url').toString('utf8')) as { alg: string }
      const { privateKey } = await generateKeyPair('PS256')
      const forged = await new SignJWT(decodeJwt(original)).setProtectedHeader({ ...header, alg: 'PS256' }).sign(privateKey)
      return registerAndRemember(ctx, await requestCarrying(ctx, forged))
    },
  },
  {
    id: 'iss-not-software-id',
    title: 'a request whose iss is not the SSA software_id is refused',
    requirements: ['UK-DCR-19'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { iss: 'NotTheSoftwareId' })),
  },
  {
    id: 'wrong-audience',
    title: 'a request addressed to another bank (aud) is refused',
    requirements: ['UK-DCR-21'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { aud: 'https://another-bank.example.com' })),
  },
  {
    id: 'replayed-jti',
    title: 'the same signed request sent twice is refused the second time',
    requirements: ['UK-DCR-22', 'SEC-11'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata', 'invalid_software_statement'),
    async run(ctx) {
      const request = await prepareRequest(ctx)
      const first = await registerAndRemember(ctx, request)
      if (first.status !== 201) return { ...first, note: `the first send was not accepted (${first.status})` }
      return registerAndRemember(ctx, request)
    },
  },
  {
    id: 'expired-request',
    title: 'a request whose exp has passed is refused',
    requirements: ['UK-DCR-20', 'SEC-12'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { iat: now() - 1200, exp: now() - 600 })),
  },
  {
    id: 'future-iat',
    title: 'a request issued in the future is refused',
    requirements: ['SEC-12'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { iat: now() + 600, exp: now() + 900 })),
  },
  {
    id: 'http-redirect-uri',
    title: 'a plain-http redirect URI is refused',
    requirements: ['UK-DCR-23', 'FAPI-4'],
    profiles: ALL_PROFILES,
    expect: refused('invalid_redirect_uri'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { redirect_uris: ['http://acme-fin.example.co.uk/ob/callback'] })),
  },
  {
    id: 'localhost-redirect-uri',
    title: 'a localhost redirect URI is refused',
    requirements: ['UK-DCR-23', 'SEC-25'],
    profiles: ALL_PROFILES,
    expect: refused('invalid_redirect_uri'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { redirect_uris: ['https://localhost/ob/callback'] })),
  },
  {
    id: 'redirect-uri-outside-ssa',
    title: 'a redirect URI that is not in the SSA is refused',
    requirements: ['UK-DCR-24', 'CDR-DCR-14', 'BR-DCR-20'],
    profiles: ALL_PROFILES,
    expect: refused('invalid_redirect_uri'),
    run: async (ctx) => registerAndRemember(ctx, await requestWithSsa(ctx, { redirect_uris: ['https://acme-fin.example.co.uk.evil.example/cb'] })),
  },
  {
    id: 'missing-mandatory-claims',
    title: 'a request without token_endpoint_auth_method and grant_types is refused',
    requirements: ['UK-DCR-18', 'CDR-DCR-13', 'BR-DCR-4'],
    // RFC 7591 §2 defaults both (client_secret_basic, authorization_code): a plain RFC 7591 server may accept it.
    profiles: DIRECTORY_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { token_endpoint_auth_method: undefined, grant_types: undefined })),
  },
  {
    id: 'private-key-jwt-without-signing-alg',
    title: 'private_key_jwt without token_endpoint_auth_signing_alg is refused',
    requirements: ['UK-DCR-25', 'CDR-DCR-13'],
    profiles: SIGNED_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: undefined })),
  },
  {
    id: 'rs256-id-token-alg',
    title: 'id_token_signed_response_alg RS256 is refused under FAPI',
    requirements: ['UK-DCR-44', 'FAPI-1'],
    profiles: ALL_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { id_token_signed_response_alg: 'RS256' })),
  },
  {
    id: 'no-client-certificate',
    title: 'a registration without a client certificate is refused',
    requirements: ['UK-DCR-1', 'CDR-DCR-1', 'BR-DCR-1'],
    profiles: DIRECTORY_PROFILES,
    expect: { status: [400, 401, 403], errors: [], tlsRefusalConforms: true },
    run: async (ctx) => ctx.register((await prepareRequest(ctx)).body, { withoutCertificate: true }),
  },
]

/**
 * A refused management call: 401 with an RFC 6750 challenge. The `error` is not judged: RFC 6750 names
 * `invalid_token`, while the AU mock data holder answers `invalid_request` ("The client is unknown").
 */
const unauthorised: Expectation = { status: [401], errors: [], bearerChallenge: true }

/** A client id no server issued. */
const unknownClientId = (): string => `open-dcr-conformance-${randomBytes(16).toString('base64url')}`

/** A software id other than the TPP's, for an update that tries to change it. */
const OTHER_SOFTWARE_ID = 'OpenDcrConformanceOtherSoftware'


/** The judged answer, failed with `problem` when a follow-up check finds one. */
const withProblem = (result: ExchangeResult, problem: string | undefined): ExchangeResult => (problem === undefined ? result : { ...result, problem })

/** Members of a GET answer that differ from the 201's; a rotated registration access token does not count (RFC7592-8). */
function differences(registered: Readonly<Record<string, unknown>>, read: unknown): string[] {
  if (!isObject(read)) return ['(the answer is not a JSON object)']
  const names = new Set([...Object.keys(registered), ...Object.keys(read)])
  names.delete('registration_access_token')
  return [...names].filter((name) => !isDeepStrictEqual(registered[name], read[name]))
}

/** Deletes a case's own client; the case cannot go on unless the server answers 204. */
async function deleteForCase(ctx: CaseContext, client: RunClient, token: string): Promise<void> {
  const result = await ctx.clients.manage(client, 'DELETE', { token })
  if (result.status !== 204) throw new Error(`deleting the case's own client was not answered 204 (${answerSummary(result)})`)
}

/** After a refused call: the client's own GET still finds its registration, unchanged where `expected` says so. */
async function stillRegistered(ctx: CaseContext, client: RunClient, expected: Record<string, unknown> = {}): Promise<string | undefined> {
  const read = await ctx.clients.manage(client, 'GET', { token: await ctx.clients.credential(client) })
  if (read.status !== 200 || !isObject(read.json)) return `after the refusal, the client's own GET answered ${answerSummary(read)}: the refused call changed or removed the registration`
  const json = read.json
  const changed = Object.keys(expected).filter((name) => !isDeepStrictEqual(json[name], expected[name]))
  return changed.length === 0 ? undefined : `after the refusal, the registration's ${changed.join(', ')} changed`
}

function tokenOfAnotherClient(method: 'GET' | 'PUT' | 'DELETE'): ConformanceCase {
  return {
    id: `token-of-another-client-on-${method.toLowerCase()}`,
    title: `${method} of a registration with the valid credential of another client is refused with 401`,
    requirements: ['RFC7592-5', 'UK-DCR-6', 'SEC-33'],
    profiles: ALL_PROFILES,
    expect: unauthorised,
    async run(ctx) {
      const target = await ctx.clients.register()
      // The other client's token is the one revoked (RFC7592-5).
      const other = await ctx.clients.register({}, undefined, { losesRegistrationToken: TOKEN_PROFILES.includes(ctx.material.profile) })
      const token = await ctx.clients.credential(other)
      const body = method === 'PUT' ? await ctx.clients.updateRequest(target) : undefined
      // The other client calls, with its own certificate (its token may be bound to it, RFC 8705 §3).
      const result = await ctx.clients.manage(target, method, { token, as: other, ...(body === undefined ? {} : { body }) })
      if (result.status >= 200 && result.status < 300) return result
      return withProblem(result, await stillRegistered(ctx, target, { redirect_uris: target.information.redirect_uris }))
    },
  }
}

function unknownClient(method: 'GET' | 'PUT' | 'DELETE'): ConformanceCase {
  return {
    id: `unknown-client-id-on-${method.toLowerCase()}`,
    title: `${method} of a client id no one registered is refused with 401, never 404 (nothing tells whether an id exists)`,
    requirements: ['RFC7592-5', 'UK-DCR-6', 'SEC-33'],
    profiles: ALL_PROFILES,
    expect: unauthorised,
    async run(ctx) {
      const client = await ctx.clients.register({}, undefined, { losesRegistrationToken: TOKEN_PROFILES.includes(ctx.material.profile) })
      const token = await ctx.clients.credential(client)
      const unknown = unknownClientId()
      const body = method === 'PUT' ? await ctx.clients.updateRequest(client, { client_id: unknown }) : undefined
      return ctx.clients.manage(client, method, { token, path: ctx.clients.pathFor(client, unknown), ...(body === undefined ? {} : { body }) })
    },
  }
}

export const managementCases: readonly ConformanceCase[] = [
  {
    id: 'read-own-registration',
    title: 'GET of its own registration answers 200 with what the 201 registered',
    requirements: ['RFC7592-7', 'UK-DCR-2', 'UK-DCR-5'],
    profiles: ALL_PROFILES,
    expect: { status: [200], errors: [] },
    async run(ctx) {
      const client = await ctx.clients.register()
      const result = await ctx.clients.manage(client, 'GET', { token: await ctx.clients.credential(client) })
      if (result.status !== 200) return result
      const differing = differences(client.information, result.json)
      return withProblem(result, differing.length === 0 ? undefined : `the GET answer differs from the 201 in ${differing.join(', ')}`)
    },
  },
  {
    id: 'update-own-registration',
    title: 'PUT of a fresh signed request with a fresh SSA replaces the registration (200); GET shows the change with the same credential',
    requirements: ['RFC7592-9', 'RFC7592-13', 'RFC7592-18', 'UK-DCR-7', 'UK-DCR-8'],
    profiles: ALL_PROFILES,
    expect: { status: [200], errors: [] },
    async run(ctx) {
      const client = await ctx.clients.register()
      const token = await ctx.clients.credential(client)
      // A redirect URI only the fresh SSA lists, on the host of the others (hostname consistency); without an SSA (RFC 7591), a new one on the registered host.
      const claim = ctx.material.ssaNames.redirectUris
      const statement = await ctx.material.defaultSsa(client.participant.softwareId)
      const listed = statement === undefined ? client.information.redirect_uris : decodeJwt(statement)[claim]
      const first = Array.isArray(listed) && typeof listed[0] === 'string' ? listed[0] : undefined
      const added = first === undefined ? undefined : `${first.replace(/\/+$/, '')}/open-dcr-conformance`
      const body =
        added === undefined ? await ctx.clients.updateRequest(client)
        : statement === undefined ? await ctx.clients.updateRequest(client, { redirect_uris: [added] })
        : await ctx.clients.updateRequest(client, { redirect_uris: [added] }, { [claim]: [...(listed as string[]), added] })
      const result = await ctx.clients.manage(client, 'PUT', { token, body })
      if (result.status !== 200 || added === undefined) return result
      const answered = isObject(result.json) ? result.json.redirect_uris : undefined
      if (!isDeepStrictEqual(answered, [added])) return withProblem(result, `the PUT answer's redirect_uris is ${JSON.stringify(answered)}, not the requested ${JSON.stringify([added])}`)
      // UK-DCR-8: an access token outlives an update; a rotated registration access token is the latest one.
      const again = client.credentialKind === 'client-credentials' ? token : await ctx.clients.credential(client)
      const read = await ctx.clients.manage(client, 'GET', { token: again })
      const shown = isObject(read.json) ? read.json.redirect_uris : undefined
      if (read.status !== 200) return withProblem(result, `the GET after the update answered ${answerSummary(read)}`)
      return withProblem(result, isDeepStrictEqual(shown, [added]) ? undefined : `the GET after the update shows redirect_uris ${JSON.stringify(shown)}`)
    },
  },
  tokenOfAnotherClient('GET'),
  tokenOfAnotherClient('PUT'),
  tokenOfAnotherClient('DELETE'),
  unknownClient('GET'),
  unknownClient('PUT'),
  unknownClient('DELETE'),
  {
    id: 'software-id-change-on-put',
    title: 'a PUT whose software statement and request name another software_id is refused',
    requirements: ['UK-DCR-7', 'UK-DCR-19'],
    profiles: ALL_PROFILES,
    expect: refused('invalid_client_metadata', 'invalid_software_statement', 'unapproved_software_statement'),
    async run(ctx) {
      const client = await ctx.clients.register()
      const token = await ctx.clients.credential(client)
      const names = ctx.material.signedRequests ? { iss: OTHER_SOFTWARE_ID, software_id: OTHER_SOFTWARE_ID } : { software_id: OTHER_SOFTWARE_ID }
      const body = await ctx.clients.updateRequest(client, names, { software_id: OTHER_SOFTWARE_ID })
      const result = await ctx.clients.manage(client, 'PUT', { token, body })
      if (result.status !== 400) return result
      return withProblem(result, await stillRegistered(ctx, client, { software_id: client.information.software_id }))
    },
  },
  {
    id: 'delete-own-registration',
    title: 'DELETE of its own registration answers 204',
    requirements: ['RFC7592-15', 'UK-DCR-9'],
    profiles: ALL_PROFILES,
    expect: { status: [204], errors: [] },
    async run(ctx) {
      const client = await ctx.clients.register()
      return ctx.clients.manage(client, 'DELETE', { token: await ctx.clients.credential(client) })
    },
  },
  {
    id: 'read-after-delete',
    title: 'GET of a deleted registration, with the credential that deleted it, is refused with 401',
    requirements: ['RFC7592-5', 'RFC7592-15', 'UK-DCR-9'],
    profiles: ALL_PROFILES,
    expect: unauthorised,
    async run(ctx) {
      const client = await ctx.clients.register()
      const token = await ctx.clients.credential(client)
      await deleteForCase(ctx, client, token)
      return ctx.clients.manage(client, 'GET', { token })
    },
  },
  {
    id: 'token-after-delete',
    title: 'the token endpoint refuses a deleted client a new access token',
    requirements: ['RFC7592-15', 'UK-DCR-9'],
    profiles: ALL_PROFILES,
    expect: { status: [400, 401], errors: ['invalid_client'] },
    async run(ctx) {
      const client = await ctx.clients.register()
      const token = await ctx.clients.credential(client)
      if (client.credentialKind === 'registration-access-token') {
        // Where management does not go through the token endpoint, first show that it serves this client at all.
        const before = await ctx.clients.requestToken(client)
        if (before.status !== 200) throw new Error(`the token endpoint issued no access token to the client before its deletion (${answerSummary(before)}), so a refusal afterwards would prove nothing`)
      }
      await deleteForCase(ctx, client, token)
      return ctx.clients.requestToken(client)
    },
  },
]
