-- Fleet matching, speed of storing findings (issue 4): finding_matches no longer refers to
-- organisations (see the SQLite migration of this number). A match row is only ever written for the
-- organisation of the transaction and read by it; the key was a trigger PostgreSQL ran for each of
-- the ~390,000 rows of a full match. findings dropped the same key in 0025.
ALTER TABLE finding_matches DROP CONSTRAINT IF EXISTS finding_matches_org_id_fkey;
-- and its unique key on (org_id, id), to which nothing refers (match_id is looked up by the primary key)
ALTER TABLE finding_matches DROP CONSTRAINT IF EXISTS finding_matches_org_id_id_key;
