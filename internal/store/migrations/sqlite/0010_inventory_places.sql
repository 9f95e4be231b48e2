-- Inventory, part 1: where devices are. Sites, locations (building/floor/room, optional parent),
-- departments and network zones with their exposure level. Every table is tenant data (org_id); the
-- UNIQUE (org_id, id) pairs let children refer to a parent of the same organisation only, through
-- composite foreign keys. Names are unique per organisation case-insensitively through name_key, which
-- the store fills with the folded name.
CREATE TABLE sites (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id   INTEGER NOT NULL REFERENCES organisations(id),
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL,
    code     TEXT NOT NULL DEFAULT '',
    address  TEXT NOT NULL DEFAULT '',
    created  TIMESTAMP NOT NULL,
    updated  TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name_key)
);

CREATE TABLE locations (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    INTEGER NOT NULL REFERENCES organisations(id),
    site_id   INTEGER NOT NULL,
    parent_id INTEGER,
    name      TEXT NOT NULL,
    name_key  TEXT NOT NULL,
    building  TEXT NOT NULL DEFAULT '',
    floor     TEXT NOT NULL DEFAULT '',
    room      TEXT NOT NULL DEFAULT '',
    created   TIMESTAMP NOT NULL,
    updated   TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, site_id, name_key),
    FOREIGN KEY (org_id, site_id) REFERENCES sites(org_id, id),
    FOREIGN KEY (org_id, parent_id) REFERENCES locations(org_id, id)
);
CREATE INDEX locations_org_parent ON locations(org_id, parent_id);

CREATE TABLE departments (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id   INTEGER NOT NULL REFERENCES organisations(id),
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL,
    code     TEXT NOT NULL DEFAULT '', -- cost centre
    site_id  INTEGER,
    created  TIMESTAMP NOT NULL,
    updated  TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name_key),
    FOREIGN KEY (org_id, site_id) REFERENCES sites(org_id, id)
);
CREATE INDEX departments_org_code ON departments(org_id, code);

-- exposure is an ordered scale, most exposed first: internet-facing, dmz, clinical-lan, office-lan,
-- isolated-vlan, standalone (domain.Exposures).
CREATE TABLE network_zones (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    vlan        INTEGER,
    cidr        TEXT NOT NULL DEFAULT '',
    exposure    TEXT NOT NULL CHECK (exposure IN ('internet-facing', 'dmz', 'clinical-lan', 'office-lan', 'isolated-vlan', 'standalone')),
    description TEXT NOT NULL DEFAULT '',
    created     TIMESTAMP NOT NULL,
    updated     TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name_key)
);
