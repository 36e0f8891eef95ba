/** POST /register (RFC 7591 §3): the registration endpoint, over mutual TLS (UK-DCR-1, CDR-DCR-1). */
import type { FastifyInstance } from 'fastify'
import type { X509Certificate } from 'node:crypto'
import type { Config } from '../../config/schema.ts'
import type { RegistrationService } from '../../registration/service.ts'
import { clientCertificateOf } from '../client-cert.ts'
import { NO_STORE_HEADERS } from '../errors.ts'
import { assertAcceptedMediaType } from '../media-type.ts'

export type RegisterRouteOptions = { config: Config; registration: RegistrationService; anchors: readonly X509Certificate[] }

export function registerRoutes(app: FastifyInstance, { config, registration, anchors }: RegisterRouteOptions): void {
  app.post('/register', {
    // Refuse what we will not read before the body is parsed (SEC-20), and anyone without a certificate.
    onRequest: async (request) => {
      assertAcceptedMediaType(request.headers['content-type'], config)
    },
    handler: async (request, reply) => {
      const certificate = clientCertificateOf(request, config, anchors)
      const mediaType = assertAcceptedMediaType(request.headers['content-type'], config)
      const body = typeof request.body === 'string' ? request.body : ''
      const information = await registration.register({ body, mediaType, certificate, remoteAddress: request.ip })
      return reply.code(201).headers(NO_STORE_HEADERS).type('application/json').send(information)
    },
  })
}
