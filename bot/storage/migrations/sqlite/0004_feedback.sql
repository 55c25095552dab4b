-- chapterbot schema, version 4: feedback — reactions on posted pages, private notes to the
-- authors, and each story's feedback settings (reaction set, auto-react, channel, digest).

-- Reactions arrive by message id; this makes "is this one of our pages?" an index lookup.
CREATE INDEX IF NOT EXISTS pages_message ON pages (message_id);

-- One row per (message, user, emoji): its current state. removed_at is set when the reader
-- takes the reaction back (the row stays, so a removal is recorded) and cleared if they add it
-- again. page_id is not a foreign key, like read_events.page_id: the chapter cascade cleans up.
CREATE TABLE reactions (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    chapter_id INTEGER NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    page_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    emoji      TEXT    NOT NULL,  -- str(PartialEmoji): the character(s), or <:name:id>
    added_at   INTEGER NOT NULL,
    removed_at INTEGER,
    UNIQUE (message_id, user_id, emoji)
);
-- /stats and digests count per chapter and per period; /forget-me deletes per reader.
CREATE INDEX reactions_chapter ON reactions (chapter_id, emoji);
CREATE INDEX reactions_story_added ON reactions (story_id, added_at);
CREATE INDEX reactions_reader ON reactions (guild_id, user_id);

-- Private notes to a story's authors. author_user_id is the note's writer and is NULL for an
-- anonymous note; sender_hash (an HMAC of guild and user under feedback_secret's key) is kept
-- for every note so abuse limits work without storing who wrote an anonymous one.
-- pending = 1 until the note reached an author's DM or the feedback channel; told_at records
-- when /stats told the authors that undeliverable notes are waiting (they are told once).
CREATE TABLE notes (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    story_id       INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    chapter_id     INTEGER REFERENCES chapters (id) ON DELETE SET NULL,
    author_user_id INTEGER,
    sender_hash    TEXT    NOT NULL,
    anonymous      INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    text           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    delivered_via  TEXT    CHECK (delivered_via IN ('dm', 'channel')),
    delivered_at   INTEGER,
    pending        INTEGER NOT NULL DEFAULT 1 CHECK (pending IN (0, 1)),
    told_at        INTEGER,
    CHECK (anonymous = 0 OR author_user_id IS NULL)
);
CREATE INDEX notes_story ON notes (story_id, created_at);
CREATE INDEX notes_chapter ON notes (chapter_id);
CREATE INDEX notes_sender ON notes (sender_hash, created_at);
CREATE INDEX notes_pending ON notes (story_id, pending);

-- A story's feedback settings; a missing row means the defaults.
-- reaction_set is a JSON list of emoji strings (NULL = the default set).
CREATE TABLE story_feedback (
    story_id            INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
    reaction_set        TEXT,
    auto_react          INTEGER NOT NULL DEFAULT 0 CHECK (auto_react IN (0, 1)),
    feedback_channel_id INTEGER,
    digest_frequency    TEXT    NOT NULL DEFAULT 'off'
                                CHECK (digest_frequency IN ('off', 'daily', 'weekly')),
    last_digest_at      INTEGER,
    next_digest_at      INTEGER
);
CREATE INDEX story_feedback_digest ON story_feedback (next_digest_at);

-- The per-install key behind notes.sender_hash, created on first use (one row, id 1).
CREATE TABLE feedback_secret (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key TEXT    NOT NULL
);
