-- chapterbot schema, version 8: the running bot's heartbeat, for `chapterbot health`.
--
-- One row (id 1), rewritten every 30 s while the bot is connected; the Docker HEALTHCHECK
-- reads it, so the check works the same whichever database backend is used.
CREATE TABLE heartbeat (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    beat_at INTEGER NOT NULL
);
