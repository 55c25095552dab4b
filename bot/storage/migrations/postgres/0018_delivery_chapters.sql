-- chapterbot schema, version 18: a follower is DMed about each chapter exactly once, whichever
-- run releases it (issue #16). An early-access DM and a public release DM are told apart in the
-- delivery key, so an early DM for the run at T no longer blocks the public DM of the run at T
-- when that run releases other chapters (a /publish inside the early window released the
-- early ones); which chapters a DM covered is recorded in follow_delivery_chapters.
ALTER TABLE follow_deliveries DROP CONSTRAINT follow_deliveries_story_id_run_at_user_id_key;
ALTER TABLE follow_deliveries ADD CONSTRAINT follow_deliveries_run_kind_key
    UNIQUE (story_id, run_at, user_id, kind);

-- The chapters each DM covered: one row per (chapter, follower), claimed when the DM is
-- claimed for sending (in one transaction), so no second DM ever lists a chapter a follower
-- was already DMed about. A DM whose chapters were all claimed by another is skipped.
CREATE TABLE follow_delivery_chapters (
    delivery_id BIGINT NOT NULL REFERENCES follow_deliveries (id) ON DELETE CASCADE,
    chapter_id  BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    PRIMARY KEY (chapter_id, user_id)
);
CREATE INDEX follow_delivery_chapters_delivery ON follow_delivery_chapters (delivery_id);
