-- chapterbot schema, version 16: early access — members holding a role read a story's chapters
-- some hours before their scheduled public release (/settings early-access).

-- A story's early access; a missing row means none. Members holding role_id may read the
-- chapters whose scheduled release is at most `hours` away.
CREATE TABLE story_early_access (
    story_id BIGINT PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
    role_id  BIGINT NOT NULL,
    hours    BIGINT NOT NULL CHECK (hours > 0)
);

-- A follower's DM for a release run is either the public one ('release') or the one sent when
-- early access opened for the run ('early'): the unique (story_id, run_at, user_id) key makes
-- an early DM count as that follower's delivery for the run, so the public release adds none.
ALTER TABLE follow_deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'release'
    CHECK (kind IN ('release', 'early'));
