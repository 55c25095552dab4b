-- chapterbot schema, version 2: what publishing needs to post exactly once and to repeat.
--
--   * schedules.last_run_at: when the schedule last ran (unix seconds UTC). A repeat rule's next
--     run follows from it on the wall clock, and after downtime the grid is found again from it.
--   * releases.header_message_id: the message a release posted before its pages (the thread
--     header in 'thread' mode, the announcement line in 'messages' mode), stored as soon as
--     Discord answers so a resumed release never posts it twice.

ALTER TABLE schedules ADD COLUMN last_run_at BIGINT;
ALTER TABLE releases ADD COLUMN header_message_id BIGINT;

-- Planning asks "which unreleased chapters have no open release?" per chapter.
CREATE INDEX releases_chapter_status ON releases (chapter_id, status);
