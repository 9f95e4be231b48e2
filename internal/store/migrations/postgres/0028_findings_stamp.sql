-- The findings list from memory (issue 4, fleet_findings_index.go): what a list must read again.
-- Every transaction that changes an organisation's findings raises its sequence once and stamps the
-- product versions it touched with it; a list reads again only the findings of the versions stamped
-- since the sequence its index reflects (a triage: one version; a full match: all of them).
CREATE TABLE findings_stamp (
    org_id BIGINT PRIMARY KEY REFERENCES organisations(id),
    seq    BIGINT NOT NULL DEFAULT 0
);
ALTER TABLE product_versions ADD COLUMN findings_seq BIGINT NOT NULL DEFAULT 0;
