-- The findings list from memory (issue 4, fleet_findings_index.go): what a list must read again.
-- Every transaction that changes an organisation's findings raises its sequence once (the row lock of
-- the upsert orders such transactions on PostgreSQL) and records the product versions it touched under
-- that number; a list reads again only the findings of the versions recorded after the sequence its
-- index reflects (a triage: one version; a full match: all of them). Rows 10,000 transactions old are
-- pruned; an index older than that reads everything again.
CREATE TABLE findings_stamp (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    seq    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE findings_changes (
    org_id           INTEGER NOT NULL,
    seq              INTEGER NOT NULL,
    product_versions TEXT NOT NULL -- their ids, space-separated
);
CREATE INDEX findings_changes_org_seq ON findings_changes(org_id, seq);
