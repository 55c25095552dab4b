-- chapterbot schema, version 10: following — readers follow stories and get one DM per release.

-- One row per (story, reader). undeliverable_at is set when Discord refused a DM with 50007
-- (the reader closed their DMs): later releases skip the follow until the reader uses /follow
-- again, which clears it.
CREATE TABLE follows (
    story_id         INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL,
    guild_id         INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    undeliverable_at INTEGER,
    PRIMARY KEY (story_id, user_id)
);
-- /following lists a reader's follows in one server; /forget-me deletes per reader.
CREATE INDEX follows_reader ON follows (guild_id, user_id);

-- Readers who asked for no DMs at all from the bot in a server (/dms off).
CREATE TABLE follow_dm_optouts (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- A story's following settings; a missing row means the defaults (DMs on).
CREATE TABLE story_following (
    story_id  INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
    follow_dm INTEGER NOT NULL DEFAULT 1 CHECK (follow_dm IN (0, 1))
);

-- One row per follower per release run: the DM to send. A run is the releases of one story
-- due at the same time (a /publish of several chapters, one scheduled run): run_at is their
-- releases.due_at, and the DM lists every chapter of the run once none of its releases is
-- still pending or posting. The unique key makes a replayed outbox row, or the run's other
-- chapters' events, add nothing; status moves pending -> sent | undeliverable | failed | skipped.
-- nonce is sent with enforce_nonce, so a resend inside Discord's nonce window after a crash
-- returns the first message instead of posting a second one. leased_until is the claim of
-- the drainer sending it (a crashed drainer's claim expires).
CREATE TABLE follow_deliveries (
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
    UNIQUE (story_id, run_at, user_id)
);
CREATE INDEX follow_deliveries_pending ON follow_deliveries (status, id);
CREATE INDEX follow_deliveries_story ON follow_deliveries (story_id, status);
