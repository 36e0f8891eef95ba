/**
 * GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0 §4) and
 * GET /.well-known/oauth-authorization-server (RFC 8414 §3): the metadata document of discovery/metadata.ts,
 * which TPPs read before registering (UK-DCR-3, UK-DCR-30, CDR-DCR-1, BR-DCR-2).
 * No client certificate is asked for: a TPP reads discovery before it has a registration, and the metadata
 * is public. The document is built once at start; a configuration change takes effect on restart.
 */
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config/schema.ts'
import { authorizationServerMetadata } from '../../discovery/metadata.ts'

export type DiscoveryRouteOptions = { config: Config }

export const DISCOVERY_PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'] as const

export function discoveryRoutes(app: FastifyInstance, { config }: DiscoveryRouteOptions): void {
  const document = JSON.stringify(authorizationServerMetadata(config))
  for (const path of DISCOVERY_PATHS) {
    app.get(path, async (_request, reply) => reply.type('application/json').send(document))
  }
}
