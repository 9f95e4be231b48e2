-- Procurement: requirement catalogues per organisation (versioned copies of the built-in ones), tenders
-- with the snapshot of their criteria, bids with their evidence (MDS2 as JSON, questionnaire answers, cloud
-- assessment), the files kept with them, evaluators' scores, and the commitments tracked after award.
CREATE TABLE procurement_catalogues (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    name       TEXT NOT NULL,              -- default, cloud
    version    INTEGER NOT NULL,
    based_on   TEXT NOT NULL DEFAULT '',   -- built-in catalogue version it was copied from
    data       TEXT NOT NULL,              -- the catalogue as JSON
    note       TEXT NOT NULL DEFAULT '',
    created    TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, name, version)
);

CREATE TABLE tenders (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organisations(id),
    reference         TEXT NOT NULL,
    title             TEXT NOT NULL,
    subject           TEXT NOT NULL DEFAULT '',
    clinical_use      TEXT NOT NULL DEFAULT '',
    network_exposure  TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL DEFAULT 'device', -- device, cloud
    deadline          TIMESTAMP,
    status            TEXT NOT NULL DEFAULT 'draft',  -- draft, open, evaluation, awarded, cancelled
    catalogue         TEXT NOT NULL,
    catalogue_version INTEGER NOT NULL DEFAULT 0,
    criteria          TEXT NOT NULL,                  -- snapshot of the chosen criteria (catalogue JSON)
    winner_bid_id     INTEGER,
    awarded_at        TIMESTAMP,
    award_rationale   TEXT NOT NULL DEFAULT '',
    award_snapshot    TEXT NOT NULL DEFAULT '',       -- the evaluation at award, as JSON
    created           TIMESTAMP NOT NULL,
    updated           TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, reference)
);
CREATE INDEX tenders_org_status ON tenders(org_id, status);

CREATE TABLE tender_bids (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    tender_id          INTEGER NOT NULL,
    vendor             TEXT NOT NULL,
    product            TEXT NOT NULL DEFAULT '',
    contact            TEXT NOT NULL DEFAULT '',
    mds2_name          TEXT NOT NULL DEFAULT '',
    mds2               TEXT NOT NULL DEFAULT '',   -- MDS2 form as Vigil JSON
    sbom_name          TEXT NOT NULL DEFAULT '',
    sbom_sha256        TEXT NOT NULL DEFAULT '',
    questionnaire_name TEXT NOT NULL DEFAULT '',
    answers            TEXT NOT NULL DEFAULT '{}', -- questionnaire answers by criterion id
    cloud              TEXT NOT NULL DEFAULT '',   -- cloud assessment (cloud tenders)
    created            TIMESTAMP NOT NULL,
    updated            TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, tender_id) REFERENCES tenders(org_id, id) ON DELETE CASCADE
);
CREATE INDEX tender_bids_org_tender ON tender_bids(org_id, tender_id);

CREATE TABLE tender_documents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    tender_id   INTEGER NOT NULL,
    bid_id      INTEGER,
    kind        TEXT NOT NULL,  -- mds2, sbom, questionnaire, document
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL DEFAULT 'application/octet-stream',
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    uploaded    TIMESTAMP NOT NULL,
    uploaded_by TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (org_id, tender_id) REFERENCES tenders(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, bid_id) REFERENCES tender_bids(org_id, id) ON DELETE CASCADE
);
CREATE INDEX tender_documents_org_tender ON tender_documents(org_id, tender_id, bid_id);

CREATE TABLE tender_scores (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    INTEGER NOT NULL REFERENCES organisations(id),
    bid_id    INTEGER NOT NULL,
    criterion TEXT NOT NULL,
    score     INTEGER NOT NULL,
    comment   TEXT NOT NULL DEFAULT '',
    evaluator TEXT NOT NULL DEFAULT '',
    updated   TIMESTAMP NOT NULL,
    UNIQUE (org_id, bid_id, criterion),
    FOREIGN KEY (org_id, bid_id) REFERENCES tender_bids(org_id, id) ON DELETE CASCADE
);

-- Commitments are keyed by manufacturer and product name until the inventory's products table is on main;
-- product_id is then linked (and a foreign key added) by a later migration.
CREATE TABLE procurement_commitments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    tender_id    INTEGER,
    bid_id       INTEGER,
    parent_id    INTEGER,
    manufacturer TEXT NOT NULL DEFAULT '',
    product      TEXT NOT NULL DEFAULT '',
    product_id   INTEGER,
    kind         TEXT NOT NULL,
    criterion    TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL,
    value        TEXT NOT NULL DEFAULT '',
    value_date   TIMESTAMP,
    days         INTEGER NOT NULL DEFAULT 0,
    trigger_ref  TEXT NOT NULL DEFAULT '',
    due          TIMESTAMP,
    status       TEXT NOT NULL DEFAULT 'open', -- open, confirmed, waived, active
    confirmed_at TIMESTAMP,
    confirmed_by TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    notified_at  TIMESTAMP,
    created      TIMESTAMP NOT NULL,
    updated      TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, parent_id) REFERENCES procurement_commitments(org_id, id) ON DELETE CASCADE
);
CREATE INDEX procurement_commitments_org_due ON procurement_commitments(org_id, status, due);
CREATE INDEX procurement_commitments_org_tender ON procurement_commitments(org_id, tender_id);
