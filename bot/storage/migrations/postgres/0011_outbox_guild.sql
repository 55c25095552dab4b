-- chapterbot schema, version 11: the guild of an outbox row's event (see sqlite/0011).
ALTER TABLE outbox ADD COLUMN guild_id BIGINT;
