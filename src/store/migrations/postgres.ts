/**
 * The PostgreSQL schema of open-dcr, mirroring migrations/sqlite.ts one for one: the same versions, the same
 * names, the same tables, columns and keys in PostgreSQL's dialect. The store (postgres.ts) applies each pending
 * migration in its own transaction under an advisory lock, so that instances starting together migrate once,
 * and refuses a database whose schema is newer than this list. Append new migrations to both lists, never edit
 * an applied one.
 * Times are BIGINT (epoch seconds for clients, JTIs and tokens; epoch milliseconds for audit events and
 * applied_at). metadata stays `text`, not `jsonb`, which would reorder keys and break the exact round trip.
 * SEC-11: (issuer, jti) is the primary key of used_jtis; SEC-37: exclusive_software's primary key is the one
 * live registration per software id; RFC7592-17: registration access tokens are kept as hashes only.
 */
import type { Migration } from './sqlite.ts'

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial_schema',
    sql: `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
);

CREATE TABLE clients (
  client_id TEXT PRIMARY KEY NOT NULL,
  software_id TEXT NOT NULL,
  org_id TEXT,
  directory_issuer TEXT,
  metadata TEXT NOT NULL,
  software_statement TEXT,
  certificate_thumbprint TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'deleted')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX clients_software_id ON clients (software_id);
CREATE INDEX clients_directory_issuer ON clients (directory_issuer, status);

CREATE TABLE used_jtis (
  issuer TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (issuer, jti)
);
CREATE INDEX used_jtis_expires_at ON used_jtis (expires_at);

CREATE TABLE exclusive_software (
  software_id TEXT PRIMARY KEY NOT NULL,
  client_id TEXT NOT NULL UNIQUE REFERENCES clients (client_id)
);

CREATE TABLE audit_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at BIGINT NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('create', 'read', 'update', 'delete', 'token', 'suspend', 'reactivate')),
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'rejected', 'error')),
  client_id TEXT,
  software_id TEXT,
  error_code TEXT,
  validator TEXT,
  certificate_thumbprint TEXT,
  remote_address TEXT,
  detail TEXT
);
`,
  },
  {
    version: 2,
    name: 'revoked_access_tokens',
    sql: `
CREATE TABLE revoked_access_tokens (
  jti TEXT PRIMARY KEY NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_access_tokens_expires_at ON revoked_access_tokens (expires_at);
`,
  },
  {
    version: 3,
    name: 'registration_tokens',
    sql: `
CREATE TABLE registration_tokens (
  token_hash TEXT PRIMARY KEY NOT NULL,
  client_id TEXT NOT NULL REFERENCES clients (client_id),
  valid_until BIGINT
);
CREATE INDEX registration_tokens_client_id ON registration_tokens (client_id);
CREATE UNIQUE INDEX registration_tokens_current ON registration_tokens (client_id) WHERE valid_until IS NULL;
CREATE INDEX registration_tokens_valid_until ON registration_tokens (valid_until) WHERE valid_until IS NOT NULL;
`,
  },
  {
    version: 4,
    name: 'audit_counts_and_retention',
    sql: `
-- One row may stand for many identical refusals without credentials (audit/refusal-counter.ts); NULL: one.
ALTER TABLE audit_events ADD COLUMN count INTEGER CHECK (count IS NULL OR count > 0);
-- The retention purge deletes by age (store.auditRetentionDays).
CREATE INDEX audit_events_at ON audit_events (at);
-- The optional caps count the live registrations of one organisation (registration.maxClientsPerOrganisation).
CREATE INDEX clients_org_id ON clients (org_id, status);
`,
  },
]
