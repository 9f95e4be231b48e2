-- PostgreSQL's index of components by product version gains the component id (the matcher reads them
-- in that order). SQLite's sbom_components_org_version already ends with the rowid, which is the id:
-- nothing to change.
SELECT 1;
