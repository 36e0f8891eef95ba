/**
 * GET, PUT and DELETE /register/{client_id}: the client configuration endpoint (RFC 7592 §2; UK-DCR-2..10,
 * CDR-DCR-1/2/31, BR-DCR-27..29), over mutual TLS. Each call, in order: the operation is offered
 * (`management.operations`, else 405 with Allow, RFC7592-16, UK-DCR-10); a client certificate is presented
 * (optional, as for POST, where no profile in use requires one: rfc7591; the authorizer then asks one only
 * of a client that registered with a certificate);
 * a PUT body has an accepted media type (as POST, SEC-20); the caller is authorised
 * (registration/management-authorization.ts: 401 `invalid_token` with `WWW-Authenticate: Bearer`, never
 * 404, RFC7592-4/5, SEC-33; 403 `insufficient_scope`); then the registration service answers
 * 200 / 200 / 204 (RFC7592-7/13/15). Every call is audited, refusals included.
 */
import type { X509Certificate } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { REGISTRATION_PATH } from '../../config/endpoints.ts'
import type { AuditWriter } from '../../audit/audit-writer.ts'
import type { Profiles } from '../../config/directory-profiles.ts'
import type { ManagementAuthorizer, ManagementOperation } from '../../registration/management-authorization.ts'
import type { RegistrationService } from '../../registration/service.ts'
import type { ClientCertificate } from '../../trust/types.ts'
import { clientCertificateOf, optionalClientCertificateOf } from '../client-cert.ts'
import { HttpError, NO_STORE_HEADERS } from '../errors.ts'
import { acceptedMediaTypes, assertAcceptedMediaType } from '../media-type.ts'

export type ManagementRouteOptions = {
  profiles: Profiles
  registration: RegistrationService
  authorizer: ManagementAuthorizer
  audit: AuditWriter
  anchors: readonly X509Certificate[]
  /** Epoch milliseconds. */
  clock: () => number
}

const METHODS: ReadonlyArray<readonly ['GET' | 'PUT' | 'DELETE', ManagementOperation]> = [
  ['GET', 'read'],
  ['PUT', 'update'],
  ['DELETE', 'delete'],
]

/**
 * A refused certificate here is a refused certificate-bound token (RFC 8705 §3): 401 `invalid_token` with its
 * Bearer challenge (RFC 9110 §15.5.2), never `invalid_client`, which is the token endpoint's.
 */
function withBearerChallenge(error: HttpError): HttpError {
  if (error.code !== 'token.client-certificate') return error
  return new HttpError('management.client-certificate', error.message, { ...error.headers })
}

export function registerManagementRoutes(app: FastifyInstance, options: ManagementRouteOptions): void {
  const { profiles, registration, authorizer, audit, anchors, clock } = options
  const config = profiles.top
  const mediaTypes = acceptedMediaTypes(profiles)
  const offered = (operation: ManagementOperation): boolean => config.management.operations.includes(operation)
  // As POST /register: mutual TLS can be waived only if no profile in use asks for it (plain RFC 7591).
  const certificateRequired = profiles.all.some((profile) => profile.registration.requireClientCertificate)
  const allow = METHODS.filter(([, operation]) => offered(operation)).map(([method]) => method).join(', ')

  /** Records a refusal decided here (405, certificate, media type) before rethrowing it. */
  async function refuseAudited(error: HttpError, operation: ManagementOperation, clientId: string, request: FastifyRequest, certificate?: ClientCertificate): Promise<never> {
    await audit.failed(error, { at: clock(), operation, clientId, certificateThumbprint: certificate?.thumbprint, remoteAddress: request.ip })
    throw error
  }

  async function handle(operation: ManagementOperation, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { clientId } = request.params as { clientId: string }
    if (!offered(operation)) {
      const method = METHODS.find(([, candidate]) => candidate === operation)![0]
      const refusal = new HttpError(405, 'invalid_request', `${method} /register/{client_id} is not offered by this server${allow === '' ? '' : `; allowed: ${allow}`}`, { allow })
      return refuseAudited(refusal, operation, clientId, request)
    }
    let certificate: ClientCertificate | undefined
    try {
      certificate = certificateRequired ? await clientCertificateOf(request, config, anchors) : await optionalClientCertificateOf(request, config, anchors)
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      // Without an acceptable certificate nothing identifies the caller: counted per address, not a row each.
      const refusal = withBearerChallenge(error)
      await audit.refusedWithoutCredential(refusal, { at: clock(), operation, clientId, remoteAddress: request.ip })
      throw refusal
    }
    let mediaType = ''
    if (operation === 'update') {
      try {
        mediaType = assertAcceptedMediaType(request.headers['content-type'], config, mediaTypes)
      } catch (error) {
        if (error instanceof HttpError) return refuseAudited(error, operation, clientId, request, certificate)
        throw error
      }
    }
    // A refused token (InvalidTokenError 401, InsufficientScopeError 403) is answered by http/errors.ts.
    const authorization = request.headers.authorization
    const auth = await authorizer.authorize({ operation, clientId, authorization, certificate, remoteAddress: request.ip })
    const connection = { certificate, remoteAddress: request.ip }
    switch (operation) {
      case 'read':
        return reply.code(200).headers(NO_STORE_HEADERS).type('application/json').send(await registration.read(clientId, auth, connection))
      case 'update': {
        const body = typeof request.body === 'string' ? request.body : ''
        return reply.code(200).headers(NO_STORE_HEADERS).type('application/json').send(await registration.update(clientId, { ...connection, body, mediaType }, auth))
      }
      case 'delete':
        await registration.remove(clientId, auth, connection)
        return reply.code(204).headers(NO_STORE_HEADERS).send()
    }
  }

  for (const [method, operation] of METHODS) {
    app.route({
      method,
      url: `${REGISTRATION_PATH}/:clientId`,
      // A HEAD would run the read, and could rotate a registration access token the client never sees.
      ...(method === 'GET' ? { exposeHeadRoute: false } : {}),
      handler: (request, reply) => handle(operation, request, reply),
    })
  }
}
