/**
 * The admin listener (DESIGN.md, Operations): plain HTTP on loopback by default and its own port, serving
 * `/healthz` (the process answers), `/readyz` (503 with Retry-After until the store takes writes and the directory
 * keys are loaded) and `/metrics` (Prometheus text format). Never part of the public mTLS listener.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Metrics } from '../metrics/metrics.ts'
import type { Readiness } from './readiness.ts'

export type AdminDependencies = {
  logger: Logger
  metrics: Pick<Metrics, 'registry'>
  readiness: () => Promise<Readiness>
}

/** Seconds a load balancer waits before asking /readyz again. */
const RETRY_AFTER_SECONDS = '5'

export function buildAdminApp(deps: AdminDependencies): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger.child({ listener: 'admin' }) }) as unknown as FastifyInstance
  app.setNotFoundHandler((request, reply) => reply.code(404).type('application/json').send({ error: 'not_found', error_description: `no admin endpoint ${request.method} ${request.url.split('?')[0]}` }))
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const state = await deps.readiness()
    if (!state.ready) reply.code(503).header('retry-after', RETRY_AFTER_SECONDS)
    return reply.header('cache-control', 'no-store').send({ status: state.ready ? 'ready' : 'not ready', checks: state.checks })
  })
  app.get('/metrics', async (_request, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()))
  return app
}
