-- Inventory, part 2: what devices are. Manufacturers, their products (models) and product versions
-- (firmware/software). Manufacturers' disclosures (SBOM, MDS2, CSAF, VEX; migrations 0015–0019)
-- attach to product_versions; an installed device inherits those of its version.
CREATE TABLE manufacturers (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id   INTEGER NOT NULL REFERENCES organisations(id),
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL,
    aliases  TEXT NOT NULL DEFAULT '', -- other spellings, one per line
    website  TEXT NOT NULL DEFAULT '',
    psirt    TEXT NOT NULL DEFAULT '',
    notes    TEXT NOT NULL DEFAULT '',
    created  TIMESTAMP NOT NULL,
    updated  TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name_key)
);

CREATE TABLE products (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organisations(id),
    manufacturer_id   INTEGER NOT NULL,
    name              TEXT NOT NULL,
    name_key          TEXT NOT NULL,
    model_number      TEXT NOT NULL DEFAULT '',
    udi_di            TEXT NOT NULL DEFAULT '',
    medical_device    BOOLEAN NOT NULL DEFAULT TRUE,
    device_class      TEXT NOT NULL DEFAULT '', -- mdr-i … mdr-iii, ivdr-a … ivdr-d
    clinical_function TEXT NOT NULL DEFAULT '',
    category          TEXT NOT NULL DEFAULT '',
    end_of_support    TIMESTAMP,
    end_of_life       TIMESTAMP,
    replacement_cost  INTEGER NOT NULL DEFAULT 0, -- euro cents; 0 = unknown
    cpe_vendor        TEXT NOT NULL DEFAULT '',
    cpe_product       TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    created           TIMESTAMP NOT NULL,
    updated           TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, manufacturer_id, name_key),
    FOREIGN KEY (org_id, manufacturer_id) REFERENCES manufacturers(org_id, id)
);
CREATE INDEX products_org_category ON products(org_id, category);

CREATE TABLE product_versions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           INTEGER NOT NULL REFERENCES organisations(id),
    product_id       INTEGER NOT NULL,
    version          TEXT NOT NULL DEFAULT '', -- '' = version not known
    version_key      TEXT NOT NULL DEFAULT '',
    release_date     TIMESTAMP,
    end_of_support   TIMESTAMP,
    operating_system TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    created          TIMESTAMP NOT NULL,
    updated          TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, product_id, version_key),
    FOREIGN KEY (org_id, product_id) REFERENCES products(org_id, id)
);
