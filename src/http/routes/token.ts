/**
 * POST /token: the token endpoint (RFC 6749 §3.2, §4.4 client credentials) over mutual TLS. The client
 * certificate is required, as on /register: FAPI clients always call over mTLS, and the access token is
 * bound to that certificate (RFC8705-6, FAPI-3). Unlike /register it may be self-signed, for
 * self_signed_tls_client_auth clients only (RFC 8705 §2.2, enforced by tokens/client-authentication.ts). The body is form encoded with each parameter at most
 * once (RFC 6749 §3.2); empty parameters count as absent. Answers carry no-store (RFC 6749 §5.1). A failed
 * client authentication is answered one way (SEC-33); its reason is logged here and audited by the endpoint.
 */
import type { X509Certificate } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { TOKEN_PATH } from '../../config/endpoints.ts'
import type { Config } from '../../config/schema.ts'
import type { TokenParameters } from '../../tokens/client-authentication.ts'
import type { TokenEndpoint } from '../../tokens/client-credentials.ts'
import { isClientAuthenticationFailure, OAuthError } from '../../tokens/token-errors.ts'
import { tokenEndpointCertificateOf } from '../client-cert.ts'
import { NO_STORE_HEADERS } from '../errors.ts'
import { mediaTypeOf } from '../media-type.ts'

export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded'

export type TokenRouteDependencies = {
  config: Config
  anchors: readonly X509Certificate[]
  tokenEndpoint: TokenEndpoint
}

/** Parses a form body; a parameter sent twice is refused, one sent empty is treated as absent (RFC 6749 §3.2). */
export function parseTokenForm(body: string): TokenParameters {
  const parameters = new Map<string, string>()
  const seen = new Set<string>()
  for (const [name, value] of new URLSearchParams(body)) {
    if (seen.has(name)) throw new OAuthError('invalid_request', `parameter ${JSON.stringify(name.slice(0, 64))} appears more than once; send each parameter once (RFC 6749 §3.2)`)
    seen.add(name)
    if (value !== '') parameters.set(name, value)
  }
  return parameters
}

/** Token syntax of an HTTP authentication scheme (RFC 9110 §11.1), so it can be echoed in WWW-Authenticate. */
const AUTH_SCHEME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,32}$/

/** The scheme of the Authorization header, when there is one. */
function authorizationSchemeOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined || header === '') return undefined
  const scheme = header.trim().split(/\s+/)[0] ?? ''
  return AUTH_SCHEME.test(scheme) ? scheme : 'Basic'
}

function formParameters(request: FastifyRequest): TokenParameters {
  const mediaType = mediaTypeOf(request.headers['content-type'])
  if (mediaType !== FORM_MEDIA_TYPE) {
    throw new OAuthError('invalid_request', `Content-Type ${mediaType === '' ? '(none)' : mediaType} is not accepted here; send the token request as ${FORM_MEDIA_TYPE}`)
  }
  return parseTokenForm(typeof request.body === 'string' ? request.body : '')
}

export function tokenRoutes(app: FastifyInstance, deps: TokenRouteDependencies): void {
  const { config, anchors, tokenEndpoint: endpoint } = deps
  app.post(TOKEN_PATH, async (request, reply) => {
    let certificate
    let parameters
    try {
      certificate = await tokenEndpointCertificateOf(request, config, anchors, new Date())
      parameters = formParameters(request)
    } catch (error) {
      await endpoint.recordRefusal(error, { remoteAddress: request.ip, certificateThumbprint: certificate?.thumbprint })
      throw error
    }
    let answer
    try {
      answer = await endpoint.token({ parameters, certificate, authorizationScheme: authorizationSchemeOf(request), remoteAddress: request.ip })
    } catch (error) {
      // The one answer of a failed client authentication says nothing of its reason: the log does (and the audit event).
      if (isClientAuthenticationFailure(error) && error.cause instanceof Error) request.log.info({ reason: error.cause.message }, 'client authentication failed')
      throw error
    }
    return reply.code(200).headers(NO_STORE_HEADERS).type('application/json').send(answer)
  })
}
