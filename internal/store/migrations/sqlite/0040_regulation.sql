-- Regulation (issue 6): the organisation's regulatory profile (NIS2 scope inputs and data-processing facts),
-- NIS2 Art 21 assessment campaigns with a status per measure, and their evidence (uploads, links and, on
-- sign-off, snapshots of the automatic evidence). Dates without a time (periods, due dates) are TEXT
-- YYYY-MM-DD; figures that are not known are -1.
CREATE TABLE regulatory_profiles (
    org_id                  INTEGER PRIMARY KEY REFERENCES organisations(id),
    entity_type             TEXT NOT NULL,
    public_entity           BOOLEAN NOT NULL DEFAULT FALSE,
    country                 TEXT NOT NULL DEFAULT '',
    employees               REAL NOT NULL DEFAULT -1,
    turnover_eur            INTEGER NOT NULL DEFAULT -1,
    balance_sheet_eur       INTEGER NOT NULL DEFAULT -1,
    own_figures_only        BOOLEAN NOT NULL DEFAULT FALSE,
    designated              TEXT NOT NULL DEFAULT '',
    cer_critical            BOOLEAN NOT NULL DEFAULT FALSE,
    sole_provider           BOOLEAN NOT NULL DEFAULT FALSE,
    manufacturer            BOOLEAN NOT NULL DEFAULT FALSE,
    personal_data           BOOLEAN NOT NULL DEFAULT TRUE,
    health_data             BOOLEAN NOT NULL DEFAULT FALSE,
    large_scale_health_data BOOLEAN NOT NULL DEFAULT FALSE,
    updated                 TIMESTAMP NOT NULL,
    updated_by              TEXT NOT NULL DEFAULT ''
);

CREATE TABLE assessments (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organisations(id),
    name              TEXT NOT NULL,
    framework         TEXT NOT NULL DEFAULT 'nis2-art21',
    catalogue_version TEXT NOT NULL,
    period_start      TEXT NOT NULL DEFAULT '',
    period_end        TEXT NOT NULL DEFAULT '',
    owner             TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'open', -- open, signed-off
    copied_from       INTEGER REFERENCES assessments(id),
    created           TIMESTAMP NOT NULL,
    created_by        TEXT NOT NULL DEFAULT '',
    signed_at         TIMESTAMP,
    signed_name       TEXT NOT NULL DEFAULT '',
    signed_role       TEXT NOT NULL DEFAULT '',
    signed_comment    TEXT NOT NULL DEFAULT '',
    signed_recorded_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assessments_org ON assessments(org_id, created);

CREATE TABLE assessment_measures (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    assessment_id   INTEGER NOT NULL REFERENCES assessments(id),
    measure_id      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'not-started', -- not-started, partial, implemented, not-applicable
    maturity        INTEGER NOT NULL DEFAULT 0,
    target_maturity INTEGER NOT NULL DEFAULT 3,
    owner           TEXT NOT NULL DEFAULT '',
    due_date        TEXT NOT NULL DEFAULT '',
    comment         TEXT NOT NULL DEFAULT '',
    updated         TIMESTAMP NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (assessment_id, measure_id)
);
CREATE INDEX assessment_measures_org ON assessment_measures(org_id, assessment_id);

CREATE TABLE assessment_evidence (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    assessment_id INTEGER NOT NULL REFERENCES assessments(id),
    measure_id    TEXT NOT NULL,
    kind          TEXT NOT NULL, -- file, link, auto
    title         TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL DEFAULT '',
    file_name     TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL DEFAULT 0,
    sha256        TEXT NOT NULL DEFAULT '',
    data          BLOB,
    auto_kind     TEXT NOT NULL DEFAULT '',
    auto_json     TEXT NOT NULL DEFAULT '',
    carried_over  BOOLEAN NOT NULL DEFAULT FALSE,
    created       TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assessment_evidence_org ON assessment_evidence(org_id, assessment_id, measure_id);
