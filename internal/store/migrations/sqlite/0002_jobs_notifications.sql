-- Background jobs (durable, retried with backoff) and notifications (e-mail, webhooks, preferences).
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER REFERENCES organisations(id), -- NULL for system jobs such as feed sync
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL DEFAULT 'queued', -- queued, running, done, failed, cancelled
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    run_at       TIMESTAMP NOT NULL,
    locked_by    TEXT NOT NULL DEFAULT '',
    locked_until TIMESTAMP,
    last_error   TEXT NOT NULL DEFAULT '',
    progress     INTEGER NOT NULL DEFAULT 0, -- 0–100
    progress_msg TEXT NOT NULL DEFAULT '',
    result       TEXT NOT NULL DEFAULT '',
    unique_key   TEXT UNIQUE,
    created      TIMESTAMP NOT NULL,
    updated      TIMESTAMP NOT NULL,
    finished     TIMESTAMP
);
CREATE INDEX jobs_ready ON jobs(status, run_at);
CREATE INDEX jobs_org ON jobs(org_id, created);

CREATE TABLE notification_prefs (
    org_id  INTEGER NOT NULL REFERENCES organisations(id),
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event   TEXT NOT NULL,
    channel TEXT NOT NULL, -- email
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, event, channel)
);

CREATE TABLE webhooks (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id  INTEGER NOT NULL REFERENCES organisations(id),
    name    TEXT NOT NULL,
    url     TEXT NOT NULL,
    secret  TEXT NOT NULL,
    events  TEXT NOT NULL DEFAULT '*', -- comma-separated event names or *
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_org ON webhooks(org_id);

CREATE TABLE notification_deliveries (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id   INTEGER NOT NULL REFERENCES organisations(id),
    event    TEXT NOT NULL,
    channel  TEXT NOT NULL, -- email, webhook
    target   TEXT NOT NULL, -- address or webhook name
    subject  TEXT NOT NULL DEFAULT '',
    status   TEXT NOT NULL, -- queued, sent, failed
    error    TEXT NOT NULL DEFAULT '',
    job_id   INTEGER,
    created  TIMESTAMP NOT NULL,
    sent_at  TIMESTAMP
);
CREATE INDEX notification_deliveries_org ON notification_deliveries(org_id, created);
