-- Fleet matching, speed of a feed change (issue 4): a finding keeps the first 64 bits of its match
-- row's digest, so that a re-match recognises an unchanged finding from its own row, without looking
-- its digest up in finding_matches (a new advisory for a popular package re-matches thousands of
-- findings and changes a few hundred). 0: not known (rows from before this migration are then looked
-- up as before).
ALTER TABLE findings ADD COLUMN match_hash BIGINT NOT NULL DEFAULT 0;
