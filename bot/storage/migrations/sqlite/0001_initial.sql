-- chapterbot schema, version 1.
--
-- Conventions, kept to plain portable SQL so a PostgreSQL backend can follow:
--   * ids are INTEGER PRIMARY KEY (a rowid alias here; BIGINT GENERATED ... AS IDENTITY there);
--   * Discord snowflakes (guild, user, channel, role, message ids) are INTEGER, i.e. 64-bit;
--   * timestamps are INTEGER unix seconds in UTC; wall-clock zones are stored as IANA names
--     ('Europe/Paris') next to the values that need them;
--   * booleans are INTEGER 0/1, guarded by CHECK;
--   * JSON documents (lists of tags, chapter bodies) are TEXT;
--   * enumerations are TEXT guarded by CHECK.
-- The one SQLite-specific piece is COLLATE NOCASE in the story title index.

-- Per-server settings. A missing row means "all defaults".
CREATE TABLE guild_settings (
    guild_id              INTEGER PRIMARY KEY,
    timezone              TEXT,
    author_role_id        INTEGER,
    missed_release_policy TEXT NOT NULL DEFAULT 'all'
                          CHECK (missed_release_policy IN ('all', 'latest'))
);

-- Per-user settings, shared across servers.
CREATE TABLE user_settings (
    user_id  INTEGER PRIMARY KEY,
    timezone TEXT
);

CREATE TABLE stories (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    owner_id       INTEGER NOT NULL,
    title          TEXT    NOT NULL,
    summary        TEXT,
    notes          TEXT,
    end_notes      TEXT,
    rating         TEXT,
    warnings       TEXT    NOT NULL DEFAULT '[]',  -- JSON list of strings
    tags           TEXT    NOT NULL DEFAULT '[]',  -- JSON list of strings
    source_authors TEXT    NOT NULL DEFAULT '[]',  -- JSON list: the byline found in the file
    language       TEXT,
    source_format  TEXT    NOT NULL,
    style          TEXT    NOT NULL DEFAULT 'text' CHECK (style IN ('text', 'embed')),
    channel_id     INTEGER,
    channel_mode   TEXT    NOT NULL DEFAULT 'messages'
                           CHECK (channel_mode IN ('messages', 'thread', 'forum')),
    notify_role_id INTEGER,
    silent         INTEGER NOT NULL DEFAULT 0 CHECK (silent IN (0, 1)),
    paused         INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX stories_guild_title ON stories (guild_id, title COLLATE NOCASE);

-- Who may manage a story. The owner also has a row here (role 'owner').
CREATE TABLE story_authors (
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL,
    role     TEXT    NOT NULL CHECK (role IN ('owner', 'coauthor')),
    PRIMARY KEY (story_id, user_id)
);
CREATE INDEX story_authors_user ON story_authors (user_id);

-- body is the chapter's blocks as JSON (bot.story.serialize), so it can be re-rendered later.
-- released_at is NULL until the chapter has been posted.
CREATE TABLE chapters (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    title       TEXT,
    summary     TEXT,
    notes       TEXT,
    end_notes   TEXT,
    word_count  INTEGER NOT NULL DEFAULT 0,
    body        TEXT    NOT NULL,
    released_at INTEGER,
    UNIQUE (story_id, number)
);

-- One Discord message worth of rendered chapter text. A page is readable once message_id is set.
CREATE TABLE pages (
    id         INTEGER PRIMARY KEY,
    chapter_id INTEGER NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    content    TEXT    NOT NULL,
    message_id INTEGER,
    channel_id INTEGER,
    posted_at  INTEGER,
    UNIQUE (chapter_id, number)
);

-- A release plan: at next_run_at, post chapters_per_run chapters, then move next_run_at on by
-- rule (NULL rule = one-off). timezone is the zone the rule's wall-clock times are meant in.
CREATE TABLE schedules (
    id               INTEGER PRIMARY KEY,
    story_id         INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    created_by       INTEGER NOT NULL,
    next_run_at      INTEGER,
    rule             TEXT,
    timezone         TEXT    NOT NULL,
    chapters_per_run INTEGER NOT NULL DEFAULT 1 CHECK (chapters_per_run >= 1),
    channel_id       INTEGER,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at       INTEGER NOT NULL
);
CREATE INDEX schedules_story ON schedules (story_id);
CREATE INDEX schedules_due ON schedules (active, next_run_at);

-- One chapter going out (or having gone out) to one channel.
CREATE TABLE releases (
    id           INTEGER PRIMARY KEY,
    story_id     INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    schedule_id  INTEGER REFERENCES schedules (id) ON DELETE SET NULL,
    chapter_id   INTEGER NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    due_at       INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    channel_mode TEXT    NOT NULL CHECK (channel_mode IN ('messages', 'thread', 'forum')),
    thread_id    INTEGER,
    status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'posting', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    started_at   INTEGER,
    finished_at  INTEGER
);
CREATE INDEX releases_status_due ON releases (status, due_at);
CREATE INDEX releases_story ON releases (story_id);
CREATE INDEX releases_schedule ON releases (schedule_id);
CREATE INDEX releases_chapter ON releases (chapter_id);

-- The history of release attempts (started, posted, failed, retried...).
CREATE TABLE release_events (
    id         INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    outcome    TEXT    NOT NULL,
    detail     TEXT
);
CREATE INDEX release_events_release ON release_events (release_id, at);
