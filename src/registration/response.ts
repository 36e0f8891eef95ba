/**
 * The client information response (RFC7591-18..21): client_id, client_id_issued_at, every registered
 * metadata member, and the software statement returned unmodified.
 */
import type { ClientRecord } from '../store/store.ts'

export type ClientInformation = Record<string, unknown> & { client_id: string; client_id_issued_at: number }

export function clientInformation(client: ClientRecord): ClientInformation {
  return {
    client_id: client.clientId,
    client_id_issued_at: client.createdAt,
    ...client.metadata,
    ...(client.softwareStatement === undefined ? {} : { software_statement: client.softwareStatement }),
  }
}
