-- Risk and legacy technology (issue 5). Replacement costs stay where the inventory keeps them
-- (products.replacement_cost as the default, assets.replacement_cost as the override); this adds what
-- the inventory does not hold.

-- Risk weights, versioned per organisation. A published version never changes; exactly one version is
-- active. weights holds the JSON of risk.Weights. Scores and snapshots record the version they used.
CREATE TABLE risk_weights (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    version    TEXT NOT NULL,
    weights    TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT FALSE,
    created    TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, id),
    UNIQUE (org_id, version)
);
CREATE INDEX risk_weights_org_active ON risk_weights(org_id, active);

-- Compensating controls, per asset or per product (then every asset of the product inherits them).
CREATE TABLE risk_controls (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    asset_id    INTEGER,
    product_id  INTEGER,
    kind        TEXT NOT NULL CHECK (kind IN ('network-removed', 'segmentation', 'firewall', 'allow-listing', 'disabled-services', 'monitoring')),
    description TEXT NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    review_due  TIMESTAMP,
    created     TIMESTAMP NOT NULL,
    updated     TIMESTAMP NOT NULL,
    CHECK ((asset_id IS NULL) <> (product_id IS NULL)),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id),
    FOREIGN KEY (org_id, product_id) REFERENCES products(org_id, id)
);
CREATE INDEX risk_controls_org_asset ON risk_controls(org_id, asset_id);
CREATE INDEX risk_controls_org_product ON risk_controls(org_id, product_id);
CREATE INDEX risk_controls_org_review ON risk_controls(org_id, review_due);

-- End of support of a product (component '') or of a component inside it (an operating system or
-- runtime, e.g. 'Windows 7 Embedded', 'OpenSSL 1.0.2'), with where the date comes from.
CREATE TABLE risk_support (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organisations(id),
    product_id     INTEGER NOT NULL,
    component      TEXT NOT NULL DEFAULT '',
    end_of_support TIMESTAMP NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('entered', 'mds2', 'contract', 'endoflife.date')),
    reference      TEXT NOT NULL DEFAULT '',
    created        TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, product_id, component),
    FOREIGN KEY (org_id, product_id) REFERENCES products(org_id, id)
);

-- Devices that must stay in service (clinical constraints), optionally until a date.
CREATE TABLE risk_keeps (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id   INTEGER NOT NULL REFERENCES organisations(id),
    asset_id INTEGER NOT NULL,
    reason   TEXT NOT NULL,
    keep_until TIMESTAMP,
    created  TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, asset_id),
    FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id)
);

-- Models that must be replaced together (e.g. a modality and its acquisition workstation).
CREATE TABLE risk_groups (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id  INTEGER NOT NULL REFERENCES organisations(id),
    name    TEXT NOT NULL,
    reason  TEXT NOT NULL DEFAULT '',
    created TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);
CREATE TABLE risk_group_products (
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    group_id   INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    PRIMARY KEY (org_id, group_id, product_id),
    FOREIGN KEY (org_id, group_id) REFERENCES risk_groups(org_id, id),
    FOREIGN KEY (org_id, product_id) REFERENCES products(org_id, id)
);

-- Daily risk totals: dimension 'total' (name ''), 'department' and 'manufacturer' (name = the department or manufacturer).
CREATE TABLE risk_snapshots (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    day             TEXT NOT NULL, -- YYYY-MM-DD in the organisation's calendar
    dimension       TEXT NOT NULL CHECK (dimension IN ('total', 'department', 'manufacturer')),
    name            TEXT NOT NULL DEFAULT '',
    risk            REAL NOT NULL,
    assets          INTEGER NOT NULL DEFAULT 0,
    legacy          INTEGER NOT NULL DEFAULT 0,
    kev             INTEGER NOT NULL DEFAULT 0,
    weights_version TEXT NOT NULL,
    formula_version TEXT NOT NULL,
    UNIQUE (org_id, day, dimension, name)
);
CREATE INDEX risk_snapshots_org_dim ON risk_snapshots(org_id, dimension, day);
