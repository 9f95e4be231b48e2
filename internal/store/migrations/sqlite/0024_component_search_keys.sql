-- Fleet search "where is this component?" by name (issue 4, speed): the search matches each term as a
-- substring of a component's name, package URL, CPE or group, which no B-tree index can answer, so it
-- read every component of the organisation (a million in a hospital group: most of a second). Those
-- fields repeat across product versions; their distinct combinations are few. The search now matches
-- the terms against these first and reads only the components of the names that can match, through the
-- index by name, where the original conditions are applied again (so the result is exactly as before).
--
-- component_search_keys  one row per organisation × distinct (name, package URL, CPE, group) of its SBOM
--                        components: hay is the four in lower case, one a line (a term holds no white
--                        space, so it cannot match across two). Written with the components; rows whose
--                        components were replaced since stay (they only widen the candidate names).
CREATE TABLE component_search_keys (
    org_id   INTEGER NOT NULL REFERENCES organisations(id),
    hay      TEXT NOT NULL,
    name_key TEXT NOT NULL, -- sbom_components.name_key
    PRIMARY KEY (org_id, hay)
) WITHOUT ROWID;

INSERT OR IGNORE INTO component_search_keys (org_id, hay, name_key)
SELECT DISTINCT org_id, name_key || char(10) || LOWER(purl_key) || char(10) || cpe || char(10) || LOWER(grp), name_key
FROM sbom_components;
