-- SBOM ingest speed (issue 4): SQLite's foreign keys of sbom_components become DEFERRABLE INITIALLY
-- DEFERRED, so that its multi-row inserts need no statement journal (see the SQLite migration of this
-- number). PostgreSQL keeps no such journal; its foreign keys stay as they are.
SELECT 1;
