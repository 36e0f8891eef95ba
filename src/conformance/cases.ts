/**
 * The conformance catalogue: each case sends one registration (or a short sequence) to the server under
 * test and states the answer a conforming DCR endpoint gives, with the requirement it comes from. Named
 * after what is rejected, as oauth4webapi's conformance modules are.
 */
import { decodeJwt, generateKeyPair, SignJWT } from 'jose'
import type { ConformanceMaterial } from './material.ts'
import type { ExchangeResult } from './exchange.ts'

export type Expectation = {
  /** Acceptable HTTP statuses. */
  status: readonly number[]
  /** Acceptable `error` values (any when empty). */
  errors: readonly string[]
  /** A refusal during the TLS handshake also conforms (no client certificate). */
  tlsRefusalConforms?: boolean
}

export type CaseContext = {
  material: ConformanceMaterial
  /** Sends a registration request body over mutual TLS (or without a certificate). */
  register(body: string, options?: { withoutCertificate?: boolean }): Promise<ExchangeResult>
  /** Remembers a client the case created, so the runner can delete it afterwards. */
  created(clientId: string): void
}

export type ConformanceCase = {
  id: string
  title: string
  requirements: readonly string[]
  expect: Expectation
  /** Runs the case; returns the answer that is judged against `expect`. */
  run(ctx: CaseContext): Promise<ExchangeResult>
}

const accepted: Expectation = { status: [201], errors: [] }
const refused = (...errors: string[]): Expectation => ({ status: [400], errors })
const now = () => Math.floor(Date.now() / 1000)

async function signedRequest(ctx: CaseContext, overrides: Record<string, unknown> = {}, ssaClaims?: Record<string, unknown>): Promise<string> {
  const ssa = await ctx.material.issueSsa(ssaClaims)
  return ctx.material.sign(ctx.material.registrationClaims(ssa, overrides))
}

async function registerAndRemember(ctx: CaseContext, body: string): Promise<ExchangeResult> {
  const result = await ctx.register(body)
  const clientId = (result.json as { client_id?: unknown } | undefined)?.client_id
  if (result.status === 201 && typeof clientId === 'string') ctx.created(clientId)
  return result
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

export const registrationCases: readonly ConformanceCase[] = [
  {
    id: 'valid-registration',
    title: 'a valid signed registration request is accepted',
    requirements: ['RFC7591-18', 'UK-DCR-1', 'CDR-DCR-19'],
    expect: accepted,
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx)),
  },
  {
    id: 'invalid-request-signature',
    title: 'a request signed by a key not in the TPP JWKS is refused',
    requirements: ['UK-DCR-14', 'CDR-DCR-12', 'SEC-10'],
    expect: refused('invalid_client_metadata', 'invalid_software_statement'),
    async run(ctx) {
      const claims = ctx.material.registrationClaims(await ctx.material.issueSsa())
      const { privateKey } = await generateKeyPair('PS256')
      return registerAndRemember(ctx, await new SignJWT(claims).setProtectedHeader({ alg: 'PS256', kid: ctx.material.kid, typ: 'JWT' }).sign(privateKey))
    },
  },
  {
    id: 'alg-none',
    title: 'an unsigned request (alg none) is refused',
    requirements: ['SEC-1'],
    expect: refused('invalid_client_metadata'),
    async run(ctx) {
      const claims = ctx.material.registrationClaims(await ctx.material.issueSsa())
      return registerAndRemember(ctx, `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`)
    },
  },
  {
    id: 'hs256-with-public-key',
    title: 'a request MACed with HS256 keyed by the public key is refused',
    requirements: ['SEC-2'],
    expect: refused('invalid_client_metadata'),
    async run(ctx) {
      const claims = ctx.material.registrationClaims(await ctx.material.issueSsa())
      const secret = new TextEncoder().encode(ctx.material.kid.padEnd(32, 'x'))
      return registerAndRemember(ctx, await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: ctx.material.kid }).sign(secret))
    },
  },
  {
    id: 'unknown-kid',
    title: 'a request whose kid is not in the TPP JWKS is refused',
    requirements: ['SEC-4'],
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await ctx.material.sign(ctx.material.registrationClaims(await ctx.material.issueSsa()), { kid: 'open-dcr-conformance-unknown-kid' })),
  },
  {
    id: 'ssa-untrusted-issuer',
    title: 'an SSA signed by an issuer the bank does not trust is refused',
    requirements: ['UK-DCR-34', 'RFC7591-16'],
    expect: refused('unapproved_software_statement', 'invalid_software_statement'),
    async run(ctx) {
      const claims = { ...decodeJwt(await ctx.material.issueSsa()), iss: 'open-dcr conformance: untrusted directory' }
      const { privateKey } = await generateKeyPair('PS256')
      const ssa = await new SignJWT(claims).setProtectedHeader({ alg: 'PS256', kid: 'untrusted', typ: 'JWT' }).sign(privateKey)
      return registerAndRemember(ctx, await ctx.material.sign(ctx.material.registrationClaims(ssa)))
    },
  },
  {
    id: 'ssa-invalid-signature',
    title: "an SSA whose signature does not verify with the directory's keys is refused",
    requirements: ['UK-DCR-15', 'CDR-DCR-8'],
    expect: refused('invalid_software_statement', 'unapproved_software_statement'),
    async run(ctx) {
      // The directory's own header (alg, kid) over the same claims, signed by a key the directory never published.
      const original = await ctx.material.issueSsa()
      const header = JSON.parse(Buffer.from(original.split('.')[0]!, 'base64url').toString('utf8')) as { alg: string }
      const { privateKey } = await generateKeyPair('PS256')
      const forged = await new SignJWT(decodeJwt(original)).setProtectedHeader({ ...header, alg: 'PS256' }).sign(privateKey)
      return registerAndRemember(ctx, await ctx.material.sign(ctx.material.registrationClaims(forged)))
    },
  },
  {
    id: 'iss-not-software-id',
    title: 'a request whose iss is not the SSA software_id is refused',
    requirements: ['UK-DCR-19'],
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { iss: 'NotTheSoftwareId' })),
  },
  {
    id: 'wrong-audience',
    title: 'a request addressed to another bank (aud) is refused',
    requirements: ['UK-DCR-21'],
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { aud: 'https://another-bank.example.com' })),
  },
  {
    id: 'replayed-jti',
    title: 'the same signed request sent twice is refused the second time',
    requirements: ['UK-DCR-22', 'SEC-11'],
    expect: refused('invalid_client_metadata', 'invalid_software_statement'),
    async run(ctx) {
      const body = await signedRequest(ctx)
      const first = await registerAndRemember(ctx, body)
      if (first.status !== 201) return { ...first, note: `the first send was not accepted (${first.status})` }
      return registerAndRemember(ctx, body)
    },
  },
  {
    id: 'expired-request',
    title: 'a request whose exp has passed is refused',
    requirements: ['UK-DCR-20', 'SEC-12'],
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { iat: now() - 1200, exp: now() - 600 })),
  },
  {
    id: 'future-iat',
    title: 'a request issued in the future is refused',
    requirements: ['SEC-12'],
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { iat: now() + 600, exp: now() + 900 })),
  },
  {
    id: 'http-redirect-uri',
    title: 'a plain-http redirect URI is refused',
    requirements: ['UK-DCR-23', 'FAPI-4'],
    expect: refused('invalid_redirect_uri'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { redirect_uris: ['http://acme-fin.example.co.uk/ob/callback'] })),
  },
  {
    id: 'localhost-redirect-uri',
    title: 'a localhost redirect URI is refused',
    requirements: ['UK-DCR-23', 'SEC-25'],
    expect: refused('invalid_redirect_uri'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { redirect_uris: ['https://localhost/ob/callback'] })),
  },
  {
    id: 'redirect-uri-outside-ssa',
    title: 'a redirect URI that is not in the SSA is refused',
    requirements: ['UK-DCR-24', 'CDR-DCR-14'],
    expect: refused('invalid_redirect_uri'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { redirect_uris: ['https://acme-fin.example.co.uk.evil.example/cb'] })),
  },
  {
    id: 'missing-mandatory-claims',
    title: 'a request without token_endpoint_auth_method and grant_types is refused',
    requirements: ['UK-DCR-18', 'CDR-DCR-13'],
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { token_endpoint_auth_method: undefined, grant_types: undefined })),
  },
  {
    id: 'private-key-jwt-without-signing-alg',
    title: 'private_key_jwt without token_endpoint_auth_signing_alg is refused',
    requirements: ['UK-DCR-25'],
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: undefined })),
  },
  {
    id: 'rs256-id-token-alg',
    title: 'id_token_signed_response_alg RS256 is refused under FAPI',
    requirements: ['UK-DCR-44', 'FAPI-1'],
    expect: refused('invalid_client_metadata'),
    run: async (ctx) => registerAndRemember(ctx, await signedRequest(ctx, { id_token_signed_response_alg: 'RS256' })),
  },
  {
    id: 'no-client-certificate',
    title: 'a registration without a client certificate is refused',
    requirements: ['UK-DCR-1', 'CDR-DCR-1', 'BR-DCR-1'],
    expect: { status: [400, 401, 403], errors: [], tlsRefusalConforms: true },
    run: async (ctx) => ctx.register(await signedRequest(ctx), { withoutCertificate: true }),
  },
]
