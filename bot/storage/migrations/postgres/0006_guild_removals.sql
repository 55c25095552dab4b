-- chapterbot schema, version 6: servers the bot was removed from, waiting for their purge.
-- (Same schema as sqlite/0006; see there for how rows come and go.)
CREATE TABLE guild_removals (
    guild_id    BIGINT PRIMARY KEY,
    removed_at  BIGINT NOT NULL,
    purge_after BIGINT NOT NULL
);
CREATE INDEX guild_removals_purge ON guild_removals (purge_after);
