-- Narrow findings (issue 4, speed): what a match says about a component and a vulnerability — names,
-- reason, source, severity, vectors, fixed version, the VEX decision — is the same in every product
-- version with that component, so it is stored once per organisation and content (its digest) in
-- finding_matches, and a findings row keeps only what is its own: product version, component row,
-- match_id, the triage columns and the dates. active and severity_rank stay on the finding too, because
-- every list filters on them.
--
-- finding_matches  one row per organisation × distinct match content; rows no finding refers to are
--                  removed after each full match.
-- Existing findings keep their ids, triage and history: each becomes its own match row (same id, digest
-- "f<id>"), which the next re-match replaces by the shared one.
CREATE TABLE finding_matches (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organisations(id),
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
    UNIQUE (org_id, digest),
    UNIQUE (org_id, id)
);

INSERT INTO finding_matches (id, org_id, digest, aliases, component_name, component_version, component_purl, component_cpe,
    record_id, source, matcher, reason, other_reasons, confidence, guessed, severity, severity_rank, cvss_score, cvss_vectors,
    fixed_version, remediation, match_status, active, vex_origin, vex_statement_id, vex_source, vex_justification)
SELECT id, org_id, 'f' || id, aliases, component_name, component_version, component_purl, component_cpe,
    record_id, source, matcher, reason, other_reasons, confidence, guessed, severity, severity_rank, cvss_score, cvss_vectors,
    fixed_version, remediation, match_status, active, vex_origin, vex_statement_id, vex_source, vex_justification
FROM findings;

ALTER TABLE findings ADD COLUMN match_id INTEGER NOT NULL DEFAULT 0; -- finding_matches.id
UPDATE findings SET match_id = id;

ALTER TABLE findings DROP COLUMN aliases;
ALTER TABLE findings DROP COLUMN component_name;
ALTER TABLE findings DROP COLUMN component_version;
ALTER TABLE findings DROP COLUMN component_purl;
ALTER TABLE findings DROP COLUMN component_cpe;
ALTER TABLE findings DROP COLUMN record_id;
ALTER TABLE findings DROP COLUMN source;
ALTER TABLE findings DROP COLUMN matcher;
ALTER TABLE findings DROP COLUMN reason;
ALTER TABLE findings DROP COLUMN other_reasons;
ALTER TABLE findings DROP COLUMN confidence;
ALTER TABLE findings DROP COLUMN guessed;
ALTER TABLE findings DROP COLUMN severity;
ALTER TABLE findings DROP COLUMN cvss_score;
ALTER TABLE findings DROP COLUMN cvss_vectors;
ALTER TABLE findings DROP COLUMN fixed_version;
ALTER TABLE findings DROP COLUMN remediation;
ALTER TABLE findings DROP COLUMN match_status;
ALTER TABLE findings DROP COLUMN vex_origin;
ALTER TABLE findings DROP COLUMN vex_statement_id;
ALTER TABLE findings DROP COLUMN vex_source;
ALTER TABLE findings DROP COLUMN vex_justification;
ALTER TABLE findings DROP COLUMN digest;
