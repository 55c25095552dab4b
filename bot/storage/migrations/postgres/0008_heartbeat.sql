-- chapterbot schema, version 8: the running bot's heartbeat, for `chapterbot health`.
CREATE TABLE heartbeat (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    beat_at BIGINT NOT NULL
);
