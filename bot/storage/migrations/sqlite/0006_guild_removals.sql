-- chapterbot schema, version 6: servers the bot was removed from, waiting for their purge.
--
-- A row exists from the gateway's GUILD_DELETE (without `unavailable`) until the bot is added
-- back (the row goes, the data stays) or purge_after passes and the purge deletes the server's
-- data, this row included. Schedules of a server with a row here never run.
CREATE TABLE guild_removals (
    guild_id    INTEGER PRIMARY KEY,
    removed_at  INTEGER NOT NULL,
    purge_after INTEGER NOT NULL
);
CREATE INDEX guild_removals_purge ON guild_removals (purge_after);
