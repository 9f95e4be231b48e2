-- Inventory, part 3: installed devices. An asset is one unit of a product version; its place, network
-- and owner. search holds the asset's own searchable text, folded to lower case by the store, so that
-- a free-text search is one substring test over one column; names of products, departments, locations
-- and zones are searched in their own (small) tables first. The indexes all start with org_id and serve the filters
-- and sort orders of the list (50,000 devices stay fast).
CREATE TABLE assets (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    product_version_id INTEGER NOT NULL,
    asset_tag          TEXT NOT NULL DEFAULT '',
    serial             TEXT NOT NULL DEFAULT '',
    site_id            INTEGER,
    location_id        INTEGER,
    department_id      INTEGER,
    zone_id            INTEGER,
    ip                 TEXT NOT NULL DEFAULT '',
    mac                TEXT NOT NULL DEFAULT '',
    hostname           TEXT NOT NULL DEFAULT '',
    owner              TEXT NOT NULL DEFAULT '',
    criticality        TEXT NOT NULL CHECK (criticality IN ('life-sustaining', 'critical', 'important', 'supportive')),
    patient_data       BOOLEAN NOT NULL DEFAULT FALSE,
    purchase_date      TIMESTAMP,
    replacement_cost   INTEGER NOT NULL DEFAULT 0, -- euro cents; 0 = the product's default
    status             TEXT NOT NULL DEFAULT 'in-use' CHECK (status IN ('in-use', 'spare', 'maintenance', 'retired')),
    notes              TEXT NOT NULL DEFAULT '',
    search             TEXT NOT NULL DEFAULT '',
    created            TIMESTAMP NOT NULL,
    updated            TIMESTAMP NOT NULL,
    CHECK (asset_tag <> '' OR serial <> ''),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id),
    FOREIGN KEY (org_id, site_id) REFERENCES sites(org_id, id),
    FOREIGN KEY (org_id, location_id) REFERENCES locations(org_id, id),
    FOREIGN KEY (org_id, department_id) REFERENCES departments(org_id, id),
    FOREIGN KEY (org_id, zone_id) REFERENCES network_zones(org_id, id)
);
CREATE UNIQUE INDEX assets_org_tag_unique ON assets(org_id, asset_tag) WHERE asset_tag <> '';
CREATE INDEX assets_org_tag ON assets(org_id, asset_tag, id);
CREATE INDEX assets_org_serial ON assets(org_id, serial);
-- Covering: the version filter, and the per-version figures of the dashboard without reading rows.
CREATE INDEX assets_org_version ON assets(org_id, product_version_id, status, replacement_cost);
CREATE INDEX assets_org_site ON assets(org_id, site_id);
CREATE INDEX assets_org_location ON assets(org_id, location_id);
CREATE INDEX assets_org_department ON assets(org_id, department_id);
CREATE INDEX assets_org_zone ON assets(org_id, zone_id);
CREATE INDEX assets_org_criticality ON assets(org_id, criticality);
-- Covering: the status filter, and the dashboard's counts by status, criticality, zone and patient data.
CREATE INDEX assets_org_status ON assets(org_id, status, criticality, zone_id, patient_data);
CREATE INDEX assets_org_ip ON assets(org_id, ip);
CREATE INDEX assets_org_hostname ON assets(org_id, hostname);
CREATE INDEX assets_org_updated ON assets(org_id, updated);
-- Free-text search scans this index instead of the table (it holds what a search term may match).
CREATE INDEX assets_org_search ON assets(org_id, search, product_version_id, department_id, location_id, zone_id, id);
