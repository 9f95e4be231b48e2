-- Incidents (issue 7): the incident record, the guided answers, the reporting clocks computed from them,
-- submissions, reminders sent, timeline, actions, decisions, attachments, report drafts, review, and the
-- participants of exercises. Devices are a text list until the inventory's assets table exists.
CREATE TABLE incidents (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                  INTEGER NOT NULL REFERENCES organisations(id),
    title                   TEXT NOT NULL,
    description             TEXT NOT NULL DEFAULT '',
    category                TEXT NOT NULL,
    status                  TEXT NOT NULL DEFAULT 'open', -- open, contained, resolved, closed
    severity                TEXT NOT NULL DEFAULT '',     -- low, medium, high, critical; '' not assessed
    detected_at             TIMESTAMP,
    aware_at                TIMESTAMP NOT NULL,
    fix_available_at        TIMESTAMP,
    impact                  TEXT NOT NULL DEFAULT '',
    sites                   TEXT NOT NULL DEFAULT '[]', -- JSON arrays of text
    services                TEXT NOT NULL DEFAULT '[]',
    devices                 TEXT NOT NULL DEFAULT '[]',
    patient_safety          TEXT NOT NULL DEFAULT '',
    patients_affected       INTEGER NOT NULL DEFAULT 0,
    data_categories         TEXT NOT NULL DEFAULT '[]',
    data_subject_categories TEXT NOT NULL DEFAULT '[]',
    data_subjects           INTEGER NOT NULL DEFAULT 0,
    data_records            INTEGER NOT NULL DEFAULT 0,
    cross_border            TEXT NOT NULL DEFAULT 'unknown',
    suspected_malicious     TEXT NOT NULL DEFAULT 'unknown',
    root_cause              TEXT NOT NULL DEFAULT '',
    iocs                    TEXT NOT NULL DEFAULT '[]',
    owner_id                INTEGER REFERENCES users(id) ON DELETE SET NULL,
    exercise                BOOLEAN NOT NULL DEFAULT FALSE,
    scenario                TEXT NOT NULL DEFAULT '',
    acceleration            INTEGER NOT NULL DEFAULT 1,
    created_by              TEXT NOT NULL DEFAULT '',
    created                 TIMESTAMP NOT NULL,
    updated                 TIMESTAMP NOT NULL,
    closed_at               TIMESTAMP
);
CREATE INDEX incidents_org ON incidents(org_id, exercise, status);

CREATE TABLE incident_answers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    answered_by TEXT NOT NULL DEFAULT '',
    answered_at TIMESTAMP NOT NULL
);
CREATE INDEX incident_answers_org ON incident_answers(org_id, incident_id, question);

CREATE TABLE incident_deadlines (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    deadline_id TEXT NOT NULL, -- nis2.23.ew …
    regime      TEXT NOT NULL,
    title       TEXT NOT NULL,
    starts_with TEXT NOT NULL,
    period      TEXT NOT NULL DEFAULT '',
    period_kind TEXT NOT NULL DEFAULT '', -- hours, days, months, none
    starts_at   TIMESTAMP,                -- the start event, on the incident's clock
    due         TIMESTAMP,                -- on the incident's clock (accelerated for exercises)
    due_real    TIMESTAMP,                -- when the wall clock reaches due (equal to due for real incidents)
    legal_end   TIMESTAMP,
    legal_note  TEXT NOT NULL DEFAULT '',
    pending     BOOLEAN NOT NULL DEFAULT FALSE,
    provisional BOOLEAN NOT NULL DEFAULT FALSE,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    recipient   TEXT NOT NULL DEFAULT '',
    basis       TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    computed    TIMESTAMP NOT NULL,
    UNIQUE (incident_id, deadline_id)
);
CREATE INDEX incident_deadlines_org ON incident_deadlines(org_id, active, due_real);

CREATE TABLE incident_reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    template_id TEXT NOT NULL,
    version     INTEGER NOT NULL,
    fields      TEXT NOT NULL DEFAULT '{}', -- JSON object field id → text
    created_by  TEXT NOT NULL DEFAULT '',
    created     TIMESTAMP NOT NULL,
    UNIQUE (incident_id, template_id, version)
);
CREATE INDEX incident_reports_org ON incident_reports(org_id, incident_id);

CREATE TABLE incident_submissions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    deadline_id  TEXT NOT NULL,
    report_id    INTEGER REFERENCES incident_reports(id),
    submitted_at TIMESTAMP NOT NULL,
    recipient    TEXT NOT NULL DEFAULT '',
    reference    TEXT NOT NULL DEFAULT '',
    submitted_by TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    created      TIMESTAMP NOT NULL
);
CREATE INDEX incident_submissions_org ON incident_submissions(org_id, incident_id, deadline_id);

CREATE TABLE incident_reminders (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    deadline    INTEGER NOT NULL REFERENCES incident_deadlines(id),
    deadline_id TEXT NOT NULL,
    kind        TEXT NOT NULL, -- half, 2h, 1d, overdue
    due         TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP NOT NULL,
    UNIQUE (deadline, kind, due)
);
CREATE INDEX incident_reminders_org ON incident_reminders(org_id, incident_id);

CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at          TIMESTAMP NOT NULL,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_events_org ON incident_events(org_id, incident_id, at);

CREATE TABLE incident_actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    kind        TEXT NOT NULL DEFAULT 'response', -- response, improvement
    title       TEXT NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    owner_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    due         TIMESTAMP,
    done        BOOLEAN NOT NULL DEFAULT FALSE,
    done_at     TIMESTAMP,
    created_by  TEXT NOT NULL DEFAULT '',
    created     TIMESTAMP NOT NULL
);
CREATE INDEX incident_actions_org ON incident_actions(org_id, incident_id);

CREATE TABLE incident_decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    what        TEXT NOT NULL,
    who         TEXT NOT NULL,
    decided_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created     TIMESTAMP NOT NULL
);
CREATE INDEX incident_decisions_org ON incident_decisions(org_id, incident_id);

CREATE TABLE incident_attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    evidence     BOOLEAN NOT NULL DEFAULT FALSE,
    description  TEXT NOT NULL DEFAULT '',
    content      BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL DEFAULT '',
    created      TIMESTAMP NOT NULL
);
CREATE INDEX incident_attachments_org ON incident_attachments(org_id, incident_id);

CREATE TABLE incident_reviews (
    incident_id   INTEGER PRIMARY KEY REFERENCES incidents(id),
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    what_happened TEXT NOT NULL DEFAULT '',
    went_well     TEXT NOT NULL DEFAULT '',
    to_improve    TEXT NOT NULL DEFAULT '',
    lessons       TEXT NOT NULL DEFAULT '[]',
    reviewed_by   TEXT NOT NULL DEFAULT '',
    reviewed_at   TIMESTAMP,
    updated       TIMESTAMP NOT NULL
);
CREATE INDEX incident_reviews_org ON incident_reviews(org_id);

CREATE TABLE incident_participants (
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_participants_org ON incident_participants(org_id, incident_id);
