/**
 * Conformance cases of what a registration registers (issue 12 items 1, 2, 4, 5): user-facing URIs sent in
 * the request share the host of the SSA's redirect URIs or are refused, and the SSA's value wins where it
 * has one (UK-DCR-39, BR-DCR-22, RFC7591-13); a CDR request that leaves optional fields out gets the
 * server's defaults for each (CDR-DCR-13, CDR-DCR-19); plain RFC 7591 reads its statements with the
 * metadata names and its grants with their defaults (RFC7591-8, RFC7591-13, RFC7592-9); the SSA error
 * codes only where a software statement is involved (RFC 7591 §3.2.2).
 */
import { isDeepStrictEqual } from 'node:util'
import { decodeJwt } from 'jose'
import { createCertificateAuthority } from '../sandbox/ca.ts'
import { accepted, ALL_PROFILES, DIRECTORY_PROFILES, isObject, prepareRequest, refused, registerAndRemember, requestWithSsa, type CaseContext, type ConformanceCase } from './cases.ts'
import type { ExchangeResult } from './exchange.ts'
import type { SsaClaimNames } from '../sandbox/ssa-shapes.ts'

const FOREIGN_HOST = 'https://elsewhere.example.net'

const withProblem = (result: ExchangeResult, problem: string | undefined): ExchangeResult => (problem === undefined ? result : { ...result, problem })

/** The member of a 201 answer, or undefined when the answer is not one. */
const answered = (result: ExchangeResult, name: string): unknown => (result.status === 201 && isObject(result.json) ? result.json[name] : undefined)

type UriField = { metadata: 'logo_uri' | 'tos_uri' | 'policy_uri' | 'client_uri'; ssa: keyof SsaClaimNames }
const URI_FIELDS: readonly UriField[] = [
  { metadata: 'logo_uri', ssa: 'logoUri' },
  { metadata: 'tos_uri', ssa: 'tosUri' },
  { metadata: 'policy_uri', ssa: 'policyUri' },
  { metadata: 'client_uri', ssa: 'clientUri' },
]

/** A request URI on another host than the SSA's redirect URIs, with the SSA carrying its own value: refused, or the SSA's value registered. */
function requestUriOnAnotherHost({ metadata, ssa }: UriField): ConformanceCase {
  return {
    id: `request-${metadata.replace('_', '-')}-on-another-host`,
    title: `a request ${metadata} on another host than the SSA's redirect URIs is refused, or the SSA's ${metadata} is registered instead`,
    requirements: ['UK-DCR-39', 'BR-DCR-22', 'RFC7591-13', 'SEC-24'],
    profiles: ALL_PROFILES,
    expect: { status: [201, 400], errors: ['invalid_client_metadata'] },
    async run(ctx) {
      const foreign = `${FOREIGN_HOST}/${metadata}`
      const request = await requestWithSsa(ctx, { [metadata]: foreign })
      const result = await registerAndRemember(ctx, request)
      const registered = answered(result, metadata)
      const statement = await ctx.material.issueSsa()
      const ssaValue = decodeJwt(statement)[ctx.material.ssaNames[ssa]]
      if (result.status !== 201) return result
      if (registered === foreign) return withProblem(result, `${metadata} ${foreign} was registered as sent: it must share the host of the SSA's redirect URIs`)
      return withProblem(result, registered === undefined || isDeepStrictEqual(registered, ssaValue) ? undefined : `the registered ${metadata} ${JSON.stringify(registered)} is neither the SSA's nor absent`)
    },
  }
}

/** The same, with an SSA that has no value of its own: nothing can win over the request, so it is refused. */
function requestUriWithoutSsaValue({ metadata, ssa }: UriField): ConformanceCase {
  return {
    id: `request-${metadata.replace('_', '-')}-on-another-host-without-ssa-value`,
    title: `a request ${metadata} on another host, where the SSA has no ${metadata}, is refused with invalid_client_metadata`,
    requirements: ['UK-DCR-39', 'RFC7591-13', 'SEC-24'],
    profiles: ALL_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await requestWithSsa(ctx, { [metadata]: `${FOREIGN_HOST}/${metadata}` }, { [ctx.material.ssaNames[ssa]]: undefined })),
  }
}

/** RFC 7591 §2: a client_credentials-only client uses no redirection, so needs neither redirect_uris nor a response type. */
const clientCredentialsOnly: Record<string, unknown> = { grant_types: ['client_credentials'], response_types: undefined, redirect_uris: undefined }

async function rfc7591WithStatement(ctx: CaseContext, omitted: string, ssaClaims: Record<string, unknown> = {}): Promise<{ result: ExchangeResult; statement: Record<string, unknown> }> {
  const request = await requestWithSsa(ctx, { [omitted]: undefined }, ssaClaims)
  const sent = JSON.parse(request.body) as { software_statement: string }
  return { result: await registerAndRemember(ctx, request), statement: decodeJwt(sent.software_statement) }
}

export const metadataCases: readonly ConformanceCase[] = [
  ...URI_FIELDS.map(requestUriOnAnotherHost),
  ...URI_FIELDS.filter((field) => field.metadata === 'tos_uri' || field.metadata === 'policy_uri').map(requestUriWithoutSsaValue),
  {
    id: 'cdr-omitted-optional-fields-get-defaults',
    title: "a CDR request without its optional fields gets the server's default for each, request_object_signing_alg included",
    requirements: ['CDR-DCR-13', 'CDR-DCR-19'],
    profiles: ['cdr'],
    expect: accepted,
    async run(ctx) {
      const optional = ['redirect_uris', 'application_type', 'request_object_signing_alg']
      const result = await registerAndRemember(ctx, await prepareRequest(ctx, Object.fromEntries(optional.map((name) => [name, undefined]))))
      if (result.status !== 201) return result
      const missing = optional.filter((name) => answered(result, name) === undefined)
      if (missing.length > 0) return withProblem(result, `the 201 has no default for ${missing.join(', ')} (CDR-DCR-19: all registered metadata incl. the data holder's defaults)`)
      const alg = answered(result, 'request_object_signing_alg')
      return withProblem(result, alg === 'PS256' || alg === 'ES256' ? undefined : `request_object_signing_alg defaulted to ${JSON.stringify(alg)}, not a FAPI algorithm`)
    },
  },
  {
    id: 'no-software-statement',
    title: 'a request without a software statement, where one is required, is refused with invalid_client_metadata (no statement is involved)',
    requirements: ['RFC7591-14', 'UK-DCR-18', 'CDR-DCR-13', 'BR-DCR-4'],
    profiles: DIRECTORY_PROFILES,
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { software_statement: undefined })),
  },
  {
    id: 'malformed-software-statement',
    title: 'a software statement that is not a JWS is refused with invalid_software_statement',
    requirements: ['RFC7591-15', 'UK-DCR-15'],
    profiles: ALL_PROFILES,
    expect: refused('invalid_software_statement'),
    run: async (ctx) => registerAndRemember(ctx, await prepareRequest(ctx, { software_statement: 'not-a-software-statement' })),
  },
  {
    id: 'untrusted-transport-certificate',
    title: 'a transport certificate from a CA no directory uses is refused, and not with a software statement error',
    requirements: ['UK-DCR-1', 'CDR-DCR-1', 'BR-DCR-1', 'RFC7591-15'],
    profiles: DIRECTORY_PROFILES,
    expect: { status: [400, 401, 403], errors: ['invalid_client_metadata', 'invalid_client', 'invalid_request', 'access_denied', 'unauthorized_client'], tlsRefusalConforms: true },
    async run(ctx) {
      const request = await prepareRequest(ctx)
      // The software's name on a certificate no directory issued: only the chain is wrong.
      const issued = await (await createCertificateAuthority('open-dcr conformance untrusted CA', 2)).issueClient({ subject: `CN=${request.participant.softwareId},O=Untrusted,C=GB` })
      const result = await ctx.register(request.body, { transport: { certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem } })
      if (result.status === 201) ctx.created(result.json, request.participant)
      return result
    },
  },
  {
    id: 'unsupported-media-type',
    title: 'a registration body sent as text/plain is refused',
    requirements: ['UK-DCR-42', 'CDR-DCR-22', 'BR-DCR-29', 'RFC7591-1'],
    profiles: ALL_PROFILES,
    expect: { status: [400, 415], errors: [] },
    async run(ctx) {
      const request = await prepareRequest(ctx)
      const result = await ctx.register(request.body, { transport: request.participant.transport, contentType: 'text/plain' })
      if (result.status === 201) ctx.created(result.json, request.participant)
      return result
    },
  },
  {
    id: 'rfc7591-registration-with-software-statement',
    title: 'a plain RFC 7591 registration carrying a software statement with the metadata names is accepted',
    requirements: ['RFC7591-13', 'RFC7591-14'],
    profiles: ['rfc7591'],
    expect: accepted,
    run: async (ctx) => registerAndRemember(ctx, await requestWithSsa(ctx)),
  },
  {
    id: 'rfc7591-client-credentials-without-redirect-uris',
    title: 'a client_credentials-only client registers without redirect_uris, and is given no response type of a redirect grant',
    requirements: ['RFC7591-8'],
    profiles: ['rfc7591'],
    expect: accepted,
    async run(ctx) {
      const result = await registerAndRemember(ctx, await prepareRequest(ctx, clientCredentialsOnly))
      const types = answered(result, 'response_types')
      return withProblem(result, Array.isArray(types) && types.includes('code') ? `response_types defaulted to ${JSON.stringify(types)}, which needs the authorization_code grant the client did not register` : undefined)
    },
  },
  {
    id: 'rfc7591-response-types-default-follow-grant-types',
    title: 'an authorization_code client that leaves response_types out is registered with ["code"]',
    requirements: ['RFC7591-8'],
    profiles: ['rfc7591'],
    expect: accepted,
    async run(ctx) {
      const result = await registerAndRemember(ctx, await prepareRequest(ctx, { grant_types: ['authorization_code'], response_types: undefined }))
      const types = answered(result, 'response_types')
      return withProblem(result, result.status !== 201 || isDeepStrictEqual(types, ['code']) ? undefined : `response_types defaulted to ${JSON.stringify(types)}, not ["code"]`)
    },
  },
  ...(['redirect_uris', 'logo_uri', 'scope', 'jwks_uri'] as const).map(
    (name): ConformanceCase => ({
      id: `rfc7591-ssa-${name.replace('_', '-')}-registered`,
      title: `a plain RFC 7591 request that leaves ${name} out registers the software statement's ${name}`,
      requirements: ['RFC7591-13'],
      profiles: ['rfc7591'],
      expect: accepted,
      async run(ctx) {
        const { result, statement } = await rfc7591WithStatement(ctx, name)
        if (result.status !== 201) return result
        return withProblem(result, isDeepStrictEqual(answered(result, name), statement[name]) ? undefined : `${name} registered as ${JSON.stringify(answered(result, name))}, not the statement's ${JSON.stringify(statement[name])}`)
      },
    }),
  ),
  {
    id: 'rfc7591-scope-beyond-ssa',
    title: "a plain RFC 7591 request for a scope its software statement does not grant is refused, or given only the statement's",
    requirements: ['RFC7591-13'],
    profiles: ['rfc7591'],
    expect: { status: [201, 400], errors: ['invalid_client_metadata'] },
    async run(ctx) {
      const request = await requestWithSsa(ctx, { scope: 'openid accounts payments' }, { scope: 'openid accounts' })
      const result = await registerAndRemember(ctx, request)
      const scope = answered(result, 'scope')
      return withProblem(result, typeof scope === 'string' && scope.split(' ').includes('payments') ? `scope ${scope} was registered beyond the statement's "openid accounts"` : undefined)
    },
  },
  {
    id: 'rfc7591-update-without-software-id',
    title: 'a client registered without software_id (and no statement) can update its registration',
    requirements: ['RFC7592-9', 'RFC7591-14'],
    profiles: ['rfc7591'],
    expect: { status: [200], errors: [] },
    async run(ctx) {
      const client = await ctx.clients.register({ software_id: undefined }, undefined, { ssa: null })
      const token = await ctx.clients.credential(client)
      return ctx.clients.manage(client, 'PUT', { token, body: await ctx.clients.updateRequest(client, { software_id: undefined, client_name: 'Acme Budget renamed' }) })
    },
  },
  {
    id: 'rfc7591-registration-without-client-certificate',
    title: 'a plain RFC 7591 registration without a client certificate is accepted where the server does not demand mutual TLS',
    requirements: ['RFC7591-18', 'RFC8705-1'],
    profiles: ['rfc7591'],
    expect: accepted,
    async run(ctx) {
      const request = await prepareRequest(ctx)
      const result = await ctx.register(request.body, { withoutCertificate: true })
      if (result.status === 201) ctx.clients.remember(result.json, request.participant, true)
      return result
    },
  },
]
