/**
 * The TPP's calls to a bank, every one over mutual TLS with the transport certificate: read the discovery
 * document (OpenID Connect Discovery §4, RFC 8414), register (RFC 7591 §3), obtain an access token with the
 * client credentials grant authenticated by a private_key_jwt assertion (RFC 6749 §4.4, RFC 7523 §2.2/§3:
 * `iss` = `sub` = client_id, `aud` = the token endpoint of the discovery document, a short life and a fresh
 * `jti`), and read, update or delete the registration with a bearer token (RFC 7592 §2). Answers are
 * returned as they came (status, headers, body); deciding what a status means is the caller's business.
 */
import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { JWT_BEARER_ASSERTION_TYPE } from '../tokens/client-auth/private-key-jwt.ts'
import { mtlsRequest, type MtlsResponse } from './mtls-client.ts'
import type { RegistrationRequestBody } from './profile-request.ts'
import type { SigningKey } from './signing-key.ts'

export type TppConnection = {
  /** Base URL of the bank's server, e.g. https://127.0.0.1:8443. */
  serverUrl: string
  /** Transport certificate and key (PEM). */
  transport: { certificatePem: string; privateKeyPem: string }
  /** PEM CA of the server's TLS certificate; undefined: the system trust store. */
  caPem?: string | undefined
}

/** What the TPP needs from the discovery document. */
export type BankEndpoints = {
  issuer: string
  registrationEndpoint: string
  /** Where token requests are sent: the mTLS alias when advertised (RFC 8705 §5), else `token_endpoint`. */
  tokenRequestUrl: string
  /** `token_endpoint`: the audience of client assertions. */
  tokenEndpoint: string
}

export const DISCOVERY_PATH = '/.well-known/openid-configuration'

/** Lifetime of a client assertion, seconds: short, as the bank limits it (SEC-13). */
const ASSERTION_LIFETIME_SECONDS = 60

const call = (connection: TppConnection, url: string, options: { method: string; headers?: Record<string, string>; body?: string }): Promise<MtlsResponse> =>
  mtlsRequest({ url, ...options, cert: connection.transport.certificatePem, key: connection.transport.privateKeyPem, ...(connection.caPem === undefined ? {} : { ca: connection.caPem }) })

/** The client configuration endpoint of `clientId` under the server URL (RFC 7592 §2). */
export const clientConfigurationUrl = (serverUrl: string, clientId: string): string => new URL(`/register/${encodeURIComponent(clientId)}`, serverUrl).href

/** Reads the discovery document; throws an Error naming what is missing. */
export async function discoverBank(connection: TppConnection): Promise<BankEndpoints> {
  const url = new URL(DISCOVERY_PATH, connection.serverUrl).href
  const response = await call(connection, url, { method: 'GET', headers: { accept: 'application/json' } })
  const document = response.json as Record<string, unknown> | undefined
  if (response.status !== 200 || typeof document !== 'object' || document === null) throw new Error(`the discovery document at ${url} answered ${response.status}; is this an open-dcr (or OpenID) server?`)
  const text = (name: string): string => {
    const value = document[name]
    if (typeof value !== 'string' || value === '') throw new Error(`the discovery document at ${url} has no ${name}`)
    return value
  }
  const aliases = document.mtls_endpoint_aliases as Record<string, unknown> | undefined
  const tokenEndpoint = text('token_endpoint')
  const alias = typeof aliases?.token_endpoint === 'string' ? aliases.token_endpoint : undefined
  return { issuer: text('issuer'), registrationEndpoint: text('registration_endpoint'), tokenEndpoint, tokenRequestUrl: alias ?? tokenEndpoint }
}

/** POST /register with a request built for the bank's profile. */
export function registerClient(connection: TppConnection, request: RegistrationRequestBody): Promise<MtlsResponse> {
  return call(connection, new URL('/register', connection.serverUrl).href, { method: 'POST', headers: { 'content-type': request.contentType, accept: 'application/json' }, body: request.body })
}

/** A private_key_jwt client assertion for `clientId`, signed with the TPP key (RFC 7523 §3). */
export function clientAssertion(input: { clientId: string; audience: string; signingKey: SigningKey; kid?: string | undefined; now?: number }): Promise<string> {
  const now = input.now ?? Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: input.signingKey.alg, kid: input.kid ?? input.signingKey.kid, typ: 'JWT' })
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
    .setJti(randomUUID())
    .sign(input.signingKey.privateKey)
}

/** POST to the token endpoint: client credentials, private_key_jwt; `scope` omitted asks for every registered scope. */
export async function requestAccessToken(
  connection: TppConnection,
  input: { endpoints: BankEndpoints; clientId: string; signingKey: SigningKey; kid?: string | undefined; scope?: string | undefined },
): Promise<MtlsResponse> {
  const assertion = await clientAssertion({ clientId: input.clientId, audience: input.endpoints.tokenEndpoint, signingKey: input.signingKey, kid: input.kid })
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: input.clientId, client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion })
  if (input.scope !== undefined && input.scope !== '') form.set('scope', input.scope)
  return call(connection, input.endpoints.tokenRequestUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() })
}

/** GET /register/{client_id} (RFC 7592 §2.1). */
export function readRegistration(connection: TppConnection, clientId: string, bearer: string): Promise<MtlsResponse> {
  return call(connection, clientConfigurationUrl(connection.serverUrl, clientId), { method: 'GET', headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } })
}

/** PUT /register/{client_id} with a complete, freshly signed request (RFC 7592 §2.2). */
export function updateRegistration(connection: TppConnection, clientId: string, bearer: string, request: RegistrationRequestBody): Promise<MtlsResponse> {
  return call(connection, clientConfigurationUrl(connection.serverUrl, clientId), {
    method: 'PUT',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': request.contentType, accept: 'application/json' },
    body: request.body,
  })
}

/** DELETE /register/{client_id} (RFC 7592 §2.3). */
export function deleteRegistration(connection: TppConnection, clientId: string, bearer: string): Promise<MtlsResponse> {
  return call(connection, clientConfigurationUrl(connection.serverUrl, clientId), { method: 'DELETE', headers: { authorization: `Bearer ${bearer}` } })
}
