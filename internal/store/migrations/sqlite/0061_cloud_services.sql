-- Cloud and SaaS services register with evidence-based assessments and reviews (NIS2 Art 21(2)(d)).
CREATE TABLE cloud_services (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                 INTEGER NOT NULL REFERENCES organisations(id),
    name                   TEXT NOT NULL,
    provider               TEXT NOT NULL DEFAULT '',
    service_model          TEXT NOT NULL DEFAULT 'saas', -- saas, paas, iaas
    category               TEXT NOT NULL DEFAULT '',
    medical_vendor         BOOLEAN NOT NULL DEFAULT FALSE,
    description            TEXT NOT NULL DEFAULT '',
    data_categories        TEXT NOT NULL DEFAULT '',
    criticality            TEXT NOT NULL DEFAULT 'medium',
    owner                  TEXT NOT NULL DEFAULT '',
    profile                TEXT NOT NULL DEFAULT '',     -- cloud assessment as JSON; '' until assessed
    review_interval_months INTEGER NOT NULL DEFAULT 12,
    next_review            TIMESTAMP,
    last_review            TIMESTAMP,
    last_total             REAL,
    last_knocked_out       BOOLEAN NOT NULL DEFAULT FALSE,
    created                TIMESTAMP NOT NULL,
    updated                TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);
CREATE INDEX cloud_services_org_review ON cloud_services(org_id, next_review);

CREATE TABLE cloud_reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    service_id  INTEGER NOT NULL,
    reviewed    TIMESTAMP NOT NULL,
    reviewer    TEXT NOT NULL DEFAULT '',
    total       REAL NOT NULL,
    knocked_out BOOLEAN NOT NULL DEFAULT FALSE,
    result      TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    next_review TIMESTAMP NOT NULL,
    FOREIGN KEY (org_id, service_id) REFERENCES cloud_services(org_id, id) ON DELETE CASCADE
);
CREATE INDEX cloud_reviews_org_service ON cloud_reviews(org_id, service_id, reviewed);
