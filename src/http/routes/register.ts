/** POST /register (RFC 7591 §3): the registration endpoint, over mutual TLS (UK-DCR-1, CDR-DCR-1). */
import type { FastifyInstance } from 'fastify'
import type { X509Certificate } from 'node:crypto'
import { REGISTRATION_PATH } from '../../config/endpoints.ts'
import type { Profiles } from '../../config/directory-profiles.ts'
import type { RegistrationService } from '../../registration/service.ts'
import { checkInitialAccessToken } from '../../registration/initial-access-token.ts'
import { clientCertificateOf, optionalClientCertificateOf } from '../client-cert.ts'
import { HttpError, NO_STORE_HEADERS } from '../errors.ts'
import { InvalidTokenError } from '../../tokens/bearer-token-errors.ts'
import { acceptedMediaTypes, assertAcceptedMediaType } from '../media-type.ts'

export type RegisterRouteOptions = { profiles: Profiles; registration: RegistrationService; anchors: readonly X509Certificate[] }

export function registerRoutes(app: FastifyInstance, { profiles, registration, anchors }: RegisterRouteOptions): void {
  const config = profiles.top
  const mediaTypes = acceptedMediaTypes(profiles)
  // Mutual TLS can be waived only if no profile in use asks for it (plain RFC 7591).
  const certificateRequired = profiles.all.some((profile) => profile.registration.requireClientCertificate)
  app.post(REGISTRATION_PATH, {
    // Refuse what we will not read before the body is parsed (SEC-20).
    onRequest: async (request) => {
      assertAcceptedMediaType(request.headers['content-type'], config, mediaTypes)
    },
    handler: async (request, reply) => {
      let certificate
      try {
        certificate = await (certificateRequired ? clientCertificateOf(request, config, anchors) : optionalClientCertificateOf(request, config, anchors))
      } catch (error) {
        // The registration endpoint answers 201 or 400 (UK-DCR-42, CDR-DCR-31, RFC7591-23), not the 401 of the other endpoints.
        if (error instanceof HttpError) return registration.refuseWithoutCertificate(error.message, request.ip)
        throw error
      }
      const initialAccess = checkInitialAccessToken(request.headers.authorization, config)
      if (!initialAccess.ok) {
        // RFC7591-3 with RFC 6750 §3: the same 401 and challenge as any refused bearer token (http/errors.ts).
        throw initialAccess.reason === 'missing'
          ? new InvalidTokenError('missing', 'this server needs an initial access token: send Authorization: Bearer <token> (RFC 7591 section 3)')
          : new InvalidTokenError('unknown', 'the initial access token is not valid')
      }
      const mediaType = assertAcceptedMediaType(request.headers['content-type'], config, mediaTypes)
      const body = typeof request.body === 'string' ? request.body : ''
      const information = await registration.register({ body, mediaType, certificate, remoteAddress: request.ip })
      return reply.code(201).headers(NO_STORE_HEADERS).type('application/json').send(information)
    },
  })
}
