-- Disclosures, part 1: the original documents of manufacturers' disclosures (SBOM, MDS2, CSAF, VEX), kept
-- byte for byte as evidence of what was received: hash, size, where it came from, when and by whom. The
-- parsed content lives in the tables of migrations 0016–0019, each row naming its document.
CREATE TABLE disclosure_documents (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    kind               TEXT NOT NULL CHECK (kind IN ('sbom', 'mds2', 'csaf', 'vex')),
    format             TEXT NOT NULL DEFAULT '', -- cyclonedx-json, spdx-tag-value, mds2-xlsx, csaf, openvex …
    file_name          TEXT NOT NULL DEFAULT '',
    media_type         TEXT NOT NULL DEFAULT '',
    sha256             TEXT NOT NULL,
    size               INTEGER NOT NULL,
    source             TEXT NOT NULL DEFAULT 'file', -- file, upload, url, provider, demo
    source_ref         TEXT NOT NULL DEFAULT '',     -- path, URL or provider the document came from
    title              TEXT NOT NULL DEFAULT '',
    ref                TEXT NOT NULL DEFAULT '', -- the document's own id: CSAF tracking id, SBOM serial, MDS2 DOC-4
    version            TEXT NOT NULL DEFAULT '', -- its version (CSAF tracking version)
    product_version_id INTEGER,                      -- the version it describes (no foreign key: evidence outlives it)
    imported           TIMESTAMP NOT NULL,
    imported_by        TEXT NOT NULL DEFAULT '',
    content            BLOB NOT NULL,
    UNIQUE (org_id, id)
);
CREATE INDEX disclosure_documents_org_kind ON disclosure_documents(org_id, kind, imported);
CREATE INDEX disclosure_documents_org_sha ON disclosure_documents(org_id, sha256);
CREATE INDEX disclosure_documents_org_ref ON disclosure_documents(org_id, kind, ref);
CREATE INDEX disclosure_documents_org_version ON disclosure_documents(org_id, product_version_id);
