-- Fleet matching (issue 4): findings, their triage history and the matcher's progress.
--
-- findings         one row per organisation × product version × component × vulnerability (canonical id).
--                  component_key identifies the component across SBOM re-imports (its package URL, else its
--                  CPE, else "name@version"; '' for a product-level finding from a CSAF product status or a
--                  product-level VEX statement); component_id is the sbom_components row of the last match
--                  (0 for product-level findings). Every installed asset of the product version inherits it.
--                  A re-match replaces the match columns and keeps the triage columns (state …); a finding
--                  the re-match no longer produces gets "gone" set (kept with its triage and history, and
--                  cleared should it come back).
-- finding_events   the triage history, append-only: state changes (with justification, owner, expiry) and
--                  comments.
-- fleet_match_state per organisation: the last feed change (feed_changes.id) the findings reflect.
CREATE TABLE findings (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    product_version_id INTEGER NOT NULL,
    component_key      TEXT NOT NULL DEFAULT '',
    component_id       INTEGER NOT NULL DEFAULT 0,
    vuln_id            TEXT NOT NULL, -- canonical id (vulnerabilities.id when the feeds know it)
    aliases            TEXT NOT NULL DEFAULT '', -- space-separated
    component_name     TEXT NOT NULL DEFAULT '',
    component_version  TEXT NOT NULL DEFAULT '',
    component_purl     TEXT NOT NULL DEFAULT '',
    component_cpe      TEXT NOT NULL DEFAULT '',
    record_id          TEXT NOT NULL DEFAULT '', -- the source record or advisory that matched
    source             TEXT NOT NULL DEFAULT '', -- OSV, NVD, CSAF, VEX
    matcher            TEXT NOT NULL DEFAULT '', -- osv-range, nvd-cpe, csaf-product-status, vex-affected
    reason             TEXT NOT NULL DEFAULT '',
    other_reasons      TEXT NOT NULL DEFAULT '', -- one a line
    confidence         REAL NOT NULL DEFAULT 1,
    guessed            BOOLEAN NOT NULL DEFAULT FALSE, -- matched on an identifier Vigil inferred
    severity           TEXT NOT NULL DEFAULT 'unknown',
    severity_rank      INTEGER NOT NULL DEFAULT 0,
    cvss_score         REAL NOT NULL DEFAULT 0,
    cvss_vectors       TEXT NOT NULL DEFAULT '', -- every known vector, one a line
    fixed_version      TEXT NOT NULL DEFAULT '',
    remediation        TEXT NOT NULL DEFAULT '',
    match_status       TEXT NOT NULL DEFAULT 'affected' CHECK (match_status IN ('affected', 'under_investigation', 'not_affected', 'fixed')),
    active             BOOLEAN NOT NULL DEFAULT TRUE, -- false when VEX says not_affected or fixed
    vex_origin         TEXT NOT NULL DEFAULT '', -- manufacturer or hospital: whose statement decided match_status
    vex_statement_id   INTEGER NOT NULL DEFAULT 0, -- vex_statements.id of that statement (0: none, or made in the scan)
    vex_source         TEXT NOT NULL DEFAULT '',
    vex_justification  TEXT NOT NULL DEFAULT '',
    digest             TEXT NOT NULL DEFAULT '', -- of the match columns: an unchanged re-match writes nothing
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
    UNIQUE (org_id, product_version_id, component_key, vuln_id),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);
CREATE INDEX findings_org_vuln ON findings(org_id, vuln_id);

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
CREATE INDEX finding_events_org_finding ON finding_events(org_id, finding_id, id);

CREATE TABLE fleet_match_state (
    org_id          INTEGER PRIMARY KEY REFERENCES organisations(id),
    feed_generation INTEGER NOT NULL DEFAULT 0, -- the last feed change the findings reflect
    last_full       TIMESTAMP,                  -- the last full match
    last_run        TIMESTAMP,
    findings        INTEGER NOT NULL DEFAULT 0
);
