-- Disclosures, part 2: the SBOM of a product version and its components. A version has at most one SBOM
-- (a new import replaces its components; the earlier documents stay in disclosure_documents). Components
-- are indexed for "where is this component?": by package URL without version (purl_key), by name and by
-- the CPE's part:vendor:product (cpe_key). Devices inherit the components of their version by join.
CREATE TABLE sboms (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    product_version_id INTEGER NOT NULL,
    document_id        INTEGER NOT NULL,
    format             TEXT NOT NULL,
    spec_version       TEXT NOT NULL DEFAULT '',
    serial             TEXT NOT NULL DEFAULT '', -- CycloneDX serialNumber (urn:uuid:…) or SPDX namespace
    created            TIMESTAMP,                -- as the document says
    tools              TEXT NOT NULL DEFAULT '', -- one per line
    subject_name       TEXT NOT NULL DEFAULT '',
    subject_version    TEXT NOT NULL DEFAULT '',
    subject_purl       TEXT NOT NULL DEFAULT '',
    subject_purl_key   TEXT NOT NULL DEFAULT '',
    subject_cpe        TEXT NOT NULL DEFAULT '',
    components         INTEGER NOT NULL DEFAULT 0,
    warnings           TEXT NOT NULL DEFAULT '', -- one per line
    imported           TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, product_version_id),
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, document_id) REFERENCES disclosure_documents(org_id, id)
);
CREATE INDEX sboms_org_serial ON sboms(org_id, serial);
CREATE INDEX sboms_org_subject ON sboms(org_id, subject_purl_key);

CREATE TABLE sbom_components (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
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
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);
CREATE INDEX sbom_components_org_version ON sbom_components(org_id, product_version_id);
CREATE INDEX sbom_components_org_purl ON sbom_components(org_id, purl_key);
CREATE INDEX sbom_components_org_name ON sbom_components(org_id, name_key);
CREATE INDEX sbom_components_org_cpe ON sbom_components(org_id, cpe_key);
