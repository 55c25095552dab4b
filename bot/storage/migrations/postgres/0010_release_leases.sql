-- chapterbot schema, version 10: a release being posted is leased by one process (see
-- sqlite/0010_release_leases.sql).
ALTER TABLE releases ADD COLUMN claimed_by TEXT;
ALTER TABLE releases ADD COLUMN lease_until BIGINT;
