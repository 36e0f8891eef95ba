/**
 * What the registration fuzzer sends (issue 13 item 12): fast-check arbitraries for a POST /register, as plain
 * data (a plan), and `renderCase`, which turns a plan into the request's bytes at send time. Plans are of four
 * kinds:
 * - `bytes`: random bytes under a random Content-Type;
 * - `json`: random JSON text (RFC 7591 §3.1 plain metadata, refused or not by the profile);
 * - `segments`: dot-joined compact-JWS segments, each random base64url, bad base64, huge, a header with
 *   duplicate members, or a real header/payload/signature segment;
 * - `signed`: the sandbox's valid UK request (UK-DCR-14) and SSA (uk-obie-dcr.md §5), both re-signed after
 *   their members were set to a value of any JSON type, removed or duplicated, at any claim a validator reads,
 *   in the JOSE headers too, so that each mutation reaches the check that owns it.
 * Every plan also carries a Content-Type (or none) and extra HTTP headers. Nothing here talks to the server.
 */
import { randomUUID } from 'node:crypto'
import { base64url, decodeJwt } from 'jose'
import fc from 'fast-check'
import { KNOWN_METADATA } from '../../src/registration/metadata.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { signCompactText } from './compact-signer.ts'

/** A claim value that means "this many seconds from the moment the case is sent" (iat, exp, nbf stay meaningful). */
export class SecondsFromNow {
  readonly seconds: number
  constructor(seconds: number) {
    this.seconds = seconds
  }
}

/** One change to a JSON object's members: set (or add), remove, or add a second member of the same name. */
export type Mutation = { op: 'set'; name: string; value: unknown } | { op: 'remove'; name: string } | { op: 'duplicate'; name: string; value: unknown }

type Transport = {
  /** undefined: no Content-Type header. */
  contentType: string | undefined
  headers: Record<string, string>
}

/** A segment of a `segments` plan; the `real-*` ones are filled from a valid request at send time. */
export type Segment = { text: string } | { real: 'header' | 'payload' | 'signature' | 'ssa' }

export type FuzzCase =
  | (Transport & { kind: 'bytes'; bytes: Uint8Array })
  | (Transport & { kind: 'json'; text: string })
  | (Transport & { kind: 'segments'; segments: Segment[] })
  | (Transport & { kind: 'signed'; requestHeader: Mutation[]; request: Mutation[]; ssaHeader: Mutation[]; ssa: Mutation[] })

/** The JOSE header members (RFC 7515 §4.1, RFC 7797, RFC 7516) a verifier may read. */
const HEADER_MEMBERS = ['alg', 'kid', 'typ', 'cty', 'crit', 'jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'b64', 'zip', 'enc', 'iss', '__proto__'] as const

/** Every request member a validator or the metadata model reads: the UK request's, RFC 7591 §2's, the envelope's, the server-controlled ones. */
const REQUEST_CLAIMS = [
  ...KNOWN_METADATA,
  ...['iss', 'sub', 'aud', 'iat', 'exp', 'nbf', 'jti', 'software_statement'],
  ...['client_id', 'client_secret', 'client_id_issued_at', 'client_secret_expires_at', 'registration_access_token', 'registration_client_uri'],
  ...['__proto__', 'constructor', 'prototype'],
]

/** The UK SSA's claims (uk-obie-dcr.md §5) and the envelope claims of a JWT (RFC 7519 §4.1). */
const SSA_CLAIMS = [
  ...['iss', 'iat', 'exp', 'nbf', 'jti', 'aud', 'sub'],
  ...['software_environment', 'software_mode', 'software_id', 'software_client_id', 'software_client_name', 'software_client_description', 'software_version', 'software_client_uri'],
  ...['software_redirect_uris', 'software_roles', 'organisation_competent_authority_claims', 'software_logo_uri', 'org_status', 'org_id', 'org_name', 'org_contacts'],
  ...['org_jwks_endpoint', 'org_jwks_revoked_endpoint', 'software_jwks_endpoint', 'software_jwks_revoked_endpoint', 'software_policy_uri', 'software_tos_uri', 'software_on_behalf_of_org'],
  ...['redirect_uris', 'jwks_uri', 'scope', 'software_statement', '__proto__'],
]

const printable = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength })

/** URLs that are valid to a URL parser but lead nowhere slow: the SSA's own host, a closed port, refused schemes and hosts. */
const urlValue = fc.tuple(fc.constantFrom('https://acme-fin.example.co.uk', 'https://127.0.0.1:1', 'http://127.0.0.1', 'https://localhost', 'https://acme.example.com', 'https://[::1]', 'javascript:', 'https://a..b', 'https://xn--80ak6aa92e.com'), printable(30)).map(([origin, path]) => `${origin}/${encodeURIComponent(path)}`)

/** Values that sit on the edges validators care about. */
const edgeValue = fc.constantFrom<unknown>(
  null, true, false, 0, -0, -1, 1.5, 2 ** 53, -(2 ** 53), 1e308, -1e308, '', ' ', '\u0000', 'null', '0', 'none', 'HS256', 'RS256', 'PS256', 'ES256',
  'web', 'native', 'private_key_jwt', 'tls_client_auth', 'client_secret_basic', 'code', 'code id_token', 'authorization_code', 'openid accounts payments',
  [], [''], [null], [1, 2], {}, { keys: [] }, { kty: 'RSA' },
)

/** Big values: a 10,000-character string, a 2,000-item list, nesting 30 deep (past MAX_JSON_DEPTH). */
const hugeValue = fc.constantFrom<unknown>('x'.repeat(10_000), Array.from({ length: 2_000 }, (_, i) => `https://acme.example.com/${i}`), JSON.parse('['.repeat(30) + ']'.repeat(30)))

/** A claim value of any JSON type (or a time relative to sending). */
export const claimValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: edgeValue },
  { weight: 2, arbitrary: fc.integer({ min: -400_000, max: 400_000 }).map((seconds) => new SecondsFromNow(seconds)) },
  { weight: 2, arbitrary: urlValue },
  { weight: 2, arbitrary: fc.array(urlValue, { maxLength: 3 }) },
  { weight: 1, arbitrary: hugeValue },
)

const mutationOf = (names: readonly string[]): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), name: fc.constantFrom(...names), value: claimValue }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), name: fc.constantFrom(...names) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicate' as const), name: fc.constantFrom(...names), value: claimValue }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('set' as const), name: printable(12), value: claimValue }) },
  )

const MEDIA_TYPES = [
  'application/jwt', 'application/jwt', 'application/jwt', 'application/jwt; charset=utf-8', 'APPLICATION/JWT', 'application/jwt;charset="UTF-8"', 'application/jwt;;',
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/jose', 'application/jose+json', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'text/plain', 'text/html', '*/*', 'application/*', 'application', '/', ';', '',
]

const contentType = fc.oneof({ weight: 8, arbitrary: fc.constantFrom<string | undefined>(...MEDIA_TYPES) }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: printable(60) })

/** Mostly the media type the body is meant for, so that the body, not the Content-Type, is what the server judges. */
const contentTypeFor = (mediaType: string) => fc.oneof({ weight: 3, arbitrary: fc.constant(mediaType) }, { weight: 1, arbitrary: contentType })

/** Header names a server might read (forwarding, the proxy certificate header, encodings, authorization) and random ones. */
const headerName = fc.oneof(
  fc.constantFrom('accept', 'accept-encoding', 'accept-language', 'authorization', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-ssl-client-cert', 'x-client-cert', 'content-encoding', 'user-agent', 'origin', 'cookie', 'x-request-id', 'if-none-match', 'range', 'dpop'),
  fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
)
const headerValue = printable(200).map((value) => value.trim())
const httpHeaders = fc.dictionary(headerName, headerValue, { maxKeys: 4, noNullPrototype: true })

/** One segment of a compact JWS as an attacker writes it. */
const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Segment>({ real: 'header' }, { real: 'payload' }, { real: 'signature' }, { real: 'ssa' }) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 2 }).map((text) => ({ text: base64url.encode(text) })) },
  { weight: 1, arbitrary: fc.constantFrom('{"alg":"none","alg":"PS256"}', '{"alg":"PS256","typ":"JWT","typ":"JOSE"}', '{"alg":"PS256","crit":["b64"],"b64":false}', '{"__proto__":{"alg":"none"}}').map((text) => ({ text: base64url.encode(text) })) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'ABCabc019-_+/=.! %\\"'), maxLength: 40 }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ text: base64url.encode(bytes) })) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 20_000, 70_000).map((length) => ({ text: 'A'.repeat(length) })) },
  { weight: 1, arbitrary: fc.constant({ text: '' }) },
)

/** Any registration attempt, weighted towards signed requests that get deep into the pipeline. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 512 }), contentType: contentTypeFor('application/jwt'), headers: httpHeaders }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('json' as const), text: fc.json({ maxDepth: 3 }), contentType: contentTypeFor('application/json'), headers: httpHeaders }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('segments' as const), segments: fc.array(segment, { minLength: 1, maxLength: 5 }), contentType: contentTypeFor('application/jwt'), headers: httpHeaders }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('signed' as const),
      requestHeader: fc.array(mutationOf(HEADER_MEMBERS), { maxLength: 1 }),
      request: fc.array(mutationOf(REQUEST_CLAIMS), { maxLength: 3 }),
      ssaHeader: fc.array(mutationOf(HEADER_MEMBERS), { maxLength: 1 }),
      ssa: fc.array(mutationOf(SSA_CLAIMS), { maxLength: 2 }),
      contentType: contentTypeFor('application/jwt'),
      headers: httpHeaders,
    }),
  },
)

type Entries = Array<[string, unknown]>

/** Applies mutations to a member list (a list, not an object: duplicates and `__proto__` must survive). */
function mutated(entries: Entries, mutations: readonly Mutation[]): Entries {
  let out = [...entries]
  for (const mutation of mutations) {
    if (mutation.op === 'remove') out = out.filter(([name]) => name !== mutation.name)
    else if (mutation.op === 'duplicate') out.push([mutation.name, mutation.value])
    else {
      const at = out.findIndex(([name]) => name === mutation.name)
      if (at === -1) out.push([mutation.name, mutation.value])
      else out[at] = [mutation.name, mutation.value]
    }
  }
  return out
}

/** JSON text of a member list, in order, duplicates kept; relative times become epoch seconds. */
function jsonText(entries: Entries, nowSeconds: number): string {
  const value = (item: unknown): unknown => (item instanceof SecondsFromNow ? nowSeconds + item.seconds : item)
  return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${JSON.stringify(value(item)) ?? 'null'}`).join(',')}}`
}

export type RenderedCase = { body: Uint8Array | string; headers: Record<string, string> }

/** What rendering needs: the sandbox (its directory and TPP keys) and the audience of requests. */
export type CaseMaterial = { sandbox: Sandbox; audience: string; ssaTemplate: Entries }

/** The material for `sandbox`: the default UK SSA's claims are read once from an issued SSA. */
export async function caseMaterial(sandbox: Sandbox, audience: string): Promise<CaseMaterial> {
  return { sandbox, audience, ssaTemplate: Object.entries(decodeJwt(await sandbox.issueSsa())) }
}

/** A fresh SSA and request, both mutated as the plan says and re-signed (the directory key, the TPP key). */
async function signedBodies(material: CaseMaterial, plan: Extract<FuzzCase, { kind: 'signed' }> | undefined): Promise<{ request: string; ssa: string }> {
  const { sandbox, audience, ssaTemplate } = material
  const now = Math.floor(Date.now() / 1000)
  const ssaEntries = ssaTemplate.map(([name, value]): [string, unknown] => (name === 'iat' ? [name, now] : name === 'jti' ? [name, randomUUID()] : [name, value]))
  const directoryKey = sandbox.directory.signingKey
  const ssa = await signCompactText(directoryKey, jsonText(mutated([['alg', directoryKey.alg], ['kid', directoryKey.kid], ['typ', 'JWT']], plan?.ssaHeader ?? []), now), jsonText(mutated(ssaEntries, plan?.ssa ?? []), now))
  const tpp = sandbox.tpp
  const requestEntries = Object.entries(tpp.registrationClaims({ ssa, aud: audience }))
  const request = await signCompactText(tpp.signingKey, jsonText(mutated([['alg', tpp.signingKey.alg], ['kid', tpp.kid], ['typ', 'JWT']], plan?.requestHeader ?? []), now), jsonText(mutated(requestEntries, plan?.request ?? []), now))
  return { request, ssa }
}

/** The body and headers of a plan, signed now (fresh iat and jti, so that only the plan's mutations differ). */
export async function renderCase(material: CaseMaterial, plan: FuzzCase): Promise<RenderedCase> {
  const headers = { ...plan.headers, ...(plan.contentType === undefined ? {} : { 'content-type': plan.contentType }) }
  switch (plan.kind) {
    case 'bytes':
      return { body: plan.bytes, headers }
    case 'json':
      return { body: plan.text, headers }
    case 'segments': {
      const needsReal = plan.segments.some((part) => 'real' in part)
      const real = needsReal ? await signedBodies(material, undefined) : undefined
      const [header, payload, signature] = real?.request.split('.') ?? []
      const text = (part: Segment): string => ('text' in part ? part.text : part.real === 'header' ? header! : part.real === 'payload' ? payload! : part.real === 'signature' ? signature! : real!.ssa)
      return { body: plan.segments.map(text).join('.'), headers }
    }
    case 'signed':
      return { body: (await signedBodies(material, plan)).request, headers }
  }
}
