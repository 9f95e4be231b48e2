-- SBOM ingest speed (issue 4): the foreign keys of sbom_components are checked at commit.
--
-- A multi-row INSERT into a table with an immediate foreign key makes SQLite open a statement journal
-- (so that it can undo the statement's earlier rows should a later row fail the check), and that
-- journal saves every existing index page the statement changes. With modernc's allocator each saved
-- page is freshly mapped memory: about a third of an SBOM import's time. A foreign key declared
-- DEFERRABLE INITIALLY DEFERRED (and INSERT OR FAIL for the other constraints, see ReplaceSBOM) needs
-- no statement journal: measured at 5,000 devices, 100,000 components imported 20,700 → 41,800 per
-- second. The checks stay: a component of a product version that is not the organisation's still
-- fails, at commit, and the whole import is rolled back; ON DELETE CASCADE acts at once as before.
--
-- SQLite cannot change a constraint in place: the table is built again with its rows, its indexes
-- and its AUTOINCREMENT counter (component ids are never reused: findings keep the id of the
-- component they last matched). No table refers to sbom_components, so dropping the old one deletes
-- nothing else.
CREATE TABLE sbom_components_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id) DEFERRABLE INITIALLY DEFERRED,
    product_version_id INTEGER NOT NULL,
    ref                TEXT NOT NULL DEFAULT '', -- bom-ref or SPDXID
    parent_ref         TEXT NOT NULL DEFAULT '',
    type               TEXT NOT NULL DEFAULT '',
    grp                TEXT NOT NULL DEFAULT '',
    name               TEXT NOT NULL,
    name_key           TEXT NOT NULL, -- lower case
    version            TEXT NOT NULL DEFAULT '',
    purl               TEXT NOT NULL DEFAULT '', -- canonical
    purl_key           TEXT NOT NULL DEFAULT '', -- canonical, without version, qualifiers and subpath
    cpe                TEXT NOT NULL DEFAULT '', -- CPE 2.3, lower case
    cpe_key            TEXT NOT NULL DEFAULT '', -- part:vendor:product of the CPE
    supplier           TEXT NOT NULL DEFAULT '',
    licenses           TEXT NOT NULL DEFAULT '', -- SPDX expression
    hashes             TEXT NOT NULL DEFAULT '', -- "ALG:hex" one per line
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

INSERT INTO sbom_components_new (id, org_id, product_version_id, ref, parent_ref, type, grp, name, name_key, version, purl, purl_key,
    cpe, cpe_key, supplier, licenses, hashes)
SELECT id, org_id, product_version_id, ref, parent_ref, type, grp, name, name_key, version, purl, purl_key,
    cpe, cpe_key, supplier, licenses, hashes
FROM sbom_components;

-- the counter of the old table (above the highest id left when components were replaced)
DELETE FROM sqlite_sequence WHERE name = 'sbom_components_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'sbom_components_new', seq FROM sqlite_sequence WHERE name = 'sbom_components';

DROP TABLE sbom_components;
ALTER TABLE sbom_components_new RENAME TO sbom_components;

CREATE INDEX sbom_components_org_version ON sbom_components(org_id, product_version_id);
CREATE INDEX sbom_components_org_purl ON sbom_components(org_id, purl_key);
CREATE INDEX sbom_components_org_name ON sbom_components(org_id, name_key);
CREATE INDEX sbom_components_org_cpe ON sbom_components(org_id, cpe_key);
