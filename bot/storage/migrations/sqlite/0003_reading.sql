-- Readers: where each reader is in each story, what they read when, and chapters marked read.
-- Every hot query (`/next`, the reader buttons) is an index lookup; see bot/db/progress.py.

-- One row per reader per story: the current position (last page shown) and the furthest page
-- reached. adult_ok records that the reader has read this story from an age-restricted
-- channel, which lets them keep reading a Mature/Explicit story by DM.
CREATE TABLE progress (
    user_id          INTEGER NOT NULL,
    story_id         INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    guild_id         INTEGER NOT NULL,
    chapter_number   INTEGER NOT NULL,
    page_number      INTEGER NOT NULL,
    furthest_chapter INTEGER NOT NULL,
    furthest_page    INTEGER NOT NULL,
    adult_ok         INTEGER NOT NULL DEFAULT 0 CHECK (adult_ok IN (0, 1)),
    started_at       INTEGER NOT NULL,
    last_read_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, story_id)
);
-- "The story this reader read last in this guild" and /progress, newest first.
CREATE INDEX progress_reader_recent ON progress (guild_id, user_id, last_read_at);
-- Lets a story's deletion cascade without scanning every reader's progress.
CREATE INDEX progress_story ON progress (story_id);

-- The read log for author statistics: one row per page shown (kind 'page') or chapter marked
-- read (kind 'mark', page_id NULL). page_id is deliberately not a foreign key: pages of
-- unreleased chapters get replaced by /story update, and an FK would make every such delete
-- scan this (large) table; the chapter_id cascade cleans up anyway.
CREATE TABLE read_events (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    story_id   INTEGER NOT NULL,
    chapter_id INTEGER NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    page_id    INTEGER,
    kind       TEXT    NOT NULL DEFAULT 'page' CHECK (kind IN ('page', 'mark')),
    at         INTEGER NOT NULL
);
-- Per-chapter reader counts (COUNT(DISTINCT user_id) ... WHERE chapter_id = ?) and the cascade.
CREATE INDEX read_events_chapter ON read_events (chapter_id, user_id);
-- Per-story activity over time.
CREATE INDEX read_events_story ON read_events (story_id, at);
-- /forget-me.
CREATE INDEX read_events_reader ON read_events (guild_id, user_id);

-- Chapters a reader marked read with the "✓ Mark read" button.
CREATE TABLE chapter_reads (
    user_id    INTEGER NOT NULL,
    chapter_id INTEGER NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    story_id   INTEGER NOT NULL,
    guild_id   INTEGER NOT NULL,
    read_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, chapter_id)
);
CREATE INDEX chapter_reads_chapter ON chapter_reads (chapter_id);
CREATE INDEX chapter_reads_reader ON chapter_reads (guild_id, user_id);
