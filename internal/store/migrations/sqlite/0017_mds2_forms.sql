-- Disclosures, part 3: MDS2 forms (ANSI/NEMA HN 1-2019). A form is imported from a manufacturer's
-- document and attached to a product version, or a draft that a manufacturer fills in Vigil (attached to
-- a version or not yet). Every answer and note is stored by question id: the text as written (raw), the
-- normalised value (yes, no, na, see-note, text, date, blank) and the note column.
CREATE TABLE mds2_forms (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                 INTEGER NOT NULL REFERENCES organisations(id),
    product_version_id INTEGER,
    document_id        INTEGER,
    status             TEXT NOT NULL CHECK (status IN ('imported', 'draft')),
    manufacturer       TEXT NOT NULL DEFAULT '', -- DOC-1
    device             TEXT NOT NULL DEFAULT '', -- DOC-2
    models             TEXT NOT NULL DEFAULT '', -- DOC-3
    doc_ref            TEXT NOT NULL DEFAULT '', -- DOC-4
    released           TEXT NOT NULL DEFAULT '', -- DOC-7 as YYYY-MM-DD
    other              TEXT NOT NULL DEFAULT '', -- section OTHR
    warnings           TEXT NOT NULL DEFAULT '', -- one per line
    created            TIMESTAMP NOT NULL,
    updated            TIMESTAMP NOT NULL,
    created_by         TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, product_version_id) REFERENCES product_versions(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, document_id) REFERENCES disclosure_documents(org_id, id)
);
CREATE INDEX mds2_forms_org_version ON mds2_forms(org_id, product_version_id);
CREATE INDEX mds2_forms_org_status ON mds2_forms(org_id, status, updated);

CREATE TABLE mds2_answers (
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    form_id     INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    section     TEXT NOT NULL,
    raw         TEXT NOT NULL DEFAULT '',
    value       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    answer_date TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    note_refs   TEXT NOT NULL DEFAULT '', -- space-separated note numbers
    iec         TEXT NOT NULL DEFAULT '',
    nist        TEXT NOT NULL DEFAULT '',
    iso         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, form_id, question_id),
    FOREIGN KEY (org_id, form_id) REFERENCES mds2_forms(org_id, id) ON DELETE CASCADE
);
CREATE INDEX mds2_answers_org_question ON mds2_answers(org_id, question_id, value);

CREATE TABLE mds2_notes (
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    form_id     INTEGER NOT NULL,
    note_number TEXT NOT NULL,
    note_text   TEXT NOT NULL,
    PRIMARY KEY (org_id, form_id, note_number),
    FOREIGN KEY (org_id, form_id) REFERENCES mds2_forms(org_id, id) ON DELETE CASCADE
);
