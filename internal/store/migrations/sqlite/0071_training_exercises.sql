-- Training (issue 9): tabletop exercises run from the scenario library, their participants, the log of
-- injects and decisions, and findings with actions.
CREATE TABLE exercises (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    scenario    TEXT NOT NULL,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'planned', -- planned, running, completed
    planned     TIMESTAMP,
    started     TIMESTAMP,
    finished    TIMESTAMP,
    facilitator TEXT NOT NULL DEFAULT '',
    location    TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT '',
    incident_id INTEGER NOT NULL DEFAULT 0, -- exercise incident of the incident module (no FK: its table is another module's)
    created     TIMESTAMP NOT NULL,
    updated     TIMESTAMP NOT NULL
);
CREATE INDEX exercises_org ON exercises(org_id, created);

CREATE TABLE exercise_participants (
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    staff_id    INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    role        TEXT NOT NULL DEFAULT '',
    attended    BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (org_id, exercise_id, staff_id)
);

CREATE TABLE exercise_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    exercise_id     INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    inject          INTEGER NOT NULL DEFAULT 0,
    kind            TEXT NOT NULL, -- inject, decision, note
    elapsed_minutes INTEGER NOT NULL,
    text            TEXT NOT NULL,
    staff_id        INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    created         TIMESTAMP NOT NULL
);
CREATE INDEX exercise_log_org ON exercise_log(org_id, exercise_id, elapsed_minutes);

CREATE TABLE exercise_findings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    severity    TEXT NOT NULL DEFAULT 'medium',
    action      TEXT NOT NULL DEFAULT '',
    owner_id    INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    due         TIMESTAMP,
    status      TEXT NOT NULL DEFAULT 'open',
    closed      TIMESTAMP,
    created     TIMESTAMP NOT NULL,
    updated     TIMESTAMP NOT NULL
);
CREATE INDEX exercise_findings_org ON exercise_findings(org_id, exercise_id);
CREATE INDEX exercise_findings_org_status ON exercise_findings(org_id, status, due);
