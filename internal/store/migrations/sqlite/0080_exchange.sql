-- Exchange: what a manufacturer publishes (signing key, advisories with their product versions, the
-- published files, subscriber tokens for TLP:GREEN/AMBER, operator guidance per product version) and what
-- a hospital receives (subscriptions to providers, questions to manufacturers), plus the sharing relation
-- behind the aggregate view of groups and authorities.
CREATE TABLE exchange_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL UNIQUE REFERENCES organisations(id),
    fingerprint TEXT NOT NULL,
    public_key  TEXT NOT NULL,  -- ASCII-armoured, published
    private_key TEXT NOT NULL,  -- sealed (see internal/exchange/keys.go), never served
    created     TIMESTAMP NOT NULL
);

CREATE TABLE exchange_advisories (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id               INTEGER NOT NULL REFERENCES organisations(id),
    tracking_id          TEXT NOT NULL,
    title                TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    tlp                  TEXT NOT NULL DEFAULT 'WHITE' CHECK (tlp IN ('WHITE', 'GREEN', 'AMBER', 'RED')),
    cves                 TEXT NOT NULL DEFAULT '', -- space-separated
    cwe                  TEXT NOT NULL DEFAULT '',
    cvss_vector          TEXT NOT NULL DEFAULT '',
    cvss_score           REAL NOT NULL DEFAULT 0,
    severity             TEXT NOT NULL DEFAULT '',
    summary              TEXT NOT NULL DEFAULT '',
    details              TEXT NOT NULL DEFAULT '',
    remediation_category TEXT NOT NULL DEFAULT 'vendor_fix',
    remediation          TEXT NOT NULL DEFAULT '',
    remediation_url      TEXT NOT NULL DEFAULT '',
    workaround           TEXT NOT NULL DEFAULT '',
    revision             INTEGER NOT NULL DEFAULT 0, -- published versions so far
    initial_release      TIMESTAMP,
    current_release      TIMESTAMP,
    created              TIMESTAMP NOT NULL,
    updated              TIMESTAMP NOT NULL,
    created_by           TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, id),
    UNIQUE (org_id, tracking_id)
);

CREATE TABLE exchange_advisory_versions (
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    advisory_id        INTEGER NOT NULL,
    product_version_id INTEGER NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('affected', 'fixed')),
    PRIMARY KEY (org_id, advisory_id, product_version_id),
    FOREIGN KEY (org_id, advisory_id) REFERENCES exchange_advisories(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);

CREATE TABLE exchange_publications (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    kind               TEXT NOT NULL CHECK (kind IN ('csaf', 'openvex', 'cyclonedx-vex', 'sbom')),
    advisory_id        INTEGER,
    product_version_id INTEGER,
    version            INTEGER NOT NULL,
    tlp                TEXT NOT NULL DEFAULT 'WHITE',
    file_name          TEXT NOT NULL,
    media_type         TEXT NOT NULL,
    data               TEXT NOT NULL,
    sha256             TEXT NOT NULL,
    sha512             TEXT NOT NULL,
    signature          TEXT NOT NULL DEFAULT '', -- armoured detached OpenPGP signature
    published          TIMESTAMP NOT NULL,
    published_by       TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, advisory_id) REFERENCES exchange_advisories(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);
CREATE INDEX exchange_publications_org_kind ON exchange_publications(org_id, kind, advisory_id, product_version_id, version);

CREATE TABLE exchange_subscriber_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    name       TEXT NOT NULL,
    tlp_max    TEXT NOT NULL CHECK (tlp_max IN ('GREEN', 'AMBER')),
    prefix     TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created    TIMESTAMP NOT NULL,
    expires    TIMESTAMP,
    last_used  TIMESTAMP,
    revoked_at TIMESTAMP,
    UNIQUE (org_id, id)
);

CREATE TABLE exchange_guidance (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    product_version_id INTEGER NOT NULL,
    topic              TEXT NOT NULL CHECK (topic IN ('requirements', 'hardening', 'ports', 'backup', 'other')),
    body               TEXT NOT NULL,
    updated            TIMESTAMP NOT NULL,
    updated_by         TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, id),
    UNIQUE (org_id, product_version_id, topic),
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);

CREATE TABLE exchange_subscriptions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    name            TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'csaf' CHECK (kind IN ('vigil', 'csaf')),
    key_pin         TEXT NOT NULL DEFAULT '', -- armoured public key; '' = the keys the metadata lists
    key_fingerprint TEXT NOT NULL DEFAULT '',
    token           TEXT NOT NULL DEFAULT '', -- subscriber token for TLP:GREEN/AMBER; never returned
    tlp             TEXT NOT NULL DEFAULT 'WHITE GREEN', -- labels to fetch, space-separated
    every_hours     INTEGER NOT NULL DEFAULT 24, -- 0: on demand only
    status          TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'ok', 'error')),
    last_sync       TIMESTAMP,
    last_success    TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    last_result     TEXT NOT NULL DEFAULT '',
    documents       INTEGER NOT NULL DEFAULT 0,
    created         TIMESTAMP NOT NULL,
    created_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, id),
    UNIQUE (org_id, url)
);

CREATE TABLE exchange_questions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    manufacturer       TEXT NOT NULL,
    subscription_id    INTEGER,
    product_version_id INTEGER,         -- no foreign key: kept when the version goes
    vulnerability      TEXT NOT NULL DEFAULT '',
    question           TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    asked              TIMESTAMP NOT NULL,
    asked_by           TEXT NOT NULL DEFAULT '',
    answer             TEXT NOT NULL DEFAULT '',
    answer_status      TEXT NOT NULL DEFAULT '', -- VEX status the answer states, if any
    justification      TEXT NOT NULL DEFAULT '',
    answered_at        TIMESTAMP,
    answered_by        TEXT NOT NULL DEFAULT '',
    vex_statement_id   INTEGER,
    UNIQUE (org_id, id)
);
CREATE INDEX exchange_questions_org_status ON exchange_questions(org_id, status);

-- org_id shares its aggregate figures with target_org_id (a group or an authority).
CREATE TABLE exchange_shares (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    target_org_id INTEGER NOT NULL REFERENCES organisations(id),
    created       TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, id),
    UNIQUE (org_id, target_org_id)
);
CREATE INDEX exchange_shares_target ON exchange_shares(target_org_id);
