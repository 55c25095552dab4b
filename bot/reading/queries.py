"""The SQL of the reading feature, as constants (so tests can EXPLAIN every hot query).

A page is readable once its `message_id` is stored; a chapter counts as released for readers
once its first page is readable. Every query a reader's `/next` runs is an index lookup whose
cost does not depend on how many readers, progress rows or read events exist.

Portable SQL (SQLite today, PostgreSQL later): `:name` parameters, `ON CONFLICT` upserts,
`lower()` for case-insensitive order, CASE instead of SQLite's two-argument MAX or summed
booleans, and upsert SET expressions that name the target table (`progress.x`), which
PostgreSQL requires.
"""

from __future__ import annotations

from dataclasses import fields

from bot.reading.records import PagePosition, ProgressRecord
from bot.storage.repository import columns
from bot.storage.rows import ROWS, RowsStatement
from bot.stories.records import StoryRecord

_PROGRESS_COLUMNS = columns(ProgressRecord)


def _aliased(record_type: type, table: str, prefix: str) -> str:
    return ", ".join(f"{table}.{f.name} AS {prefix}{f.name}" for f in fields(record_type))


GET_PROGRESS_SQL = (
    f"SELECT {_PROGRESS_COLUMNS} FROM progress WHERE user_id = :user AND story_id = :story"
)

# Served by progress_reader_recent, newest first.
LATEST_PROGRESS_SQL = (
    f"SELECT {_PROGRESS_COLUMNS} FROM progress WHERE guild_id = :guild AND user_id = :user"
    " ORDER BY last_read_at DESC LIMIT :limit"
)

# Readable: a posted page, or, for an early reader, a page of an unreleased chapter in the early
# range :early_from..:early_to (1..0, empty, for everyone else: see bot.reading.access).
READABLE = (
    "(p.message_id IS NOT NULL OR (c.released_at IS NULL"
    " AND c.number BETWEEN :early_from AND :early_to))"
)

_PAGE_SELECT = (
    "SELECT c.story_id AS story_id, c.id AS chapter_id, c.number AS chapter_number,"
    " (SELECT COUNT(*) FROM chapters WHERE story_id = c.story_id) AS chapter_count,"
    " p.id AS page_id, p.number AS page_number,"
    " (SELECT COUNT(*) FROM pages WHERE chapter_id = c.id) AS page_count,"
    " p.content AS content, p.channel_id AS channel_id, p.message_id AS message_id"
    " FROM chapters c JOIN pages p ON p.chapter_id = c.id"
)

PAGE_AT_SQL = (
    _PAGE_SELECT + " WHERE c.story_id = :story AND c.number = :chapter AND p.number = :page"
)

# The first readable page after (chapter, page); walks the unique (story_id, number) and
# (chapter_id, number) indexes in order and stops at the first hit.
PAGE_AFTER_SQL = (
    _PAGE_SELECT + " WHERE c.story_id = :story AND c.number >= :chapter"
    " AND (c.number > :chapter OR p.number > :page) AND "
    + READABLE
    + " ORDER BY c.number, p.number LIMIT 1"
)

PAGE_BEFORE_SQL = (
    _PAGE_SELECT + " WHERE c.story_id = :story AND c.number <= :chapter"
    " AND (c.number < :chapter OR p.number < :page) AND "
    + READABLE
    + " ORDER BY c.number DESC, p.number DESC LIMIT 1"
)

# The columns of the page after a position, as `g_`-prefixed columns of gc/gp (see below).
_NEXT_PAGE_COLUMNS = (
    "gc.story_id AS g_story_id, gc.id AS g_chapter_id, gc.number AS g_chapter_number,"
    " (SELECT COUNT(*) FROM chapters WHERE story_id = gc.story_id) AS g_chapter_count,"
    " gp.id AS g_page_id, gp.number AS g_page_number,"
    " (SELECT COUNT(*) FROM pages WHERE chapter_id = gc.id) AS g_page_count,"
    " gp.content AS g_content, gp.channel_id AS g_channel_id, gp.message_id AS g_message_id"
)


def _next_page_join(story: str, chapter: str, page: str) -> str:
    """LEFT JOINs gp/gc to the first readable page after (chapter, page) of `story`.

    The subquery is PAGE_AFTER_SQL's index walk; its position comes from the outer row or
    from parameters.
    """
    return (
        " LEFT JOIN pages gp ON gp.id = (SELECT p.id FROM chapters c JOIN pages p"
        f" ON p.chapter_id = c.id WHERE c.story_id = {story} AND c.number >= {chapter}"
        f" AND (c.number > {chapter} OR p.number > {page})"
        f" AND {READABLE} ORDER BY c.number, p.number LIMIT 1)"
        " LEFT JOIN chapters gc ON gc.id = gp.chapter_id"
    )


# The story's early-access setting rides along (NULLs when it has none), so that /next asks
# nothing more for the many stories without early access.
_EARLY_COLUMNS = "ea.role_id AS e_role_id, ea.hours AS e_hours"
_EARLY_JOIN = " LEFT JOIN story_early_access ea ON ea.story_id = s.id"

# `/next` with no story in one query: the reader's latest progress here (walking
# progress_reader_recent newest first, LIMIT 1), its story, and the first readable page after
# the position. The progress row is picked in a subquery so that every planner knows the joins
# see one row: PostgreSQL's generic plan otherwise expects many and scans `stories`.
LATEST_NEXT_SQL = (
    f"SELECT {_aliased(ProgressRecord, 'r', 'r_')}, {_aliased(StoryRecord, 's', 's_')},"
    f" {_NEXT_PAGE_COLUMNS}, {_EARLY_COLUMNS}"
    f" FROM (SELECT {_PROGRESS_COLUMNS} FROM progress WHERE guild_id = :guild"
    " AND user_id = :user ORDER BY last_read_at DESC LIMIT 1) r"
    " LEFT JOIN stories s ON s.id = r.story_id"
    + _next_page_join("r.story_id", "r.chapter_number", "r.page_number")
    + _EARLY_JOIN
)

# Both queries' rows are ProgressRecord, StoryRecord and PagePosition columns side by side, each
# in field order, then the early-access role and hours, so the hot path decodes them by
# position: where each part starts.
NEXT_ROW_STORY_FROM = len(fields(ProgressRecord))
NEXT_ROW_PAGE_FROM = NEXT_ROW_STORY_FROM + len(fields(StoryRecord))
NEXT_ROW_EARLY_FROM = NEXT_ROW_PAGE_FROM + len(fields(PagePosition))
NEXT_ROW_PAGE_ID_AT = [f.name for f in fields(PagePosition)].index("page_id")

# The same for a position known from buffered reads: the story, the reader's stored progress
# (NULL before the first flush) and the first readable page after (chapter, page).
STORY_NEXT_SQL = (
    f"SELECT {_aliased(ProgressRecord, 'r', 'r_')}, {_aliased(StoryRecord, 's', 's_')},"
    f" {_NEXT_PAGE_COLUMNS}, {_EARLY_COLUMNS}"
    " FROM stories s LEFT JOIN progress r ON r.user_id = :user AND r.story_id = s.id"
    + _next_page_join("s.id", ":chapter", ":page")
    + _EARLY_JOIN
    + " WHERE s.id = :story"
)

LAST_PAGE_OF_CHAPTER_SQL = (
    _PAGE_SELECT + " WHERE c.story_id = :story AND c.number = :chapter"
    " AND " + READABLE + " ORDER BY p.number DESC LIMIT 1"
)

_RELEASED_FROM = (
    " FROM chapters c JOIN pages p ON p.chapter_id = c.id AND p.number = 1"
    " WHERE c.story_id = :story AND " + READABLE
)
_RELEASED_SELECT = (
    "SELECT c.id AS chapter_id, c.number AS number, c.title AS title,"
    " COALESCE(p.posted_at, c.released_at) AS released_at, p.channel_id AS channel_id"
    + _RELEASED_FROM
)

RELEASED_CHAPTERS_SQL = _RELEASED_SELECT + " ORDER BY c.number LIMIT :limit OFFSET :offset"
RELEASED_CHAPTER_COUNT_SQL = "SELECT COUNT(*)" + _RELEASED_FROM
RELEASED_CHAPTER_SQL = _RELEASED_SELECT + " AND c.number = :chapter"
STORY_CHANNELS_SQL = "SELECT DISTINCT p.channel_id" + _RELEASED_FROM

# Chapters the reader has not reached that became readable at or after `since`.
_NEW_SINCE = " AND c.number > :after AND COALESCE(p.posted_at, c.released_at) >= :since"
NEW_CHAPTERS_SQL = _RELEASED_SELECT + _NEW_SINCE + " ORDER BY c.number LIMIT :limit"
NEW_CHAPTER_COUNT_SQL = "SELECT COUNT(*)" + _RELEASED_FROM + _NEW_SINCE

# Readable pages up to and including (chapter, page), and readable pages in all.
PAGES_READ_SQL = (
    "SELECT COALESCE(SUM(CASE WHEN c.number < :chapter OR (c.number = :chapter"
    " AND p.number <= :page) THEN 1 ELSE 0 END), 0) AS done, COUNT(*) AS total"
    " FROM chapters c JOIN pages p ON p.chapter_id = c.id"
    " WHERE c.story_id = :story AND " + READABLE
)

READABLE_STORIES_SQL = (
    "SELECT s.id AS story_id, s.title AS title, s.rating AS rating,"
    " MIN(c.number) AS first_chapter, p.channel_id AS channel_id"
    " FROM stories s JOIN chapters c ON c.story_id = s.id"
    " JOIN pages p ON p.chapter_id = c.id AND p.number = 1"
    " WHERE s.guild_id = :guild AND p.message_id IS NOT NULL"
    " GROUP BY s.id, s.title, s.rating, p.channel_id ORDER BY lower(s.title), s.id"
)

# The furthest position only ever moves forward.
_FURTHER = (
    "excluded.furthest_chapter > progress.furthest_chapter OR (excluded.furthest_chapter ="
    " progress.furthest_chapter AND excluded.furthest_page > progress.furthest_page)"
)
# (In an UPDATE, every SET expression sees the row as it was, so their order is irrelevant.)
_KEEP_FURTHEST_AND_ADULT = (
    f" furthest_chapter = CASE WHEN {_FURTHER} THEN excluded.furthest_chapter"
    " ELSE progress.furthest_chapter END,"
    f" furthest_page = CASE WHEN {_FURTHER} THEN excluded.furthest_page"
    " ELSE progress.furthest_page END,"
    " adult_ok = CASE WHEN excluded.adult_ok > progress.adult_ok THEN excluded.adult_ok"
    " ELSE progress.adult_ok END, last_read_at = excluded.last_read_at"
)
_PROGRESS_INSERT = (
    "INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
    " furthest_chapter, furthest_page, adult_ok, started_at, last_read_at)"
)

# Moves the current position to the page shown.
RECORD_READ_SQL = (
    _PROGRESS_INSERT
    + " VALUES (:user, :story, :guild, :chapter, :page, :chapter, :page, :adult, :now, :now)"
    " ON CONFLICT (user_id, story_id) DO UPDATE SET"
    " chapter_number = excluded.chapter_number, page_number = excluded.page_number,"
    + _KEEP_FURTHEST_AND_ADULT
    + f" RETURNING {_PROGRESS_COLUMNS}"
)

# The columns of a flushed progress row, named as the table's.
_BUFFERED_COLUMNS = (
    "user_id",
    "story_id",
    "guild_id",
    "chapter_number",
    "page_number",
    "furthest_chapter",
    "furthest_page",
    "adult_ok",
    "started_at",
    "last_read_at",
)

# A flush of buffered reads, one row per reader and story: like RECORD_READ_SQL with the furthest
# of all buffered reads; a story deleted since is skipped (the WHERE) instead of failing the
# whole batch on its foreign key. (The WHERE also tells SQLite that ON CONFLICT is the upsert's.)
WRITE_BUFFERED_PROGRESS = RowsStatement(
    _PROGRESS_INSERT + f" SELECT {', '.join('r.' + name for name in _BUFFERED_COLUMNS)} FROM {ROWS}"
    " WHERE EXISTS (SELECT 1 FROM stories WHERE id = r.story_id)"
    " ON CONFLICT (user_id, story_id) DO UPDATE SET"
    " chapter_number = excluded.chapter_number, page_number = excluded.page_number,"
    + _KEEP_FURTHEST_AND_ADULT,
    _BUFFERED_COLUMNS,
)

# Like RECORD_READ_SQL, but the current position also only moves forward: marking an earlier
# chapter read must not send the reader back.
_AHEAD = (
    "excluded.chapter_number > progress.chapter_number OR (excluded.chapter_number ="
    " progress.chapter_number AND excluded.page_number > progress.page_number)"
)
RECORD_MARK_SQL = (
    _PROGRESS_INSERT
    + " VALUES (:user, :story, :guild, :chapter, :page, :chapter, :page, :adult, :now, :now)"
    " ON CONFLICT (user_id, story_id) DO UPDATE SET"
    f" chapter_number = CASE WHEN {_AHEAD} THEN excluded.chapter_number"
    " ELSE progress.chapter_number END,"
    f" page_number = CASE WHEN {_AHEAD} THEN excluded.page_number"
    " ELSE progress.page_number END," + _KEEP_FURTHEST_AND_ADULT
)

INSERT_EVENT_SQL = (
    "INSERT INTO read_events (guild_id, user_id, story_id, chapter_id, page_id, kind, at)"
    " VALUES (:guild, :user, :story, :chapter_id, :page_id, :kind, :at)"
)

# Buffered reads' log rows; one whose chapter was deleted since is skipped (as above).
_EVENT_COLUMNS = ("guild_id", "user_id", "story_id", "chapter_id", "page_id", "at")
WRITE_BUFFERED_EVENTS = RowsStatement(
    f"INSERT INTO read_events ({', '.join(_EVENT_COLUMNS)}, kind)"
    f" SELECT {', '.join('r.' + name for name in _EVENT_COLUMNS)}, 'page' FROM {ROWS}"
    " WHERE EXISTS (SELECT 1 FROM chapters WHERE id = r.chapter_id)",
    _EVENT_COLUMNS,
)

MARK_CHAPTER_SQL = (
    "INSERT INTO chapter_reads (user_id, chapter_id, story_id, guild_id, read_at)"
    " VALUES (:user, :chapter_id, :story, :guild, :now)"
    " ON CONFLICT (user_id, chapter_id) DO NOTHING"
)

HAS_MARKED_SQL = "SELECT 1 FROM chapter_reads WHERE user_id = :user AND chapter_id = :chapter_id"

CHAPTER_READERS_SQL = (
    "SELECT COUNT(DISTINCT user_id) FROM read_events WHERE chapter_id = :chapter_id"
)

EVENTS_FOR_SQL = "SELECT COUNT(*) FROM read_events WHERE guild_id = :guild AND user_id = :user"

# Tables /forget-me clears for one member of one guild; all carry guild_id and user_id. Reactions
# and the following feature's rows are other features' tables, listed here because /forget-me
# promises them gone in one transaction with the reading history.
FORGET_TABLES = (
    "progress",
    "read_events",
    "chapter_reads",
    "reactions",
    "follows",
    "follow_dm_optouts",
    "follow_deliveries",
)
