/**
 * What one client may hold of the listener (DESIGN.md, Operations: every unauthenticated resource is bounded):
 * a cap on open connections, and a deadline for each stage of a connection — the TLS handshake, the request
 * headers (slowloris), the whole request with its body (a body sent a byte at a time), the idle wait between
 * kept-alive requests, and any silence on the socket. Node enforces the header and request deadlines only when
 * it sweeps its connections (`connectionsCheckingInterval`, 30 s by default), so the sweep runs often enough
 * for the configured bounds to hold within a second.
 */
import type { Server } from 'node:http'
import type { Config } from '../config/schema.ts'

/** How often Node looks for connections past their header or request deadline: a quarter of the shorter one, at most 1 s. */
export const checkingIntervalMs = (server: Config['server']): number => Math.max(50, Math.min(1000, Math.floor(Math.min(server.headersTimeoutMs, server.requestTimeoutMs) / 4)))

/** Options of Node's http/https createServer (through Fastify's `https` / `http` options). */
export function nodeServerLimits(server: Config['server']): { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  return {
    headersTimeout: server.headersTimeoutMs,
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: server.keepAliveTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(server),
  }
}

/** Fastify's own options for the same deadlines (it sets them on the server after creating it). */
export function fastifyServerLimits(server: Config['server']): { connectionTimeout: number; keepAliveTimeout: number; requestTimeout: number } {
  return { connectionTimeout: server.idleTimeoutMs, keepAliveTimeout: server.keepAliveTimeoutMs, requestTimeout: server.requestTimeoutMs }
}

/** Applies what Fastify does not set itself: the connection cap and the headers deadline. */
export function applyServerLimits(listener: Server, server: Config['server']): void {
  listener.maxConnections = server.maxConnections
  listener.headersTimeout = server.headersTimeoutMs
}
