-- Fleet matching, speed of storing findings (issue 4): PostgreSQL drops the foreign key of findings to
-- organisations, which the foreign key to the product version of the organisation implies (see the
-- PostgreSQL migration of this number). SQLite checks a foreign key with one lookup in the parent's
-- index (organisations: a few rows), and dropping it would mean rebuilding findings — whose DROP
-- would delete every finding's history through finding_events' foreign key, as migrations run with
-- foreign keys on. SQLite keeps it; nothing changes here.
SELECT 1;
