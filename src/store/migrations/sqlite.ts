/**
 * The SQLite schema of open-dcr as an ordered list of versioned migrations. The store applies each pending one
 * in its own transaction and records it in `schema_migrations`; a database newer than this list is refused.
 * A PostgreSQL list mirrors these versions one for one (same version, same name, its own dialect); append
 * new migrations, never edit an applied one.
 * Tables: clients (DESIGN "Data"), used_jtis (SEC-11: unique (issuer, jti)), exclusive_software (SEC-37:
 * one live registration per software id, by a primary key rather than a read-then-write check),
 * audit_events (SEC-35: outcome and error code, never tokens or secrets), revoked_access_tokens
 * (UK-DCR-6, RFC7592-5) and registration_tokens (RFC7592-1/8/17: hashes of registration access tokens);
 * version 4 counts aggregated refusals and indexes what the audit retention and the client caps read.
 */

export type Migration = {
  /** Strictly increasing from 1, without gaps. */
  version: number
  /** Short, stable name; a mirrored dialect uses the same one. */
  name: string
  /** One or more statements, run in one transaction. */
  sql: string
}

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial_schema',
    // Times are integers: clients and JTIs in epoch seconds, audit events and applied_at in epoch milliseconds.
    // metadata is JSON as text; PostgreSQL should keep it `text` (or `json`), not `jsonb`, which reorders keys
    // and would break the exact round trip of the registered metadata.
    sql: `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
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
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX clients_software_id ON clients (software_id);
-- The periodic Register sync lists the registrations of one directory.
CREATE INDEX clients_directory_issuer ON clients (directory_issuer, status);

-- WITHOUT ROWID: the (issuer, jti) key is the row; PostgreSQL simply uses the primary key.
CREATE TABLE used_jtis (
  issuer TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (issuer, jti)
) WITHOUT ROWID;
CREATE INDEX used_jtis_expires_at ON used_jtis (expires_at);

-- A row per software id that has its one live registration; deleting the client deletes the row.
CREATE TABLE exclusive_software (
  software_id TEXT PRIMARY KEY NOT NULL,
  client_id TEXT NOT NULL UNIQUE REFERENCES clients (client_id)
);

-- PostgreSQL: id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
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
-- Access tokens revoked before they expire (UK-DCR-6, RFC7592-5), kept until their own expiry.
CREATE TABLE revoked_access_tokens (
  jti TEXT PRIMARY KEY NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX revoked_access_tokens_expires_at ON revoked_access_tokens (expires_at);
`,
  },
  {
    version: 3,
    name: 'registration_tokens',
    sql: `
-- RFC 7592 registration access tokens, by SHA-256 hash only (RFC7592-17, SEC-32). valid_until NULL marks the
-- client's current token; a replaced token keeps working until valid_until (epoch s, the rotation grace).
CREATE TABLE registration_tokens (
  token_hash TEXT PRIMARY KEY NOT NULL,
  client_id TEXT NOT NULL REFERENCES clients (client_id),
  valid_until INTEGER
) WITHOUT ROWID;
CREATE INDEX registration_tokens_client_id ON registration_tokens (client_id);
-- At most one current token per client.
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
