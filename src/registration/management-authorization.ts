/**
 * Who may read, update or delete a registration at /register/{client_id} (RFC 7592 §2). By
 * `management.tokenKind`:
 * - `client-credentials` (UK-DCR-2, CDR-DCR-2): an access token of this server's token endpoint, verified
 *   (tokens/verify.ts; its signature once per token and server instance, its expiry and revocation on every
 *   call), bound to the presented certificate (RFC8705-7, SEC-32), issued to the client of the
 *   URL, carrying `management.requiredScope` if one is set (else 403 insufficient_scope, RFC7592-6);
 * - `registration-access-token` (BR-DCR-27, RFC7592-2): the RFC 7592 token, found by its hash, of the
 *   client of the URL.
 * A token of another client and an unknown or deleted client get the same 401, so the answer never tells
 * whether a client id exists (SEC-33), and the token presented is revoked (UK-DCR-6, RFC7592-5); its `error`
 * is `management.unknownClientError` (CDR: `invalid_request`, as the CDR reference authorisation server).
 * A call without an Authorization header is always a 401 with a Bearer challenge (RFC7592-4). Only a PUT that
 * says so, `Authorization: Signed-Recovery`, may instead prove itself with a fresh signed request, and only
 * where `management.allowSignedRecovery` is on (registration/signed-recovery.ts, docs/management.md).
 * A registration made without a client certificate (rfc7591) is managed without one; one made with a
 * certificate needs it, or one naming its software (SEC-32, tokens/client-certificate-binding.ts), whichever
 * kind of token is presented. Every refusal is audited here.
 */
import type { Config } from '../config/schema.ts'
import type { AuditWriter } from '../audit/audit-writer.ts'
import { bearerCredentialsOf } from '../lib/bearer-credentials.ts'
import type { ClientRecord, Store } from '../store/store.ts'
import { assertCertificateBinding } from '../tokens/binding.ts'
import { InsufficientScopeError, InvalidTokenError } from '../tokens/bearer-token-errors.ts'
import type { AccessTokenClaims } from '../tokens/issue.ts'
import { certificateMayActForClient } from '../tokens/client-certificate-binding.ts'
import { clientOfRegistrationToken } from '../tokens/registration-token.ts'
import type { ServerKeys } from '../tokens/server-keys.ts'
import { createAccessTokenVerifier } from '../tokens/verify.ts'
import type { ClientCertificate } from '../trust/types.ts'

export type ManagementOperation = 'read' | 'update' | 'delete'

/** What let a management call through; `client` is the active registration as read while authorizing. */
export type ManagementAuthorization =
  | { readonly kind: 'access-token'; readonly clientId: string; readonly claims: AccessTokenClaims; readonly client: ClientRecord }
  | { readonly kind: 'registration-access-token'; readonly clientId: string; readonly hash: string; readonly client: ClientRecord }
  /** No token: the PUT itself must prove control of the registration (checked by the update). */
  | { readonly kind: 'signed-recovery' }

export type ManagementCall = {
  operation: ManagementOperation
  /** The {client_id} of the URL, as sent. */
  clientId: string
  /** The Authorization header, if any. */
  authorization: string | undefined
  /** Absent only where mutual TLS is optional (`registration.requireClientCertificate` off). */
  certificate: ClientCertificate | undefined
  remoteAddress: string
}

export type ManagementAuthorizerDependencies = {
  config: Config
  store: Store
  audit: AuditWriter
  serverKeys: ServerKeys
  /** Epoch milliseconds. */
  clock: () => number
}

export type ManagementAuthorizer = {
  /** The authorization of `call`, or an audited InvalidTokenError (401) / InsufficientScopeError (403). */
  authorize(call: ManagementCall): Promise<ManagementAuthorization>
}

/** The step that refuses a caller, in audit events. */
export const MANAGEMENT_AUTHORIZATION = 'management-authorization'

/** The same words for another client's token and for an unknown client: nothing tells them apart (SEC-33). */
export const NOT_THIS_CLIENT = 'the token does not authorise this client registration (it belongs to another client, or the client does not exist); the token has been revoked'

/** The scheme of an explicit signed recovery (docs/management.md): no credentials, the signed body is the proof. */
export const SIGNED_RECOVERY_SCHEME = 'Signed-Recovery'
const SIGNED_RECOVERY = /^Signed-Recovery$/i

/** RFC 6750 §2.1: `Bearer <token68>`, scheme case-insensitive; undefined when there is no header. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  const credentials = bearerCredentialsOf(authorization)
  if (credentials.kind === 'malformed') throw new InvalidTokenError('malformed', 'send the token as Authorization: Bearer <token>')
  return credentials.kind === 'token' ? credentials.token : undefined
}

export function createManagementAuthorizer(deps: ManagementAuthorizerDependencies): ManagementAuthorizer {
  const { config, store, serverKeys, clock } = deps
  // One per authorizer, so per server instance: remembers verified tokens, never their expiry or revocation.
  const accessTokens = createAccessTokenVerifier({ serverKeys, config, store })

  /** SEC-33: one refusal for a token of another client and for an unknown client, in the profile's words. */
  const notThisClient = (): InvalidTokenError =>
    config.management.unknownClientError === 'invalid_request'
      ? new InvalidTokenError('wrong-client', `The client is unknown: ${NOT_THIS_CLIENT}`, { error: 'invalid_request' })
      : new InvalidTokenError('wrong-client', NOT_THIS_CLIENT)

  async function activeClient(clientId: string): Promise<ClientRecord | undefined> {
    const client = await store.getClient(clientId)
    return client?.status === 'active' ? client : undefined
  }

  async function byAccessToken(token: string, call: ManagementCall, now: number): Promise<ManagementAuthorization> {
    const claims = await accessTokens.verify(token, now)
    assertCertificateBinding(claims, call.certificate, { requireBinding: config.tokens.certificateBound })
    const client = claims.client_id === call.clientId ? await activeClient(call.clientId) : undefined
    if (client === undefined) {
      await store.revokeAccessToken(claims.jti, claims.exp)
      throw notThisClient()
    }
    // The token is bound to the certificate it was issued to; the client is bound to the one it registered with
    // (or a renewal naming its software): a token obtained over another software's certificate manages nothing.
    if (!certificateMayActForClient(client, call.certificate, config)) {
      throw new InvalidTokenError('certificate-mismatch', 'the client certificate is neither the one this client registered with nor a renewal whose subject names its software and organisation: call with the registered transport certificate')
    }
    const required = config.management.requiredScope
    if (required !== '' && !claims.scope.split(' ').includes(required)) {
      throw new InsufficientScopeError(required, `the access token lacks the scope ${required} that registration management requires: ask the token endpoint for it`)
    }
    return { kind: 'access-token', clientId: claims.client_id, claims, client }
  }

  async function byRegistrationToken(token: string, call: ManagementCall, now: number): Promise<ManagementAuthorization> {
    const { clientId, hash } = await clientOfRegistrationToken(store, token, now)
    if (clientId !== call.clientId) {
      await store.revokeRegistrationToken(hash)
      throw notThisClient()
    }
    // A bearer token alone is not enough (BR-DCR-27, SEC-32): it must come over the client's own transport
    // certificate, so that a leaked token used with another TPP's certificate reads or deletes nothing.
    const client = await activeClient(clientId)
    // Deleted since its token was looked up: the same answer as for an unknown client (SEC-33).
    if (client === undefined) throw notThisClient()
    // A client registered without mutual TLS (rfc7591) has no certificate to prove; one registered with it must.
    if (!certificateMayActForClient(client, call.certificate, config)) {
      throw new InvalidTokenError('certificate-mismatch', 'the registration access token must be presented over the transport certificate of the registered software')
    }
    return { kind: 'registration-access-token', clientId, hash, client }
  }

  /** Only an explicit `Authorization: Signed-Recovery` PUT reaches the recovery, and only where it is on. */
  function signedRecovery(call: ManagementCall): ManagementAuthorization {
    if (!config.management.allowSignedRecovery) throw new InvalidTokenError('recovery', 'signed recovery is not offered by this server: send Authorization: Bearer <token>')
    if (call.operation !== 'update') throw new InvalidTokenError('recovery', 'signed recovery is a PUT only: send Authorization: Bearer <token>')
    return { kind: 'signed-recovery' }
  }

  async function authorize(call: ManagementCall): Promise<ManagementAuthorization> {
    const nowMs = clock()
    const now = Math.floor(nowMs / 1000)
    try {
      if (SIGNED_RECOVERY.test(call.authorization?.trim() ?? '')) return signedRecovery(call)
      const token = bearerTokenOf(call.authorization)
      if (token === undefined) {
        const how = config.management.tokenKind === 'client-credentials' ? 'an access token of the token endpoint' : 'the registration_access_token'
        throw new InvalidTokenError('missing', `send ${how} as Authorization: Bearer <token>`)
      }
      return config.management.tokenKind === 'client-credentials' ? await byAccessToken(token, call, now) : await byRegistrationToken(token, call, now)
    } catch (error) {
      await deps.audit.failed(error, { at: nowMs, operation: call.operation, clientId: call.clientId, certificateThumbprint: call.certificate?.thumbprint, remoteAddress: call.remoteAddress }, MANAGEMENT_AUTHORIZATION)
      throw error
    }
  }

  return { authorize }
}
