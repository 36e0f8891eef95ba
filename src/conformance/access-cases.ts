/**
 * Conformance cases of who may manage a registration (issue 12 items 6–9): without an Authorization header
 * GET, PUT and DELETE answer 401 with a Bearer challenge (RFC7592-2, RFC7592-4, RFC 6750 §3); where
 * registration access tokens are used, every 200 carries registration_client_uri and a token, and a rotated
 * token retires the old one (RFC7592-7, RFC7592-8, BR-DCR-27); the CDR answers an unknown client and another
 * client's token alike, 401 `Bearer error="invalid_request"` (CDR-DCR-2, SEC-33); a plain RFC 7591 client
 * registered without mutual TLS manages its registration without it.
 */
import { randomBytes } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { ALL_PROFILES, isObject, TOKEN_PROFILES, type CaseContext, type ConformanceCase, type Expectation } from './cases.ts'
import type { ExchangeResult } from './exchange.ts'
import { answerSummary, type ManagementMethod, type RunClient } from './run-clients.ts'

const unauthorised: Expectation = { status: [401], errors: [], bearerChallenge: true }
const withProblem = (result: ExchangeResult, problem: string | undefined): ExchangeResult => (problem === undefined ? result : { ...result, problem })
const unknownClientId = (): string => `open-dcr-conformance-${randomBytes(16).toString('base64url')}`

/** The client's own GET finds its registration as it was (or the problem). */
async function unchanged(ctx: CaseContext, client: RunClient): Promise<string | undefined> {
  const read = await ctx.clients.manage(client, 'GET', { token: await ctx.clients.credential(client) })
  if (read.status !== 200) return `afterwards the client's own GET answered ${answerSummary(read)}: the call without a token changed or removed the registration`
  const shown = isObject(read.json) ? read.json.client_name : undefined
  return shown === client.information.client_name ? undefined : `afterwards the registration's client_name is ${JSON.stringify(shown)}: the call without a token changed it`
}

function withoutAuthorization(method: ManagementMethod): ConformanceCase {
  return {
    id: `no-authorization-on-${method.toLowerCase()}`,
    title: `${method} of a registration without an Authorization header answers 401 with a Bearer challenge, and changes nothing`,
    requirements: ['RFC7592-2', 'RFC7592-4', 'UK-DCR-6'],
    profiles: ALL_PROFILES,
    expect: unauthorised,
    async run(ctx) {
      const client = await ctx.clients.register()
      const body = method === 'PUT' ? await ctx.clients.updateRequest(client, { client_name: 'Changed without a token' }) : undefined
      const result = await ctx.clients.manage(client, method, body === undefined ? {} : { body })
      if (result.status >= 200 && result.status < 300) return result
      return withProblem(result, await unchanged(ctx, client))
    },
  }
}

/** A 200 of GET or PUT carries registration_client_uri and registration_access_token (RFC 7592 §3: REQUIRED). */
function carriesCredentials(method: 'GET' | 'PUT'): ConformanceCase {
  return {
    id: `${method === 'GET' ? 'read' : 'update'}-answer-carries-registration-access-token`,
    title: `every 200 of ${method} carries registration_client_uri and a registration_access_token`,
    requirements: ['RFC7592-7', 'RFC7592-9', 'BR-DCR-27'],
    profiles: TOKEN_PROFILES,
    expect: { status: [200], errors: [] },
    async run(ctx) {
      const client = await ctx.clients.register()
      const token = await ctx.clients.credential(client)
      const body = method === 'PUT' ? await ctx.clients.updateRequest(client) : undefined
      const result = await ctx.clients.manage(client, method, { token, ...(body === undefined ? {} : { body }) })
      if (result.status !== 200) return result
      const json = isObject(result.json) ? result.json : {}
      const missing = ['registration_client_uri', 'registration_access_token'].filter((name) => typeof json[name] !== 'string' || json[name] === '')
      return withProblem(result, missing.length === 0 ? undefined : `the 200 has no ${missing.join(' and no ')}`)
    },
  }
}

/** CDR: the answer to management of a client the token does not belong to. */
const cdrRefusal = (result: ExchangeResult): string | undefined =>
  /error="invalid_request"/.test(result.wwwAuthenticate ?? '') ? undefined : `the challenge is ${JSON.stringify(result.wwwAuthenticate ?? '(none)')}, not Bearer error="invalid_request" (CDR-DCR-2, as the CDR reference authorisation server answers)`

function cdrUnknownClient(method: ManagementMethod): ConformanceCase {
  return {
    id: `cdr-unknown-client-on-${method.toLowerCase()}-invalid-request`,
    title: `CDR: ${method} of an unknown client answers 401 with Bearer error="invalid_request"`,
    requirements: ['CDR-DCR-2', 'RFC7592-5', 'SEC-33'],
    profiles: ['cdr'],
    expect: unauthorised,
    async run(ctx) {
      const client = await ctx.clients.register()
      const token = await ctx.clients.credential(client)
      const unknown = unknownClientId()
      const body = method === 'PUT' ? await ctx.clients.updateRequest(client, { client_id: unknown }) : undefined
      const result = await ctx.clients.manage(client, method, { token, path: ctx.clients.pathFor(client, unknown), ...(body === undefined ? {} : { body }) })
      return result.status === 401 ? withProblem(result, cdrRefusal(result)) : result
    },
  }
}

/** Status, challenge and body of an answer: what tells a caller apart. */
const observable = (result: ExchangeResult) => ({ status: result.status, challenge: result.wwwAuthenticate, body: result.json })

function managedWithoutCertificate(method: ManagementMethod): ConformanceCase {
  return {
    id: `rfc7591-manage-without-client-certificate-on-${method.toLowerCase()}`,
    title: `a client registered without mutual TLS can ${method} its registration without a client certificate`,
    requirements: ['RFC7592-2', 'RFC8705-1'],
    profiles: ['rfc7591'],
    expect: { status: [method === 'DELETE' ? 204 : 200], errors: [] },
    async run(ctx) {
      const client = await ctx.clients.register({}, undefined, { withoutCertificate: true })
      const token = await ctx.clients.credential(client)
      const body = method === 'PUT' ? await ctx.clients.updateRequest(client) : undefined
      return ctx.clients.manage(client, method, { token, withoutCertificate: true, ...(body === undefined ? {} : { body }) })
    },
  }
}

export const accessCases: readonly ConformanceCase[] = [
  withoutAuthorization('GET'),
  withoutAuthorization('PUT'),
  withoutAuthorization('DELETE'),
  carriesCredentials('GET'),
  carriesCredentials('PUT'),
  {
    id: 'rotated-registration-access-token-retired',
    title: 'once a read issues a new registration access token, the old one is refused with 401',
    requirements: ['RFC7592-8', 'BR-DCR-28'],
    profiles: TOKEN_PROFILES,
    // 200: the server did not rotate, so there is no old token to retire; 401: the retired token, refused.
    expect: { status: [200, 401], errors: [] },
    async run(ctx) {
      const client = await ctx.clients.register()
      const first = await ctx.clients.credential(client)
      const read = await ctx.clients.manage(client, 'GET', { token: first })
      if (read.status !== 200) return withProblem(read, `the GET with the token of the 201 answered ${answerSummary(read)}`)
      if (client.registrationAccessToken === first) return { ...read, note: 'the server kept the token: nothing to retire' }
      const old = await ctx.clients.manage(client, 'GET', { token: first, path: client.configurationPath.replace(/$/, '') })
      if (old.status === 200) return withProblem(old, 'the token the read replaced still reads the registration')
      return old.status === 401 && !/^\s*Bearer/i.test(old.wwwAuthenticate ?? '') ? withProblem(old, 'the 401 has no Bearer challenge') : old
    },
  },
  cdrUnknownClient('GET'),
  cdrUnknownClient('PUT'),
  cdrUnknownClient('DELETE'),
  {
    id: 'cdr-token-of-another-client-invalid-request',
    title: 'CDR: management with another client\'s token answers exactly as for an unknown client: 401, Bearer error="invalid_request"',
    requirements: ['CDR-DCR-2', 'RFC7592-5', 'SEC-33'],
    profiles: ['cdr'],
    expect: unauthorised,
    async run(ctx) {
      const target = await ctx.clients.register()
      const other = await ctx.clients.register()
      const token = await ctx.clients.credential(other)
      const foreign = await ctx.clients.manage(target, 'GET', { token, as: other })
      if (foreign.status !== 401) return foreign
      const unknown = await ctx.clients.manage(other, 'GET', { token: await ctx.clients.credential(other), path: ctx.clients.pathFor(other, unknownClientId()) })
      const same = isDeepStrictEqual(observable(foreign), observable(unknown))
      return withProblem(foreign, cdrRefusal(foreign) ?? (same ? undefined : `another client's answer ${JSON.stringify(observable(foreign))} differs from an unknown client's ${JSON.stringify(observable(unknown))}: it tells that the client exists`))
    },
  },
  managedWithoutCertificate('GET'),
  managedWithoutCertificate('PUT'),
  managedWithoutCertificate('DELETE'),
]
