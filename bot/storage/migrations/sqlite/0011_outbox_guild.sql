-- chapterbot schema, version 11: an outbox row names the guild its event is about (NULL for an
-- event about no guild), so that a shard process only delivers its own guilds' events.
ALTER TABLE outbox ADD COLUMN guild_id INTEGER;
