/**
 * GET /jwks: the public keys that verify this server's access tokens (every key of the signing keys file,
 * public members only, so rotation works: tokens signed by a key still listed keep verifying). No client
 * certificate is needed: the keys are public, and resource servers fetch them without one. Served as an
 * RFC 7517 §5 JWK Set; verifies the RFC 9068 access tokens of tokens/issue.ts (RFC8705-6 binding inside).
 */
import type { FastifyInstance } from 'fastify'
import { JWKS_PATH } from '../../config/endpoints.ts'
import type { ServerKeys } from '../../tokens/server-keys.ts'

/** RFC 7517 §8.5 media type of a JWK Set. */
export const JWK_SET_MEDIA_TYPE = 'application/jwk-set+json'

export type JwksRouteDependencies = { serverKeys: ServerKeys }

export function jwksRoutes(app: FastifyInstance, { serverKeys }: JwksRouteDependencies): void {
  const body = JSON.stringify(serverKeys.publicJwks)
  app.get(JWKS_PATH, async (_request, reply) => reply.code(200).type(JWK_SET_MEDIA_TYPE).send(body))
}
