-- chapterbot schema, version 7: posted pages deleted on Discord (by a moderator, or in bulk).
--
-- pages.deleted_at is set when the gateway says a page's message was deleted; message_id stays
-- (so a late duplicate event matches nothing new) until `/story repost` posts the page again.
-- Readers read pages from the database, so their progress is not affected.
ALTER TABLE pages ADD COLUMN deleted_at INTEGER;
