/**
 * Every answered request counted and timed into the metrics (open_dcr_requests_total,
 * open_dcr_request_duration_seconds) by operation, status and the RFC error of a refusal: the error answer
 * notes its error here, the response hook records it. Operations are named from the route, never from the URL.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { JWKS_PATH, REGISTRATION_PATH, TOKEN_PATH } from '../config/endpoints.ts'
import type { Metrics } from '../metrics/metrics.ts'

const answeredErrors = new WeakMap<FastifyRequest, string>()

/** Records the RFC error of an error answer, for the response hook. */
export function noteErrorAnswer(request: FastifyRequest, error: string): void {
  answeredErrors.set(request, error)
}

/** The operation of a route: register, read, update, delete, token, discovery, jwks, or other (unknown paths). */
function operationOf(request: FastifyRequest): string {
  const url = request.routeOptions.url
  if (url === undefined) return 'other'
  if (url === REGISTRATION_PATH) return 'register'
  if (url.startsWith(`${REGISTRATION_PATH}/`)) return request.method === 'GET' ? 'read' : request.method === 'PUT' ? 'update' : request.method === 'DELETE' ? 'delete' : 'other'
  if (url === TOKEN_PATH) return 'token'
  if (url === JWKS_PATH) return 'jwks'
  if (url.startsWith('/.well-known/')) return 'discovery'
  return 'other'
}

export function instrumentRequests(app: FastifyInstance, metrics: Pick<Metrics, 'request'>): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    metrics.request(operationOf(request), reply.statusCode, answeredErrors.get(request) ?? '', reply.elapsedTime / 1000)
  })
}
