-- Training (issue 9): the skills programme (modules, curricula, assignment rules), the staff register,
-- assignments, completion and phishing records, evidence files and reminders sent.
-- Departments are free text on staff: there is no departments table yet.
CREATE TABLE training_modules (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           INTEGER NOT NULL REFERENCES organisations(id),
    code             TEXT NOT NULL,
    title            TEXT NOT NULL,
    goals            TEXT NOT NULL DEFAULT '', -- learning goals, one a line
    duration_minutes INTEGER NOT NULL DEFAULT 0,
    delivery         TEXT NOT NULL,
    refresh_months   INTEGER NOT NULL DEFAULT 0, -- 0: a completion never expires
    duty             TEXT NOT NULL,
    reference        TEXT NOT NULL DEFAULT '',
    source           TEXT NOT NULL DEFAULT '',
    archived         BOOLEAN NOT NULL DEFAULT FALSE,
    created          TIMESTAMP NOT NULL,
    updated          TIMESTAMP NOT NULL,
    UNIQUE (org_id, code)
);

CREATE TABLE training_curricula (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    code        TEXT NOT NULL,
    title       TEXT NOT NULL,
    audience    TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    due_days    INTEGER NOT NULL DEFAULT 30,
    source      TEXT NOT NULL DEFAULT '',
    created     TIMESTAMP NOT NULL,
    updated     TIMESTAMP NOT NULL,
    UNIQUE (org_id, code)
);

CREATE TABLE training_curriculum_modules (
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    curriculum_id INTEGER NOT NULL REFERENCES training_curricula(id) ON DELETE CASCADE,
    module_id     INTEGER NOT NULL REFERENCES training_modules(id),
    position      INTEGER NOT NULL,
    PRIMARY KEY (org_id, curriculum_id, module_id)
);

CREATE TABLE training_rules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    curriculum_id INTEGER NOT NULL REFERENCES training_curricula(id) ON DELETE CASCADE,
    audience      TEXT NOT NULL DEFAULT '',
    department    TEXT NOT NULL DEFAULT '',
    due_days      INTEGER NOT NULL DEFAULT 0,
    auto          BOOLEAN NOT NULL DEFAULT TRUE,
    created       TIMESTAMP NOT NULL
);
CREATE INDEX training_rules_org ON training_rules(org_id);

CREATE TABLE staff (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    name         TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    staff_number TEXT NOT NULL DEFAULT '',
    department   TEXT NOT NULL DEFAULT '',
    job_title    TEXT NOT NULL DEFAULT '',
    audience     TEXT NOT NULL DEFAULT 'other',
    manager_id   INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    start_date   TIMESTAMP,
    leaver_date  TIMESTAMP,
    board_member BOOLEAN NOT NULL DEFAULT FALSE,
    user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created      TIMESTAMP NOT NULL,
    updated      TIMESTAMP NOT NULL
);
CREATE INDEX staff_org_department ON staff(org_id, department);
CREATE UNIQUE INDEX staff_org_number ON staff(org_id, staff_number) WHERE staff_number <> '';
CREATE UNIQUE INDEX staff_org_email ON staff(org_id, email) WHERE email <> '';

CREATE TABLE training_assignments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    staff_id      INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    module_id     INTEGER NOT NULL REFERENCES training_modules(id),
    curriculum_id INTEGER REFERENCES training_curricula(id) ON DELETE SET NULL,
    rule_id       INTEGER REFERENCES training_rules(id) ON DELETE SET NULL,
    assigned      TIMESTAMP NOT NULL,
    due           TIMESTAMP NOT NULL,
    cancelled     TIMESTAMP,
    source        TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, staff_id, module_id)
);
CREATE INDEX training_assignments_org_module ON training_assignments(org_id, module_id);

CREATE TABLE training_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    purpose      TEXT NOT NULL, -- evidence, import-staff, import-training-results
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created      TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX training_files_org ON training_files(org_id, purpose, created);

CREATE TABLE training_records (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           INTEGER NOT NULL REFERENCES organisations(id),
    staff_id         INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    module_id        INTEGER REFERENCES training_modules(id),
    campaign         TEXT NOT NULL DEFAULT '',
    kind             TEXT NOT NULL, -- course, phishing, exercise
    completed_on     TIMESTAMP NOT NULL,
    result           TEXT NOT NULL, -- completed, passed, failed, clicked, reported, ignored
    score            REAL,
    provider         TEXT NOT NULL DEFAULT '',
    evidence_url     TEXT NOT NULL DEFAULT '',
    evidence_file_id INTEGER REFERENCES training_files(id) ON DELETE SET NULL,
    note             TEXT NOT NULL DEFAULT '',
    source           TEXT NOT NULL DEFAULT '',
    created          TIMESTAMP NOT NULL
);
CREATE INDEX training_records_org_staff ON training_records(org_id, staff_id, completed_on);
CREATE INDEX training_records_org_module ON training_records(org_id, module_id);
CREATE INDEX training_records_org_kind ON training_records(org_id, kind, completed_on);

-- One row per reminder sent: an assignment gets each stage (due, overdue) once per due date.
CREATE TABLE training_reminders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    assignment_id INTEGER NOT NULL REFERENCES training_assignments(id) ON DELETE CASCADE,
    stage         TEXT NOT NULL, -- due, overdue
    due           TIMESTAMP NOT NULL,
    channel       TEXT NOT NULL, -- user (through the notifier) or staff-email
    target        TEXT NOT NULL,
    sent          TIMESTAMP NOT NULL,
    UNIQUE (org_id, assignment_id, stage, due)
);
