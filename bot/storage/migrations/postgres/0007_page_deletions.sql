-- chapterbot schema, version 7: posted pages deleted on Discord (see sqlite/0007).
ALTER TABLE pages ADD COLUMN deleted_at BIGINT;
