-- Incidents ↔ inventory: the installed devices an incident affects, as links to assets. The incident's
-- free-text devices list stays for what the inventory does not hold ("other affected systems"). A linked
-- device cannot be deleted (retire it instead): the link is part of the incident's record.
CREATE TABLE incident_assets (
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    asset_id    INTEGER NOT NULL,
    added_by    TEXT NOT NULL DEFAULT '',
    added       TIMESTAMP NOT NULL,
    PRIMARY KEY (incident_id, asset_id),
    FOREIGN KEY (org_id, asset_id) REFERENCES assets(org_id, id)
);
CREATE INDEX incident_assets_org ON incident_assets(org_id, incident_id);
CREATE INDEX incident_assets_org_asset ON incident_assets(org_id, asset_id);
