-- Vulnerability feeds (issue 4): the stored feed data. These tables are reference data shared by every
-- organisation, so they have NO org_id: one vulnerability database serves all tenants. Tenant data that
-- refers to them (findings, triage decisions, added by the fleet matching in 0025–0029) carries its own
-- org_id and refers to vulnerabilities by their canonical id.
--
-- feed_records     one row per source record (OSV, NVD, CISA KEV, EU KEV, EUVD), normalised (vuln.Vulnerability
--                  as JSON); the source of truth the match index and the merged view are built from.
-- vulnerabilities  the merged view (records sharing an id or alias are one vulnerability) with the fields
--                  pages search and sort on; vulnerability_aliases resolves any id to its canonical id;
--                  vulnerability_packages lists the match keys (OSV package, CPE vendor:product) it names.
-- feed_changes     one row per committed change: which vulnerabilities and match keys it touched. Its id is
--                  the feed generation (feed_state), strictly increasing in commit order, so a matcher that
--                  remembers the last id it processed re-matches only what changed since.
-- feed_sources     per-source status (last success/attempt, count, error, incremental state);
--                  feed_fetch_state the conditional-request validators per URL.
CREATE TABLE feed_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO feed_state (id, generation) VALUES (1, 0);

CREATE TABLE feed_sources (
    name         TEXT PRIMARY KEY, -- osv, nvd, kev, eukev, euvd, epss, endoflife
    last_success TIMESTAMP,
    last_attempt TIMESTAMP,
    last_error   TEXT NOT NULL DEFAULT '',
    records      INTEGER NOT NULL DEFAULT 0, -- records stored (EPSS: scores; endoflife: products)
    origin       TEXT NOT NULL DEFAULT '',   -- where the data last came from: URL, file or bundle
    state        TEXT NOT NULL DEFAULT '{}', -- JSON, per source: NVD cursor, EPSS score date and model …
    last_result  TEXT NOT NULL DEFAULT '{}', -- JSON: created, updated, unchanged, skipped, deleted, seconds
    updated      TIMESTAMP NOT NULL
);

CREATE TABLE feed_fetch_state (
    url           TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL DEFAULT 0,
    sha256        TEXT NOT NULL DEFAULT '',
    fetched       TIMESTAMP NOT NULL
);

CREATE TABLE feed_records (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    source    TEXT NOT NULL, -- osv, nvd, kev, eukev, euvd
    record_id TEXT NOT NULL, -- the record's id in its source: GO-2023-2102, CVE-2021-44228, EUVD-2022-7287
    vuln_id   TEXT NOT NULL, -- canonical id of the merged vulnerability the record belongs to
    modified  TIMESTAMP,
    withdrawn TIMESTAMP,
    sha256    TEXT NOT NULL, -- of data: an unchanged record is recognised without decoding it
    data      TEXT NOT NULL, -- the normalised record, vuln.Vulnerability as JSON
    imported  TIMESTAMP NOT NULL,
    updated   TIMESTAMP NOT NULL,
    UNIQUE (source, record_id)
);
CREATE INDEX feed_records_vuln ON feed_records(vuln_id);

CREATE TABLE vulnerabilities (
    id              TEXT PRIMARY KEY, -- canonical id (the oldest CVE id when there is one)
    aliases         TEXT NOT NULL DEFAULT '', -- the other ids, space-separated
    summary         TEXT NOT NULL DEFAULT '',
    severity        TEXT NOT NULL DEFAULT 'unknown', -- critical, high, medium, low, none, unknown
    severity_rank   INTEGER NOT NULL DEFAULT 0,       -- 0 unknown … 5 critical
    cvss_score      REAL NOT NULL DEFAULT 0,
    cvss_vector     TEXT NOT NULL DEFAULT '',
    cisa_kev        BOOLEAN NOT NULL DEFAULT FALSE,
    cisa_kev_added  TIMESTAMP,
    cisa_kev_due    TIMESTAMP,
    kev_ransomware  BOOLEAN NOT NULL DEFAULT FALSE,
    eu_kev          BOOLEAN NOT NULL DEFAULT FALSE,
    eu_kev_reported TIMESTAMP,
    epss_score      REAL,
    epss_percentile REAL,
    epss_date       TIMESTAMP,
    published       TIMESTAMP,
    modified        TIMESTAMP,
    withdrawn       TIMESTAMP,
    cwe             TEXT NOT NULL DEFAULT '', -- space-separated
    sources         TEXT NOT NULL DEFAULT '', -- source record ids as "kind:id", space-separated
    fixed_versions  TEXT NOT NULL DEFAULT '', -- hints: "ecosystem name version" per fix, separated by "; "
    packages        INTEGER NOT NULL DEFAULT 0, -- number of match keys (vulnerability_packages rows)
    updated         TIMESTAMP NOT NULL
);
CREATE INDEX vulnerabilities_kev ON vulnerabilities(cisa_kev, cisa_kev_added);
CREATE INDEX vulnerabilities_severity ON vulnerabilities(severity_rank, cvss_score);
CREATE INDEX vulnerabilities_epss ON vulnerabilities(epss_score);
CREATE INDEX vulnerabilities_modified ON vulnerabilities(modified);

CREATE TABLE vulnerability_aliases (
    alias   TEXT PRIMARY KEY, -- vuln.NormID of an id (the canonical id itself included)
    vuln_id TEXT NOT NULL
);
CREATE INDEX vulnerability_aliases_vuln ON vulnerability_aliases(vuln_id);

CREATE TABLE vulnerability_packages (
    vuln_id   TEXT NOT NULL,
    ecosystem TEXT NOT NULL, -- match.Key: an OSV ecosystem ("Go", "Maven") or "CPE"
    name      TEXT NOT NULL, -- package name in the index's normal form, or CPE vendor:product
    PRIMARY KEY (vuln_id, ecosystem, name)
);
CREATE INDEX vulnerability_packages_key ON vulnerability_packages(ecosystem, name);

CREATE TABLE feed_changes (
    id          INTEGER PRIMARY KEY, -- the feed generation after this change (feed_state)
    created     TIMESTAMP NOT NULL,
    source      TEXT NOT NULL,
    origin      TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,              -- records | scores | endoflife
    vuln_ids    TEXT NOT NULL DEFAULT '[]', -- JSON: canonical ids created or changed
    removed_ids TEXT NOT NULL DEFAULT '[]', -- JSON: canonical ids that no longer exist (deleted, or merged into another)
    match_keys  TEXT NOT NULL DEFAULT '[]', -- JSON: ["Go/golang.org/x/net", "CPE:openssl:openssl", …] whose findings may change
    all_vulns   BOOLEAN NOT NULL DEFAULT FALSE, -- too many to list (a daily EPSS file): treat every vulnerability as changed
    created_n   INTEGER NOT NULL DEFAULT 0,
    updated_n   INTEGER NOT NULL DEFAULT 0,
    deleted_n   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feed_changes_created ON feed_changes(created);

CREATE TABLE epss_scores (
    cve        TEXT PRIMARY KEY,
    score      REAL NOT NULL,
    percentile REAL NOT NULL
    -- the score date and model version of the file are in feed_sources.state of source 'epss'
);

CREATE TABLE eol_products (
    name     TEXT PRIMARY KEY, -- endoflife.date slug, e.g. "windows"
    title    TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    cycles   INTEGER NOT NULL DEFAULT 0,
    sha256   TEXT NOT NULL,
    data     TEXT NOT NULL,              -- endoflife.Product as JSON
    releases TEXT NOT NULL DEFAULT '',   -- endoflife.ReleaseData as JSON when known
    updated  TIMESTAMP NOT NULL
);
