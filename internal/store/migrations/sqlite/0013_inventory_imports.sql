-- Inventory imports: uploads waiting for confirmation in the web UI (kept for a day, then removed), and
-- the history of applied imports with the file's hash for evidence.
CREATE TABLE inventory_uploads (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    INTEGER NOT NULL REFERENCES organisations(id),
    user_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    content   BLOB NOT NULL,
    created   TIMESTAMP NOT NULL
);
CREATE INDEX inventory_uploads_org ON inventory_uploads(org_id, created);

CREATE TABLE inventory_imports (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    file_name  TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    format     TEXT NOT NULL,
    rows_total INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL,
    unchanged  INTEGER NOT NULL,
    rejected   INTEGER NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    time       TIMESTAMP NOT NULL
);
CREATE INDEX inventory_imports_org ON inventory_imports(org_id, time);
