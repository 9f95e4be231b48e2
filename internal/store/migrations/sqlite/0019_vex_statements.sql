-- Disclosures, part 5: VEX statements of every source in one model: vulnerability × product version ×
-- optional component × status × justification, with the source document and who stated it
-- (manufacturer or hospital). OpenVEX, CycloneDX VEX and CSAF VEX documents give statements directly;
-- CSAF advisories give theirs through the mapping of their products (advisory_id and
-- advisory_product_id name them, so a new mapping replaces exactly those). A statement whose product
-- matches no product version is kept with product_version_id NULL and the product as the document named it.
CREATE TABLE vex_statements (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id              INTEGER NOT NULL REFERENCES organisations(id),
    document_id         INTEGER,
    advisory_id         INTEGER,
    advisory_product_id INTEGER,
    source_kind         TEXT NOT NULL CHECK (source_kind IN ('manufacturer', 'hospital')),
    source_format       TEXT NOT NULL DEFAULT '', -- openvex, cyclonedx, csaf, manual
    source              TEXT NOT NULL DEFAULT '', -- document id or author
    vulnerability       TEXT NOT NULL,
    aliases             TEXT NOT NULL DEFAULT '', -- space-separated
    product_version_id  INTEGER,
    product_ref         TEXT NOT NULL DEFAULT '', -- the product as the document identifies it
    product_name        TEXT NOT NULL DEFAULT '',
    product_version     TEXT NOT NULL DEFAULT '',
    product_purl        TEXT NOT NULL DEFAULT '',
    product_cpe         TEXT NOT NULL DEFAULT '',
    component_name      TEXT NOT NULL DEFAULT '', -- optional component the statement is about
    component_version   TEXT NOT NULL DEFAULT '',
    component_purl      TEXT NOT NULL DEFAULT '',
    component_purl_key  TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL CHECK (status IN ('not_affected', 'affected', 'fixed', 'under_investigation')),
    justification       TEXT NOT NULL DEFAULT '',
    impact              TEXT NOT NULL DEFAULT '',
    action              TEXT NOT NULL DEFAULT '',
    stated              TIMESTAMP, -- the statement's timestamp
    created             TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, document_id) REFERENCES disclosure_documents(org_id, id),
    FOREIGN KEY (org_id, advisory_id) REFERENCES advisories(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);
CREATE INDEX vex_statements_org_version ON vex_statements(org_id, product_version_id, vulnerability);
CREATE INDEX vex_statements_org_vuln ON vex_statements(org_id, vulnerability);
CREATE INDEX vex_statements_org_document ON vex_statements(org_id, document_id);
CREATE INDEX vex_statements_org_advisory ON vex_statements(org_id, advisory_id, advisory_product_id);
