/**
 * The client information a verb answers with (RFC 7591 §3.2.1, RFC 7592 §3): in registration-access-token
 * mode it names the configuration endpoint and carries a token just issued (RFC7592-1), and a new token is
 * issued where the rotation policy asks for one (RFC7592-8).
 */
import type { Config } from '../config/schema.ts'
import type { ClientRecord, RegistrationTokenRotation } from '../store/store.ts'
import { issuesRegistrationToken, rotateRegistrationToken, type RegistrationTokenOperation } from '../tokens/registration-token.ts'
import { clientInformation, registrationClientUri, type ClientInformation } from './response.ts'

export const usesRegistrationTokens = (config: Config): boolean => config.management.tokenKind === 'registration-access-token'

export function answerOf(config: Config, client: ClientRecord, issuedToken?: string): ClientInformation {
  if (!usesRegistrationTokens(config)) return clientInformation(client)
  return clientInformation(client, { registrationClientUri: registrationClientUri(config.issuer, client.clientId), registrationAccessToken: issuedToken })
}

/** A new registration access token for `operation`, if they are in use and the rotation policy issues one. */
export function nextRegistrationToken(config: Config, operation: RegistrationTokenOperation, nowMs: number): { token: string; rotation: RegistrationTokenRotation } | undefined {
  if (!usesRegistrationTokens(config) || !issuesRegistrationToken(config.management.rotation, operation)) return undefined
  return rotateRegistrationToken(Math.floor(nowMs / 1000), config.management.rotationGraceSeconds, operation)
}
