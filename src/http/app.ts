/**
 * The Fastify application: HTTPS asking for a client certificate (mode `mtls`) or plain HTTP behind a
 * TLS-terminating proxy (mode `proxy`), the registration routes, and one error handler (http/errors.ts).
 */
import { readFileSync } from 'node:fs'
import { constants, type X509Certificate } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { AuditOperation, AuditWriter } from '../audit/audit-writer.ts'
import { REGISTRATION_PATH, TOKEN_PATH } from '../config/endpoints.ts'
import type { Profiles } from '../config/directory-profiles.ts'
import type { ManagementAuthorizer } from '../registration/management-authorization.ts'
import type { RegistrationService } from '../registration/service.ts'
import type { TokenEndpoint } from '../tokens/client-credentials.ts'
import type { Metrics } from '../metrics/metrics.ts'
import type { ServerKeys } from '../tokens/server-keys.ts'
import { describeError } from '../lib/error-table.ts'
import type { RateLimitCounter } from '../lib/rate-limit-counter.ts'
import { CLIENT_AUTHENTICATION_METHODS } from '../tokens/client-authentication.ts'
import { answerClientError, toErrorAnswer, HttpError, type ErrorAnswerContext } from './errors.ts'
import { instrumentRequests, noteErrorAnswer } from './request-metrics.ts'
import { applyServerLimits, fastifyServerLimits, nodeServerLimits } from './connection-limits.ts'
import { addRateLimits } from './rate-limit.ts'
import { answerWhileDraining } from './draining.ts'
import { registerRoutes } from './routes/register.ts'
import { registerManagementRoutes } from './routes/register-management.ts'
import { jwksRoutes } from './routes/jwks.ts'
import { tokenRoutes } from './routes/token.ts'
import { discoveryRoutes } from './routes/discovery.ts'

/** What the routes call; the composition root (main.ts) builds each once. The HTTP layer never reaches the store. */
export type AppDependencies = {
  profiles: Profiles
  registration: RegistrationService
  authorizer: ManagementAuthorizer
  tokenEndpoint: TokenEndpoint
  audit: AuditWriter
  /** CAs a client certificate must chain to: every directory's transport CAs plus server.tls.clientCaFiles. */
  anchors: readonly X509Certificate[]
  logger: Logger
  serverKeys: ServerKeys
  /** Epoch milliseconds; tests freeze it. */
  clock: () => number
  /** Where requests are counted and timed; absent: not measured. */
  metrics?: Pick<Metrics, 'request'> | undefined
  /** Counts requests per client address and certificate (rateLimit.*). */
  rateLimitCounter: RateLimitCounter
}

/** The audit operation of a rate-limited request, by route and method. */
function operationOf(request: FastifyRequest): AuditOperation {
  if (request.routeOptions.url === TOKEN_PATH) return 'token'
  if (request.routeOptions.url === REGISTRATION_PATH) return 'create'
  return request.method === 'GET' ? 'read' : request.method === 'PUT' ? 'update' : 'delete'
}

const READ_AS_TEXT = ['application/jwt', 'application/jose', 'application/json']

export function buildApp(deps: AppDependencies): FastifyInstance {
  const { profiles, registration, anchors, logger } = deps
  const config = profiles.top
  // The token endpoint's 401 challenge names the methods discovery advertises that it implements.
  const answerContext: ErrorAnswerContext = {
    clientAuthenticationMethods: config.validators['token-endpoint-auth'].methods.filter((method) => (CLIENT_AUTHENTICATION_METHODS as readonly string[]).includes(method)),
  }
  const sendError = (error: unknown, reply: FastifyReply): FastifyReply => {
    const answer = toErrorAnswer(error, answerContext)
    // Every refusal is logged with its RFC error and the check that refused (the request id is on every line);
    // the description names fields, never secrets (SEC-35).
    if (answer.internal) reply.log.error({ err: error }, 'request failed')
    else reply.log.info({ status: answer.status, error: answer.body.error, validator: answer.body.validator, description: answer.body.error_description }, 'request refused')
    noteErrorAnswer(reply.request, answer.body.error)
    return reply.code(answer.status).headers(answer.headers).type('application/json').send(answer.body)
  }
  const https =
    config.server.mode === 'mtls'
      ? {
          key: readFileSync(config.server.tls.keyFile),
          cert: readFileSync(config.server.tls.certFile),
          ca: anchors.map((anchor) => anchor.toString()),
          requestCert: true,
          // The handshake completes without a trusted certificate so that the client gets a JSON error.
          rejectUnauthorized: false,
          minVersion: config.server.tls.minVersion as 'TLSv1.2' | 'TLSv1.3',
          // A connection keeps the certificate of its handshake, so client-cert.ts may cache it per socket.
          secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
          handshakeTimeout: config.server.tlsHandshakeTimeoutMs,
          ...nodeServerLimits(config.server),
        }
      : null
  const app = Fastify({
    ...(https ? { https } : { http: nodeServerLimits(config.server) }),
    ...fastifyServerLimits(config.server),
    loggerInstance: logger,
    bodyLimit: config.server.bodyLimitBytes,
    // Behind the bank's proxies, request.ip (audit events, logs) is the client's address from X-Forwarded-For,
    // believed only from those proxies' addresses, like the certificate header (http/client-cert.ts).
    trustProxy: config.server.mode === 'proxy' && config.server.proxy.trustedAddresses.length > 0 ? [...config.server.proxy.trustedAddresses] : false,
    // draining.ts answers those requests itself, in the error table's shape and with Retry-After.
    return503OnClosing: false,
    // Node's and Fastify's own refusals answer in the error table's shape too (http/errors.ts).
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, _request, reply) => sendError(error, reply),
  }) as unknown as FastifyInstance
  applyServerLimits(app.server, config.server)

  if (deps.metrics !== undefined) instrumentRequests(app, deps.metrics)
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(READ_AS_TEXT, { parseAs: 'string' }, (_request, body, done) => done(null, body))
  // Token requests (RFC 6749 §3.2): read as text, parsed and checked for repeated parameters by the route.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body))
  // Anything else is refused by the route's media-type check before this parser would read it.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))

  app.setErrorHandler((error, _request, reply) => sendError(error, reply))
  app.setNotFoundHandler((request) => {
    throw new HttpError('http.not_found', describeError('http.not_found', { method: request.method, path: request.url.split('?')[0]! }))
  })

  answerWhileDraining(app)
  // Before the routes: the hook runs ahead of each route's own hooks, so a limited request is not even parsed.
  addRateLimits(app, {
    config,
    counter: deps.rateLimitCounter,
    clock: Date.now,
    // Counted per address like every refusal without credentials: a flood of 429s writes one row per interval.
    onLimited: (request, refusal) => void deps.audit.refusedWithoutCredential(refusal, { at: deps.clock(), operation: operationOf(request), remoteAddress: request.ip }, 'rate-limit'),
  })
  // Each route module adds its endpoints; they share these dependencies.
  registerRoutes(app, { profiles, registration, anchors })
  registerManagementRoutes(app, deps)
  tokenRoutes(app, { config, anchors, tokenEndpoint: deps.tokenEndpoint })
  jwksRoutes(app, deps)
  discoveryRoutes(app, { config })
  return app
}
