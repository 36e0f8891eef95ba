/**
 * Conformance cases of the token endpoint a registered client uses (issue 12 items 10–12): a Brazil
 * tls_client_auth client registered with its certificate's subject DN gets a token (BR-DCR-14, RFC 8705
 * §2.1); self_signed_tls_client_auth, where advertised, works end to end, the presented certificate matched
 * against the registered keys (RFC 8705 §2.2); every 401 carries WWW-Authenticate (RFC 9110 §15.5.2), never
 * an `invalid_client` inside a Bearer challenge (RFC 6749 §5.2 names the client's own scheme).
 */
import { randomUUID, X509Certificate } from 'node:crypto'
import { exportJWK, generateKeyPair, importX509, SignJWT } from 'jose'
import { createCertificateAuthority } from '../sandbox/ca.ts'
import { brazilSubjectDnOf } from '../trust/brazil-distinguished-name.ts'
import { ALL_PROFILES, isObject, type CaseContext, type ConformanceCase, type Expectation } from './cases.ts'
import { exchange, type ExchangeResult } from './exchange.ts'
import type { Transport } from './material.ts'
import { JWT_BEARER_ASSERTION_TYPE } from './run-clients.ts'

const FORM = 'application/x-www-form-urlencoded'
const withProblem = (result: ExchangeResult, problem: string | undefined): ExchangeResult => (problem === undefined ? result : { ...result, problem })

type Discovery = { tokenPath: string; audience: string; methods: readonly string[] }

async function discover(ctx: CaseContext): Promise<Discovery> {
  const result = await exchange(ctx.material, { method: 'GET', path: '/.well-known/openid-configuration' })
  const metadata = result.status === 200 && isObject(result.json) ? result.json : {}
  const fallback = `${ctx.material.audience.replace(/\/+$/, '')}/token`
  const advertised = typeof metadata.token_endpoint === 'string' ? metadata.token_endpoint : fallback
  const aliases = isObject(metadata.mtls_endpoint_aliases) ? metadata.mtls_endpoint_aliases : {}
  const alias = typeof aliases.token_endpoint === 'string' ? aliases.token_endpoint : advertised
  const methods = Array.isArray(metadata.token_endpoint_auth_methods_supported) ? metadata.token_endpoint_auth_methods_supported.filter((m): m is string => typeof m === 'string') : []
  const url = new URL(alias)
  return { tokenPath: `${url.pathname}${url.search}`, audience: advertised, methods }
}

/** RFC 9110 §15.5.2 and RFC 6749 §5.2: a 401 carries a challenge, and invalid_client is not a Bearer (resource) error. */
function challengeProblem(result: ExchangeResult): string | undefined {
  if (result.status !== 401) return undefined
  const challenge = result.wwwAuthenticate
  if (challenge === undefined || challenge.trim() === '') return 'the 401 carries no WWW-Authenticate header (RFC 9110 §15.5.2)'
  return /^\s*Bearer\b/i.test(challenge) && /invalid_client/.test(challenge) ? `the 401 puts invalid_client inside a Bearer challenge (${challenge})` : undefined
}

const refusedClient: Expectation = { status: [400, 401], errors: ['invalid_client'] }

async function tokenRequest(ctx: CaseContext, form: Record<string, string>, transport: Transport): Promise<ExchangeResult> {
  const { tokenPath } = await discover(ctx)
  return exchange(ctx.material, { method: 'POST', path: tokenPath, body: new URLSearchParams({ grant_type: 'client_credentials', ...form }).toString(), contentType: FORM, transport })
}

/** The claims of a private_key_jwt client assertion for `clientId` (RFC 7523 §3). */
async function assertionClaims(ctx: CaseContext, clientId: string): Promise<Record<string, unknown>> {
  const { audience } = await discover(ctx)
  const iat = Math.floor(Date.now() / 1000)
  return { iss: clientId, sub: clientId, aud: audience, iat, exp: iat + 60, jti: randomUUID() }
}

export const tokenCases: readonly ConformanceCase[] = [
  {
    id: 'token-unknown-client-challenge',
    title: 'a token request of an unknown client is refused with invalid_client; a 401 carries WWW-Authenticate, not a Bearer invalid_client',
    requirements: ['RFC6749-5.2', 'RFC9110-15.5.2', 'SEC-13'],
    profiles: ALL_PROFILES,
    expect: refusedClient,
    async run(ctx) {
      const clientId = `open-dcr-conformance-${randomUUID()}`
      const signed = await ctx.material.sign(await assertionClaims(ctx, clientId))
      const result = await tokenRequest(ctx, { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: signed }, ctx.material.transport)
      return withProblem(result, challengeProblem(result))
    },
  },
  {
    id: 'token-assertion-signed-by-another-key',
    title: "a client assertion signed by a key that is not the client's is refused with invalid_client; a 401 carries WWW-Authenticate",
    requirements: ['RFC7523-3', 'RFC9110-15.5.2'],
    profiles: ALL_PROFILES,
    expect: refusedClient,
    async run(ctx) {
      const client = await ctx.clients.register()
      const { privateKey } = await generateKeyPair('PS256')
      const signed = await new SignJWT(await assertionClaims(ctx, client.clientId)).setProtectedHeader({ alg: 'PS256', kid: ctx.material.kid }).sign(privateKey)
      const result = await tokenRequest(ctx, { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: signed }, client.participant.transport)
      return withProblem(result, challengeProblem(result))
    },
  },
  {
    id: 'brazil-tls-client-auth-token',
    title: "a tls_client_auth client registered with its certificate's subject DN (BR-DCR-14 form) gets an access token",
    requirements: ['BR-DCR-14', 'RFC8705-2.1'],
    profiles: ['brazil'],
    expect: { status: [200], errors: [] },
    async run(ctx) {
      const participant = await ctx.clients.freeParticipant()
      const dn = brazilSubjectDnOf(new X509Certificate(participant.transport.certificatePem))
      const client = await ctx.clients.register({ token_endpoint_auth_method: 'tls_client_auth', token_endpoint_auth_signing_alg: undefined, tls_client_auth_subject_dn: dn })
      return tokenRequest(ctx, { client_id: client.clientId }, client.participant.transport)
    },
  },
  {
    id: 'self-signed-tls-client-auth-token',
    title: 'where self_signed_tls_client_auth is advertised, a client registered with its self-signed certificate in jwks gets an access token with it',
    requirements: ['RFC8705-1', 'RFC8705-4'],
    // Brazil takes keys only by jwks_uri (BR-DCR-18), which the run cannot publish to.
    profiles: ['obuk', 'cdr', 'rfc7591'],
    expect: { status: [200], errors: [] },
    async run(ctx) {
      const discovery = await discover(ctx)
      if (!discovery.methods.includes('self_signed_tls_client_auth')) return { status: 200, json: undefined, note: 'self_signed_tls_client_auth is not advertised: nothing to use' }
      const selfSigned = await createCertificateAuthority('open-dcr conformance self-signed client', 2)
      const jwk = { ...(await exportJWK(await importX509(selfSigned.certificatePem, 'ES256', { extractable: true }))), x5c: [selfSigned.certificate.raw.toString('base64')], use: 'sig' }
      const client = await ctx.clients.register({ token_endpoint_auth_method: 'self_signed_tls_client_auth', token_endpoint_auth_signing_alg: undefined, jwks_uri: undefined, jwks: { keys: [jwk] } })
      return tokenRequest(ctx, { client_id: client.clientId }, { certificatePem: selfSigned.certificatePem, privateKeyPem: selfSigned.privateKeyPem })
    },
  },
]
