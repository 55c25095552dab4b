-- chapterbot schema, version 10: a release being posted is leased by one process.
--   * claimed_by: the process (host, pid, random part) that claimed the release;
--   * lease_until: the claim ends then unless the process renews it while posting. A process
--     resumes an interrupted release of its shards only once the lease ran out, so two
--     processes never post the same release at the same time.
ALTER TABLE releases ADD COLUMN claimed_by TEXT;
ALTER TABLE releases ADD COLUMN lease_until INTEGER;
