/**
 * The client credentials grant (RFC 6749 §4.4) as small steps: grant_type, client authentication
 * (client-authentication.ts), the client may use the grant, the scope granted, then an access token bound
 * to the certificate of the request (RFC8705-6, FAPI-3, CDR-DCR-2, SEC-32). Every request, granted or
 * refused, leaves one audit event with its outcome and error code, never a token or assertion (SEC-35). A
 * failed client authentication is answered one way whatever its reason (SEC-33), which only its audit event
 * records.
 */
import type { Config } from '../config/schema.ts'
import type { AuditWriter } from '../audit/audit-writer.ts'
import type { ClientRecord, Store } from '../store/store.ts'
import type { Directories, RemoteKeySets, TokenEndpointCertificate } from '../trust/types.ts'
import { authenticateClient, clientOfRequest, type TokenParameters } from './client-authentication.ts'
import { issueAccessToken } from './issue.ts'
import type { ServerKeys } from './server-keys.ts'
import { clientAuthenticationFailed, isClientAuthenticationFailure, OAuthError } from './token-errors.ts'
import { quoted } from '../lib/quoted.ts'

export const CLIENT_CREDENTIALS = 'client_credentials'

export type TokenRequest = {
  parameters: TokenParameters
  /** Chained to a trusted CA, or self-signed (then only a self_signed_tls_client_auth client is accepted). */
  certificate: TokenEndpointCertificate
  /** The scheme of the request's Authorization header, when it has one. */
  authorizationScheme: string | undefined
  remoteAddress: string
}

/** RFC 6749 §5.1 successful response. */
export type TokenResponse = {
  access_token: string
  token_type: 'Bearer'
  /** Seconds. */
  expires_in: number
  /** The granted scopes, space separated (may be empty when the client registered none). */
  scope: string
}

export type TokenEndpointDependencies = {
  config: Config
  store: Store
  audit: AuditWriter
  serverKeys: ServerKeys
  remoteKeySets: RemoteKeySets
  directories: Directories
  /** Epoch milliseconds; tests freeze it. */
  clock: () => number
}

/** What is known of a refused request that never reached the grant (no certificate, unreadable body). */
export type RefusedTokenRequest = {
  remoteAddress: string
  certificateThumbprint?: string | undefined
}

export type TokenEndpoint = {
  /**
   * Grants a token or throws an OAuthError / HttpError; audits either way. A failed client authentication throws
   * the one `clientAuthenticationFailed` answer, its reason in `cause`.
   */
  token(request: TokenRequest): Promise<TokenResponse>
  /** Audits a request refused before `token` could run, then returns. */
  recordRefusal(error: unknown, request: RefusedTokenRequest): Promise<void>
}

const splitScope = (scope: string): string[] => scope.split(' ').filter((value) => value !== '')

/** The registered scopes: a space-separated string (RFC 7591 §2), or an array some directories send. */
function registeredScopes(client: ClientRecord): string[] {
  const scope = client.metadata['scope']
  if (typeof scope === 'string') return splitScope(scope)
  if (Array.isArray(scope)) return scope.filter((value): value is string => typeof value === 'string')
  return []
}

function checkGrantType(parameters: TokenParameters): void {
  const grantType = parameters.get('grant_type')
  if (grantType === undefined) throw new OAuthError('invalid_request', `grant_type is required; this token endpoint serves grant_type=${CLIENT_CREDENTIALS}`)
  if (grantType !== CLIENT_CREDENTIALS) throw new OAuthError('unsupported_grant_type', `grant_type ${quoted(grantType)} is not supported; this token endpoint serves grant_type=${CLIENT_CREDENTIALS}`)
}

function checkClientMayUseGrant(client: ClientRecord): void {
  const grantTypes = client.metadata['grant_types']
  if (!Array.isArray(grantTypes) || !grantTypes.includes(CLIENT_CREDENTIALS)) {
    throw new OAuthError('unauthorized_client', `the client is not registered for grant_type ${CLIENT_CREDENTIALS}; add it to grant_types with PUT /register/{client_id}`)
  }
}

/**
 * The scopes to grant: those requested, all of them registered (RFC 6749 §3.3), or every registered scope
 * when none is requested. The management scope (CDR `cdr:registration`) is no exception: only if registered.
 */
function grantedScope(client: ClientRecord, parameters: TokenParameters, config: Config): string {
  const registered = registeredScopes(client)
  const requested = parameters.get('scope')
  if (requested === undefined) return registered.join(' ')
  const asked = [...new Set(splitScope(requested))]
  const missing = asked.filter((scope) => !registered.includes(scope))
  if (missing.length > 0) {
    const management = config.management.requiredScope
    const hint = management !== '' && missing.includes(management) ? ` (${management}, needed to manage the registration, must be registered first)` : ''
    throw new OAuthError('invalid_scope', `scope ${quoted(missing.join(' '))} is not registered for this client${hint}; request only registered scopes: ${quoted(registered.join(' '))}`)
  }
  return asked.join(' ')
}

export function createTokenEndpoint(deps: TokenEndpointDependencies): TokenEndpoint {
  const { config, audit } = deps

  function recordRefusal(error: unknown, request: RefusedTokenRequest & { clientId?: string | undefined; softwareId?: string | undefined }): Promise<void> {
    return audit.failed(error, { at: deps.clock(), operation: 'token', ...request })
  }

  async function token(request: TokenRequest): Promise<TokenResponse> {
    const nowMs = deps.clock()
    const now = Math.floor(nowMs / 1000)
    const { parameters, certificate } = request
    let client: ClientRecord | undefined
    let response: TokenResponse
    try {
      // The grant type first: a request this endpoint cannot serve does not use up an assertion's jti.
      checkGrantType(parameters)
      const authentication = { parameters, certificate, authorizationScheme: request.authorizationScheme, now }
      client = await clientOfRequest(authentication, deps)
      await authenticateClient(client, authentication, deps)
      checkClientMayUseGrant(client)
      const scope = grantedScope(client, parameters, config)
      const lifetimeSeconds = config.tokens.accessTokenLifetimeSeconds
      const { token: accessToken } = await issueAccessToken(deps.serverKeys, {
        issuer: config.issuer,
        clientId: client.clientId,
        scope,
        thumbprint: config.tokens.certificateBound ? certificate.thumbprint : undefined,
        lifetimeSeconds,
        now,
      })
      response = { access_token: accessToken, token_type: 'Bearer', expires_in: lifetimeSeconds, scope }
    } catch (error) {
      // The reason is audited; the answer is the same for every failed client authentication (SEC-33).
      await recordRefusal(error, { remoteAddress: request.remoteAddress, certificateThumbprint: certificate.thumbprint, clientId: client?.clientId, softwareId: client?.softwareId })
      throw isClientAuthenticationFailure(error) ? clientAuthenticationFailed(error) : error
    }
    await audit.succeeded(
      { at: nowMs, operation: 'token', clientId: client.clientId, softwareId: client.softwareId, certificateThumbprint: certificate.thumbprint, remoteAddress: request.remoteAddress },
      `scope ${quoted(response.scope, 200)}`,
    )
    return response
  }

  return {
    token,
    // Without a certificate nothing identifies the caller: counted per address, not a row each.
    recordRefusal: (error, request) => (request.certificateThumbprint === undefined ? audit.refusedWithoutCredential(error, { at: deps.clock(), operation: 'token', ...request }) : recordRefusal(error, request)),
  }
}
