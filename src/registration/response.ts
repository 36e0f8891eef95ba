/**
 * The client information response (RFC7591-18..21): client_id, client_id_issued_at, every registered
 * metadata member, and the software statement returned unmodified. Where registration access tokens
 * authorise management, it also carries `registration_client_uri` and, when one was just issued, the
 * `registration_access_token` (RFC7592-1, RFC7592-7, BR-DCR-26, BR-DCR-32).
 */
import { endpointUrl, REGISTRATION_PATH } from '../config/endpoints.ts'
import type { ClientRecord } from '../store/store.ts'

export type ClientInformation = Record<string, unknown> & { client_id: string; client_id_issued_at: number }

/** The RFC 7592 members of a client information response. */
export type ManagementMembers = {
  /** The client configuration endpoint of this client. */
  registrationClientUri: string
  /** A registration access token issued by this very call; absent when none was. */
  registrationAccessToken?: string | undefined
}

/** `${issuer}/register/${clientId}`: the client configuration endpoint (RFC7592-3). */
export const registrationClientUri = (issuer: string, clientId: string): string => endpointUrl(issuer, `${REGISTRATION_PATH}/${encodeURIComponent(clientId)}`)

export function clientInformation(client: ClientRecord, management?: ManagementMembers): ClientInformation {
  return {
    client_id: client.clientId,
    client_id_issued_at: client.createdAt,
    ...(management === undefined ? {} : { registration_client_uri: management.registrationClientUri }),
    ...(management?.registrationAccessToken === undefined ? {} : { registration_access_token: management.registrationAccessToken }),
    ...client.metadata,
    ...(client.softwareStatement === undefined ? {} : { software_statement: client.softwareStatement }),
  }
}
