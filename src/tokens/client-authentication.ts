/**
 * Client authentication at the token endpoint, in two steps: find the registered, active client the
 * request names (its `client_id`, or the subject of its client assertion), then prove the request comes
 * from it with the method it registered, provided the profile still accepts that method (FAPI-2,
 * UK-DCR-25, BR-DCR-24): private_key_jwt (RFC 7523), tls_client_auth (RFC 8705 §2.1) or
 * self_signed_tls_client_auth (RFC 8705 §2.2), over the certificate the client registered with or a renewal
 * of it (client-certificate-binding.ts; not for self_signed_tls_client_auth, which names its certificates). One method per request (RFC 6749 §2.3): no client
 * secrets, nothing in the Authorization header. Every failure is `invalid_client` (RFC 6749 §5.2); an
 * unknown and a deleted client get the same answer, so neither can be told apart (SEC-33).
 */
import { TOKEN_ENDPOINT_AUTH_METHODS, type TokenEndpointAuthMethod } from '../config/schema.ts'
import { decodeJwt } from 'jose'
import type { Config } from '../config/schema.ts'
import type { ClientRecord, Store } from '../store/store.ts'
import type { Directories, RemoteKeySets, TokenEndpointCertificate } from '../trust/types.ts'
import { authenticateWithPrivateKeyJwt } from './client-auth/private-key-jwt.ts'
import { authenticateWithSelfSignedTlsClientAuth } from './client-auth/self-signed-tls-client-auth.ts'
import { authenticateWithTlsClientAuth } from './client-auth/tls-client-auth.ts'
import { certificateMayActForClient } from './client-certificate-binding.ts'
import { invalidClient } from './token-errors.ts'
import { quoted } from '../lib/quoted.ts'

/** The methods this token endpoint implements; the profile's `validators.token-endpoint-auth.methods` narrows them. */
/** The methods the token endpoint implements: the configuration schema's list, declared once. */
export const CLIENT_AUTHENTICATION_METHODS = TOKEN_ENDPOINT_AUTH_METHODS
export type ClientAuthenticationMethod = TokenEndpointAuthMethod

/** Form parameters of a token request, each present at most once (RFC 6749 §3.2). */
export type TokenParameters = ReadonlyMap<string, string>

export type ClientAuthenticationRequest = {
  parameters: TokenParameters
  /**
   * The certificate of the mutual TLS connection: chained to a trusted CA by the transport, or self-signed
   * (`unchained` says why it does not chain), which only self_signed_tls_client_auth accepts.
   */
  certificate: TokenEndpointCertificate
  /** The scheme of the request's Authorization header, when it has one (e.g. `Basic`). */
  authorizationScheme: string | undefined
  /** Epoch seconds. */
  now: number
}

export type ClientAuthenticationDependencies = {
  config: Config
  store: Store
  remoteKeySets: RemoteKeySets
  directories: Directories
}

const isImplemented = (method: string): method is ClientAuthenticationMethod => (CLIENT_AUTHENTICATION_METHODS as readonly string[]).includes(method)

/**
 * The client an assertion says it comes from (`sub`, else `iss`), read WITHOUT verification: it only
 * selects whose keys will verify the assertion, and the verified claims must then name the same client.
 */
function assertionSubject(assertion: string): string | undefined {
  let claims
  try {
    claims = decodeJwt(assertion)
  } catch (cause) {
    throw invalidClient('client_assertion is not a JWT (a signed JWS in compact form with a JSON claims set)', { cause })
  }
  if (typeof claims.sub === 'string' && claims.sub !== '') return claims.sub
  if (typeof claims.iss === 'string' && claims.iss !== '') return claims.iss
  return undefined
}

/** Step 1: the active registered client the request names, or `invalid_client`. */
export async function clientOfRequest(request: ClientAuthenticationRequest, deps: ClientAuthenticationDependencies): Promise<ClientRecord> {
  const { parameters, authorizationScheme } = request
  const methods = deps.config.validators['token-endpoint-auth'].methods.join(', ')
  if (authorizationScheme !== undefined) {
    throw invalidClient(`this token endpoint takes no client credentials in the Authorization header; authenticate with the registered method (${methods})`, { authScheme: authorizationScheme })
  }
  if (parameters.has('client_secret')) {
    throw invalidClient(`client secrets are not accepted here; authenticate with the registered method (${methods})`)
  }
  const assertion = parameters.get('client_assertion')
  const clientId = parameters.get('client_id') ?? (assertion === undefined ? undefined : assertionSubject(assertion))
  if (clientId === undefined) {
    throw invalidClient('the request names no client: send client_assertion with sub = client_id (private_key_jwt), or client_id (tls_client_auth, self_signed_tls_client_auth)')
  }
  const client = await deps.store.getClient(clientId)
  if (client === undefined || client.status !== 'active') {
    throw invalidClient(`client_id ${quoted(clientId)} is not a registered client; register with POST /register first`)
  }
  return client
}

/** Step 2: proves the request comes from `client` with its registered method; returns that method. */
export async function authenticateClient(client: ClientRecord, request: ClientAuthenticationRequest, deps: ClientAuthenticationDependencies): Promise<ClientAuthenticationMethod> {
  const { parameters, certificate, now } = request
  const allowed = deps.config.validators['token-endpoint-auth'].methods
  const method = client.metadata['token_endpoint_auth_method']
  if (typeof method !== 'string' || !allowed.includes(method) || !isImplemented(method)) {
    const registered = typeof method === 'string' ? quoted(method) : '(none)'
    const usable = allowed.filter(isImplemented)
    throw invalidClient(`the client's registered token_endpoint_auth_method ${registered} is not accepted by this server; update the registration with one of ${usable.join(', ')}`)
  }
  // RFC 8705 §2.2: only this method goes without a chain. Checked before any other credential, so a
  // private_key_jwt assertion sent over a self-signed certificate does not use up its jti.
  if (certificate.unchained !== undefined && method !== 'self_signed_tls_client_auth') {
    throw invalidClient(`the client certificate is not issued by a CA this server trusts (${certificate.unchained}); client ${quoted(client.clientId)} is registered for ${method}, so present its transport certificate issued by a trusted CA (only a self_signed_tls_client_auth client may present a self-signed certificate)`)
  }
  // SEC-32: a client registered over mutual TLS is used over that certificate or a renewal naming its software,
  // never over another software's certificate of a trusted CA, even with its own signing key. Before the
  // assertion, so a refused request does not use up its jti. self_signed_tls_client_auth has its own rule.
  if (method !== 'self_signed_tls_client_auth' && !certificateMayActForClient(client, certificate, deps.config)) {
    throw invalidClient(`the client certificate (x5t#S256 ${certificate.thumbprint}) is neither the one client ${quoted(client.clientId)} registered with nor a renewal whose subject names its software and organisation; present the registered transport certificate`)
  }

  if (method === 'private_key_jwt') {
    await authenticateWithPrivateKeyJwt({ client, assertion: parameters.get('client_assertion'), assertionType: parameters.get('client_assertion_type'), now }, deps)
    return method
  }
  // Both mutual TLS methods: the certificate is the only credential, and client_id says whose (RFC8705-5).
  if (parameters.has('client_assertion')) {
    throw invalidClient(`client ${quoted(client.clientId)} is registered for ${method}: authenticate with its certificate alone and send no client_assertion`)
  }
  if (!parameters.has('client_id')) throw invalidClient(`client_id is required with ${method} (RFC 8705 §2)`)
  if (method === 'tls_client_auth') await authenticateWithTlsClientAuth({ client, certificate, now }, deps)
  else await authenticateWithSelfSignedTlsClientAuth({ client, certificate }, deps)
  return method
}
