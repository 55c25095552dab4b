-- chapterbot schema, version 18: a follower is DMed about each chapter exactly once, whichever
-- run releases it (issue #16). An early-access DM and a public release DM are told apart in the
-- delivery key, so an early DM for the run at T no longer blocks the public DM of the run at T
-- when that run releases other chapters (a /publish inside the early window released the
-- early ones); which chapters a DM covered is recorded in follow_delivery_chapters.

-- SQLite cannot change a table's UNIQUE constraint: rebuild follow_deliveries with the new key
-- (story_id, run_at, user_id, kind), keeping every row and id.
CREATE TABLE follow_deliveries_new (
    id           INTEGER PRIMARY KEY,
    run_at       INTEGER NOT NULL,
    story_id     INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sent', 'undeliverable', 'failed', 'skipped')),
    nonce        TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    leased_until INTEGER,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    message_id   INTEGER,
    kind         TEXT    NOT NULL DEFAULT 'release' CHECK (kind IN ('release', 'early')),
    UNIQUE (story_id, run_at, user_id, kind)
);
INSERT INTO follow_deliveries_new (id, run_at, story_id, guild_id, user_id, status, nonce,
    attempts, leased_until, created_at, sent_at, message_id, kind)
SELECT id, run_at, story_id, guild_id, user_id, status, nonce, attempts, leased_until,
    created_at, sent_at, message_id, kind FROM follow_deliveries;
DROP TABLE follow_deliveries;
ALTER TABLE follow_deliveries_new RENAME TO follow_deliveries;
CREATE INDEX follow_deliveries_pending ON follow_deliveries (status, id);
CREATE INDEX follow_deliveries_story ON follow_deliveries (story_id, status);

-- The chapters each DM covered: one row per (chapter, follower), claimed when the DM is
-- claimed for sending (in one transaction), so no second DM ever lists a chapter a follower
-- was already DMed about. A DM whose chapters were all claimed by another is skipped.
CREATE TABLE follow_delivery_chapters (
    delivery_id INTEGER NOT NULL REFERENCES follow_deliveries (id) ON DELETE CASCADE,
    chapter_id  INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    PRIMARY KEY (chapter_id, user_id)
);
CREATE INDEX follow_delivery_chapters_delivery ON follow_delivery_chapters (delivery_id);
