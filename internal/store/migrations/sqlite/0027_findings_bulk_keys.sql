-- Fleet matching, speed of storing findings (issue 4): the keys a full match checks for every row.
--
-- findings and finding_matches each referred to organisations. A full match inserts ~1.2 million
-- rows in one transaction, whose pages soon fill the writer's page cache; the parent's page of each
-- check (organisations) is then among the few clean ones the cache can recycle, and was read again for
-- nearly every row (measured at full size: 1.5 s of lookups, 1.3 s of the full match). What they
-- guaranteed holds without them: a finding's organisation is implied by its product version
-- (org_id, product_version_id → product_versions, as on PostgreSQL since 0025), and a match row is
-- only ever written for the organisation of the transaction and read by it. finding_matches also loses
-- its unique key on (org_id, id): nothing refers to it (a finding's match_id is looked up by the
-- primary key), and each key is another B-tree insert per row.
-- The key to the product version is checked at commit (DEFERRABLE INITIALLY DEFERRED, as for
-- sbom_components in 0026): with no immediate key and INSERT OR FAIL, a multi-row INSERT needs no
-- statement journal. A finding of another organisation's product version still fails, at commit, and
-- the transaction is rolled back; deleting a product version still deletes its findings at once.
--
-- SQLite cannot change a constraint in place: both tables are built again with their rows, indexes
-- and AUTOINCREMENT counters (ids are never reused: finding ids are in links and the history). The
-- history (finding_events) refers to findings, and with foreign keys on dropping findings would delete
-- it through ON DELETE CASCADE: it is set aside and built again too.
CREATE TEMP TABLE fleet_seq_keep AS SELECT name, seq FROM sqlite_sequence WHERE name IN ('findings', 'finding_matches', 'finding_events');
CREATE TEMP TABLE finding_events_keep (id INTEGER, org_id INTEGER, finding_id INTEGER, at TIMESTAMP, actor TEXT, kind TEXT, from_state TEXT,
    to_state TEXT, justification TEXT, owner TEXT, expires TIMESTAMP, comment TEXT);
INSERT INTO finding_events_keep SELECT id, org_id, finding_id, at, actor, kind, from_state, to_state, justification, owner, expires, comment
FROM finding_events;
DROP TABLE finding_events;

CREATE TABLE findings_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL, -- implied by the product version's key below
    product_version_id INTEGER NOT NULL,
    component_key      TEXT NOT NULL DEFAULT '',
    component_id       INTEGER NOT NULL DEFAULT 0,
    vuln_id            TEXT NOT NULL, -- canonical id (vulnerabilities.id when the feeds know it)
    severity_rank      INTEGER NOT NULL DEFAULT 0,
    active             BOOLEAN NOT NULL DEFAULT TRUE, -- false when VEX says not_affected or fixed
    state              TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'in_triage', 'exploitable', 'not_affected', 'mitigated', 'fixed', 'risk_accepted')),
    justification      TEXT NOT NULL DEFAULT '', -- VEX justification of not_affected
    owner              TEXT NOT NULL DEFAULT '', -- who accepted the risk
    expires            TIMESTAMP,                -- when an accepted risk is to be reviewed
    state_changed      TIMESTAMP,
    state_by           TEXT NOT NULL DEFAULT '',
    first_seen         TIMESTAMP NOT NULL,
    last_seen          TIMESTAMP NOT NULL,
    gone               TIMESTAMP, -- no longer matched since
    kev_notified       BOOLEAN NOT NULL DEFAULT FALSE, -- the known-exploited notification (vuln.kev) went out
    match_id           INTEGER NOT NULL DEFAULT 0, -- finding_matches.id
    match_hash         INTEGER NOT NULL DEFAULT 0, -- the first 64 bits of the match row's digest (0023)
    UNIQUE (org_id, product_version_id, component_key, vuln_id),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO findings_new (id, org_id, product_version_id, component_key, component_id, vuln_id, severity_rank, active, state, justification,
    owner, expires, state_changed, state_by, first_seen, last_seen, gone, kev_notified, match_id, match_hash)
SELECT id, org_id, product_version_id, component_key, component_id, vuln_id, severity_rank, active, state, justification,
    owner, expires, state_changed, state_by, first_seen, last_seen, gone, kev_notified, match_id, match_hash
FROM findings;
DROP TABLE findings;
ALTER TABLE findings_new RENAME TO findings;
CREATE INDEX findings_org_vuln ON findings(org_id, vuln_id);

CREATE TABLE finding_matches_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL, -- written and read only for the transaction's organisation
    digest            TEXT NOT NULL, -- of the columns below: equal content is stored once
    aliases           TEXT NOT NULL DEFAULT '', -- space-separated
    component_name    TEXT NOT NULL DEFAULT '',
    component_version TEXT NOT NULL DEFAULT '',
    component_purl    TEXT NOT NULL DEFAULT '',
    component_cpe     TEXT NOT NULL DEFAULT '',
    record_id         TEXT NOT NULL DEFAULT '', -- the source record or advisory that matched
    source            TEXT NOT NULL DEFAULT '', -- OSV, NVD, CSAF, VEX
    matcher           TEXT NOT NULL DEFAULT '', -- osv-range, nvd-cpe, csaf-product-status, vex-affected
    reason            TEXT NOT NULL DEFAULT '',
    other_reasons     TEXT NOT NULL DEFAULT '', -- one a line
    confidence        REAL NOT NULL DEFAULT 1,
    guessed           BOOLEAN NOT NULL DEFAULT FALSE, -- matched on an identifier Vigil inferred
    severity          TEXT NOT NULL DEFAULT 'unknown',
    severity_rank     INTEGER NOT NULL DEFAULT 0,
    cvss_score        REAL NOT NULL DEFAULT 0,
    cvss_vectors      TEXT NOT NULL DEFAULT '', -- every known vector, one a line
    fixed_version     TEXT NOT NULL DEFAULT '',
    remediation       TEXT NOT NULL DEFAULT '',
    match_status      TEXT NOT NULL DEFAULT 'affected' CHECK (match_status IN ('affected', 'under_investigation', 'not_affected', 'fixed')),
    active            BOOLEAN NOT NULL DEFAULT TRUE, -- false when VEX says not_affected or fixed
    vex_origin        TEXT NOT NULL DEFAULT '', -- manufacturer or hospital: whose statement decided match_status
    vex_statement_id  INTEGER NOT NULL DEFAULT 0, -- vex_statements.id of that statement (0: none, or made in the scan)
    vex_source        TEXT NOT NULL DEFAULT '',
    vex_justification TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, digest)
);
INSERT INTO finding_matches_new (id, org_id, digest, aliases, component_name, component_version, component_purl, component_cpe, record_id,
    source, matcher, reason, other_reasons, confidence, guessed, severity, severity_rank, cvss_score, cvss_vectors, fixed_version,
    remediation, match_status, active, vex_origin, vex_statement_id, vex_source, vex_justification)
SELECT id, org_id, digest, aliases, component_name, component_version, component_purl, component_cpe, record_id,
    source, matcher, reason, other_reasons, confidence, guessed, severity, severity_rank, cvss_score, cvss_vectors, fixed_version,
    remediation, match_status, active, vex_origin, vex_statement_id, vex_source, vex_justification
FROM finding_matches;
DROP TABLE finding_matches;
ALTER TABLE finding_matches_new RENAME TO finding_matches;

CREATE TABLE finding_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    finding_id    INTEGER NOT NULL,
    at            TIMESTAMP NOT NULL,
    actor         TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL CHECK (kind IN ('state', 'comment')),
    from_state    TEXT NOT NULL DEFAULT '',
    to_state      TEXT NOT NULL DEFAULT '',
    justification TEXT NOT NULL DEFAULT '',
    owner         TEXT NOT NULL DEFAULT '',
    expires       TIMESTAMP,
    comment       TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (org_id, finding_id) REFERENCES findings(org_id, id) ON DELETE CASCADE
);
INSERT INTO finding_events (id, org_id, finding_id, at, actor, kind, from_state, to_state, justification, owner, expires, comment)
SELECT id, org_id, finding_id, at, actor, kind, from_state, to_state, justification, owner, expires, comment FROM finding_events_keep;
CREATE INDEX finding_events_org_finding ON finding_events(org_id, finding_id, id);

-- the counters as they were (above the highest id left after deletions)
DELETE FROM sqlite_sequence WHERE name IN ('findings', 'finding_matches', 'finding_events');
INSERT INTO sqlite_sequence (name, seq) SELECT name, seq FROM fleet_seq_keep;
DROP TABLE finding_events_keep;
DROP TABLE fleet_seq_keep;
