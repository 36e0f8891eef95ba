/**
 * Rows of the store's tables read back into records, the same for every SQL store: a client exactly as it was
 * written (metadata parsed back from its JSON text), an audit event without the optional fields it did not have.
 * A column of the wrong type is a corrupt row, not something to guess around.
 */
import type { AuditEvent, ClientRecord } from './store.ts'

export type Row = Record<string, unknown>

export function clientFromRow(row: Row): ClientRecord {
  const metadata: unknown = JSON.parse(text(row, 'metadata'))
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new Error('stored client metadata is not a JSON object')
  const status = text(row, 'status')
  if (status !== 'active' && status !== 'suspended' && status !== 'deleted') throw new Error(`stored client status "${status}" is unknown`)
  return {
    clientId: text(row, 'client_id'),
    softwareId: text(row, 'software_id'),
    orgId: optionalText(row, 'org_id'),
    directoryIssuer: optionalText(row, 'directory_issuer'),
    metadata: metadata as Record<string, unknown>,
    softwareStatement: optionalText(row, 'software_statement'),
    certificateThumbprint: optionalText(row, 'certificate_thumbprint'),
    status,
    createdAt: integer(row, 'created_at'),
    updatedAt: integer(row, 'updated_at'),
  }
}

/** Optional fields that were not recorded are left out, so an event reads back as it was given. */
export function auditFromRow(row: Row): AuditEvent {
  const event: AuditEvent = {
    at: integer(row, 'at'),
    operation: text(row, 'operation') as AuditEvent['operation'],
    outcome: text(row, 'outcome') as AuditEvent['outcome'],
  }
  const optional = {
    clientId: optionalText(row, 'client_id'),
    softwareId: optionalText(row, 'software_id'),
    errorCode: optionalText(row, 'error_code'),
    validator: optionalText(row, 'validator'),
    certificateThumbprint: optionalText(row, 'certificate_thumbprint'),
    remoteAddress: optionalText(row, 'remote_address'),
    detail: optionalText(row, 'detail'),
    count: row.count === null || row.count === undefined ? undefined : integer(row, 'count'),
  }
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(event, { [key]: value })
  }
  return event
}

export function text(row: Row, column: string): string {
  const value = row[column]
  if (typeof value !== 'string') throw new Error(`stored column ${column} is not text`)
  return value
}

export function optionalText(row: Row, column: string): string | undefined {
  return row[column] === null ? undefined : text(row, column)
}

/** node:sqlite may give a bigint; pg gives BIGINT and COUNT(*) as decimal strings. open-dcr's values stay below 2^53. */
export function integer(row: Row, column: string): number {
  const value = row[column]
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value)
  throw new Error(`stored column ${column} is not a number`)
}
