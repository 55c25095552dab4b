-- chapterbot schema, version 20: a counter of changes to a story's chapters and pages. Every
-- write to them bumps it in the same transaction, so a process that keeps a story's posted
-- pages in memory (the readers' /next) knows them current by reading this one column with the
-- reader's progress: a copy whose counter differs from the row's is reloaded.
ALTER TABLE stories ADD COLUMN pages_version INTEGER NOT NULL DEFAULT 0;
