/**
 * While the server drains to stop, a request that still arrives (pipelined, or on a kept-alive connection)
 * is answered 503 `http.server_closing` with Retry-After and Connection: close, in the error table's shape,
 * instead of Fastify's own `{"error":"Service Unavailable",...}` body (RFC 9110 §15.6.4, §10.2.3).
 */
import type { FastifyInstance } from 'fastify'
import { HttpError } from './errors.ts'

/** Seconds a client waits before it retries; another instance, or this one restarted, answers by then. */
export const CLOSING_RETRY_AFTER_SECONDS = 1

export function answerWhileDraining(app: FastifyInstance): void {
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async () => {
    if (closing) throw new HttpError('http.server_closing', undefined, { 'retry-after': String(CLOSING_RETRY_AFTER_SECONDS), connection: 'close' })
  })
}
