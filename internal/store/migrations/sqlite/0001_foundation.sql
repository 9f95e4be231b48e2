-- Foundation: organisations (tenants), users, sessions, API tokens and the hash-chained audit log.
CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL DEFAULT 'hospital',
    country     TEXT NOT NULL DEFAULT '',
    time_zone   TEXT NOT NULL DEFAULT 'Europe/Berlin',
    require_mfa BOOLEAN NOT NULL DEFAULT FALSE,
    created     TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    totp_secret   TEXT NOT NULL DEFAULT '',
    mfa_enabled   BOOLEAN NOT NULL DEFAULT FALSE,
    oidc_subject  TEXT UNIQUE,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created       TIMESTAMP NOT NULL,
    last_login    TIMESTAMP
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    INTEGER NOT NULL REFERENCES organisations(id),
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    mfa_passed BOOLEAN NOT NULL DEFAULT FALSE,
    created    TIMESTAMP NOT NULL,
    expires    TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created    TIMESTAMP NOT NULL,
    expires    TIMESTAMP,
    last_used  TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_org ON api_tokens(org_id);

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    seq        INTEGER NOT NULL,
    time       TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   INTEGER NOT NULL DEFAULT 0,
    actor_name TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX audit_events_org_time ON audit_events(org_id, time);

-- The head of each organisation's chain: the last sequence number and hash. Deleting the newest events
-- leaves the head pointing past the end of the table, which `vigil audit verify` reports.
CREATE TABLE audit_heads (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    seq    INTEGER NOT NULL,
    hash   TEXT NOT NULL
);

-- Append-only: the database refuses edits and deletions of audit events. Someone with direct file access
-- can still drop the triggers; the hash chain is what detects that.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
