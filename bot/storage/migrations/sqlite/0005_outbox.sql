-- chapterbot schema, version 5: the outbox — durable deliveries of events to subscribers.
--
-- A row is written in the same transaction as the state change it follows (e.g. a release
-- marked done), one per durable subscriber of the event's kind, and stays until that subscriber
-- handled it (done_at). A drainer claims a row by moving claimed_until into the future with a
-- conditional UPDATE (only if unclaimed or the claim expired), so two processes never run the
-- same row at once; a crash leaves the claim to expire and the row is delivered again, which
-- is why every subscriber's effect is idempotent.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    event_key     TEXT    NOT NULL,  -- kind + the event's key: one occurrence of one event
    kind          TEXT    NOT NULL,  -- the event's topic, e.g. chapter_released
    payload       TEXT    NOT NULL,  -- the event as JSON
    subscriber    TEXT    NOT NULL,  -- the durable subscriber's name, e.g. feedback.auto_react
    created_at    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_by    TEXT,              -- the drainer holding the claim
    claimed_until INTEGER,           -- the claim (or the retry back-off) ends then
    done_at       INTEGER,           -- handled (or given up on: last_error says so)
    last_error    TEXT,
    UNIQUE (event_key, subscriber)
);
-- The drainer looks only at rows not done yet, oldest first.
CREATE INDEX outbox_undone ON outbox (id) WHERE done_at IS NULL;
