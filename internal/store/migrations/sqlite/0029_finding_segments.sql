-- Fleet matching, speed of storing findings (issue 4): what matches say (the content of the
-- finding_matches rows of 0022) is stored packed, up to 256 contents to a row, in the format of
-- internal/findingset. A full match wrote ~390,000 match rows at the issue's scale, most of the time
-- of its writer; it now writes ~1,500 segments. A content keeps its id (findings.match_id) for good:
-- it is found by the segment whose id range holds it, and ids are never used again (the lists' index
-- keeps texts by id).
--
-- finding_segments     per organisation, contents first_id..last_id (n of them; ids ascend, with gaps
--                      where the prune after a full match removed contents no finding refers to).
-- finding_content_ids  per organisation, the next content id.
--
-- The rows of finding_matches are packed into segments by the migration's Go step (migrate.go), which
-- then drops the table.
CREATE TABLE finding_segments (
    org_id   INTEGER NOT NULL,
    first_id INTEGER NOT NULL,
    last_id  INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    data     BLOB NOT NULL,
    UNIQUE (org_id, first_id)
);
CREATE TABLE finding_content_ids (
    org_id  INTEGER PRIMARY KEY,
    next_id INTEGER NOT NULL
);
