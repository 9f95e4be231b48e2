-- Disclosures, part 4: CSAF 2.0 advisories. One row per tracking id holds the latest version received
-- (earlier versions stay in disclosure_documents as evidence). The product tree is flattened into
-- advisory_products; each is mapped to inventory products (advisory_product_links, with how it was
-- mapped) and, through its version or version range, to the product versions it covers
-- (advisory_product_versions). Products that cannot be mapped wait in the mapping queue (state
-- 'unmapped'); a person's decision is remembered as a rule (csaf_mapping_rules: vendor + product name →
-- product, or ignore) and applied to later advisories.
CREATE TABLE advisories (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id              INTEGER NOT NULL REFERENCES organisations(id),
    tracking_id         TEXT NOT NULL,
    version             TEXT NOT NULL DEFAULT '',
    title               TEXT NOT NULL DEFAULT '',
    publisher           TEXT NOT NULL DEFAULT '',
    publisher_category  TEXT NOT NULL DEFAULT '',
    publisher_namespace TEXT NOT NULL DEFAULT '',
    vendors             TEXT NOT NULL DEFAULT '', -- the vendors of the product tree, one per line
    tlp                 TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT '',
    profile             TEXT NOT NULL DEFAULT '',
    lang                TEXT NOT NULL DEFAULT '',
    initial_release     TIMESTAMP,
    current_release     TIMESTAMP,
    aliases             TEXT NOT NULL DEFAULT '', -- one per line
    cves                TEXT NOT NULL DEFAULT '', -- space-separated, for search
    summary             TEXT NOT NULL DEFAULT '',
    refs                TEXT NOT NULL DEFAULT '', -- JSON: [{category, summary, url}]
    max_cvss            REAL NOT NULL DEFAULT 0,
    severity            TEXT NOT NULL DEFAULT '',
    document_id         INTEGER NOT NULL,
    warnings            TEXT NOT NULL DEFAULT '', -- one per line
    imported            TIMESTAMP NOT NULL,
    updated             TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, tracking_id),
    FOREIGN KEY (org_id, document_id) REFERENCES disclosure_documents(org_id, id)
);
CREATE INDEX advisories_org_release ON advisories(org_id, current_release);

CREATE TABLE advisory_products (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    advisory_id   INTEGER NOT NULL,
    csaf_id       TEXT NOT NULL,            -- product_id in the document
    name          TEXT NOT NULL DEFAULT '', -- full_product_name.name
    vendor        TEXT NOT NULL DEFAULT '',
    family        TEXT NOT NULL DEFAULT '',
    product_name  TEXT NOT NULL DEFAULT '',
    version       TEXT NOT NULL DEFAULT '', -- product_version
    version_range TEXT NOT NULL DEFAULT '', -- product_version_range as written
    purl          TEXT NOT NULL DEFAULT '',
    cpe           TEXT NOT NULL DEFAULT '',
    model_numbers TEXT NOT NULL DEFAULT '', -- one per line
    relationship  TEXT NOT NULL DEFAULT '', -- "category: component → platform" for relationship products
    vendor_key    TEXT NOT NULL DEFAULT '', -- what mapping rules match on
    name_key      TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL CHECK (state IN ('mapped', 'unmapped', 'ignored')),
    note          TEXT NOT NULL DEFAULT '', -- why it is unmapped, or how it was mapped
    suggestions   TEXT NOT NULL DEFAULT '', -- product ids a person may map it to, space-separated, best first
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, advisory_id) REFERENCES advisories(org_id, id) ON DELETE CASCADE
);
CREATE INDEX advisory_products_org_advisory ON advisory_products(org_id, advisory_id);
CREATE INDEX advisory_products_org_state ON advisory_products(org_id, state);
CREATE INDEX advisory_products_org_key ON advisory_products(org_id, vendor_key, name_key);

CREATE TABLE advisory_product_links (
    org_id              INTEGER NOT NULL REFERENCES organisations(id),
    advisory_product_id INTEGER NOT NULL,
    product_id          INTEGER NOT NULL,
    method              TEXT NOT NULL, -- purl, cpe, model, name, rule, manual
    version_range       TEXT NOT NULL DEFAULT '', -- a person's range instead of the advisory's ('' = the advisory's)
    PRIMARY KEY (org_id, advisory_product_id, product_id),
    FOREIGN KEY (org_id, advisory_product_id) REFERENCES advisory_products(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, product_id) REFERENCES products(org_id, id) ON DELETE CASCADE
);
CREATE INDEX advisory_product_links_org_product ON advisory_product_links(org_id, product_id);

CREATE TABLE advisory_product_versions (
    org_id              INTEGER NOT NULL REFERENCES organisations(id),
    advisory_product_id INTEGER NOT NULL,
    product_version_id  INTEGER NOT NULL,
    PRIMARY KEY (org_id, advisory_product_id, product_version_id),
    FOREIGN KEY (org_id, advisory_product_id) REFERENCES advisory_products(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE
);
CREATE INDEX advisory_product_versions_org_version ON advisory_product_versions(org_id, product_version_id);

CREATE TABLE advisory_vulnerabilities (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    advisory_id  INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    cve          TEXT NOT NULL DEFAULT '',
    ids          TEXT NOT NULL DEFAULT '', -- other ids, "system: text" one per line
    title        TEXT NOT NULL DEFAULT '',
    cwe          TEXT NOT NULL DEFAULT '', -- "CWE-79 name"
    cvss_version TEXT NOT NULL DEFAULT '',
    cvss_vector  TEXT NOT NULL DEFAULT '',
    cvss_score   REAL NOT NULL DEFAULT 0,
    severity     TEXT NOT NULL DEFAULT '',
    release_date TIMESTAMP,
    summary      TEXT NOT NULL DEFAULT '',
    statuses     TEXT NOT NULL DEFAULT '', -- JSON: {"known_affected": [csaf product ids], …}
    remediations TEXT NOT NULL DEFAULT '', -- JSON: [{category, details, url, product_ids}]
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, advisory_id) REFERENCES advisories(org_id, id) ON DELETE CASCADE
);
CREATE INDEX advisory_vulnerabilities_org_advisory ON advisory_vulnerabilities(org_id, advisory_id, position);
CREATE INDEX advisory_vulnerabilities_org_cve ON advisory_vulnerabilities(org_id, cve);

CREATE TABLE csaf_mapping_rules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    vendor_key    TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    vendor        TEXT NOT NULL DEFAULT '', -- as the advisory wrote it (display)
    name          TEXT NOT NULL DEFAULT '',
    product_id    INTEGER,                  -- NULL: ignore such products
    version_range TEXT NOT NULL DEFAULT '', -- '' = the advisory's own version or range
    created       TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, product_id) REFERENCES products(org_id, id) ON DELETE CASCADE
);
CREATE INDEX csaf_mapping_rules_org_key ON csaf_mapping_rules(org_id, vendor_key, name_key);
