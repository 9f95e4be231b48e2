-- Fleet matching, speed of storing findings (issue 4, the storage redesign's step 3): an
-- organisation's findings of a product version are stored as sets in the format of internal/findingset
-- instead of one findings row each. A full match wrote ~810,000 finding rows at the issue's scale (most
-- of its writer's time); it now writes ~2,000 sets.
--
-- finding_sets        per product version, its findings in parts: part 0 is what the last full match
--                     (or the first write) stored, each later part holds the findings a re-match,
--                     a triage or a notification changed since, and a finding in a later part replaces
--                     the one with the same id before it. A full match writes the version again as one part.
--                     A re-match for some vulnerabilities (an advisory) reads only the parts whose
--                     filter may hold them; the next finding number comes from last_seq.
-- finding_legacy_ids  which product version a finding numbered before this migration belongs to, as
--                     ranges of ids (findings keep their numbers: links and the audit log stay valid).
--                     New findings are numbered product version × 2^24 + n, so their id names the set.
-- finding_events      the triage history as before, keyed by the product version as well (deleting a
--                     version deletes its history, which the findings' rows did before).
--
-- The Go step of the migration (migrate.go) packs the findings rows into sets, records the legacy
-- ranges, copies the history from finding_events_old and drops both old tables.
CREATE TABLE finding_sets (
    org_id             INTEGER NOT NULL,
    product_version_id INTEGER NOT NULL,
    part               INTEGER NOT NULL,
    n                  INTEGER NOT NULL, -- entries in data
    last_seq           INTEGER NOT NULL,   -- the highest finding number (id mod 2^24) of the version's own in data, 0: none
    vuln_filter        BLOB NOT NULL,   -- findingset.VulnFilter of the entries' vulnerabilities
    data               BLOB NOT NULL,   -- findingset.AppendSet (last: the columns before it are read without it)
    PRIMARY KEY (org_id, product_version_id, part),
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);
CREATE TABLE finding_legacy_ids (
    org_id             INTEGER NOT NULL,
    first_id           INTEGER NOT NULL,
    last_id            INTEGER NOT NULL,
    product_version_id INTEGER NOT NULL,
    PRIMARY KEY (org_id, first_id),
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);

DROP INDEX finding_events_org_finding;
ALTER TABLE finding_events RENAME TO finding_events_old;
CREATE TABLE finding_events (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    product_version_id INTEGER NOT NULL,
    finding_id         INTEGER NOT NULL,
    at                 TIMESTAMP NOT NULL,
    actor              TEXT NOT NULL DEFAULT '',
    kind               TEXT NOT NULL CHECK (kind IN ('state', 'comment')),
    from_state         TEXT NOT NULL DEFAULT '',
    to_state           TEXT NOT NULL DEFAULT '',
    justification      TEXT NOT NULL DEFAULT '',
    owner              TEXT NOT NULL DEFAULT '',
    expires            TIMESTAMP,
    comment            TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);
CREATE INDEX finding_events_org_finding ON finding_events(org_id, finding_id, id);
