"""Readers' progress: positions per story, the read log, chapters marked read, released pages.

A page is readable once its `message_id` is stored; a chapter counts as released for readers
once its first page is readable. Every query a reader's `/next` runs is an index lookup whose
cost does not depend on how many readers, progress rows or read events exist (the SQL is kept
in module constants so a test can EXPLAIN it).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from bot.reading.records import (
    LatestNext,
    PagePosition,
    ProgressRecord,
    ReadableStory,
    ReleasedChapter,
)
from bot.storage.repository import Repository, columns
from bot.storage.sqlite import Transaction
from bot.stories.records import StoryRecord

_PROGRESS_COLUMNS = columns(ProgressRecord)

GET_PROGRESS_SQL = f"SELECT {_PROGRESS_COLUMNS} FROM progress WHERE user_id = ? AND story_id = ?"

# Served by progress_reader_recent, newest first.
LATEST_PROGRESS_SQL = (
    f"SELECT {_PROGRESS_COLUMNS} FROM progress WHERE guild_id = ? AND user_id = ?"
    " ORDER BY last_read_at DESC LIMIT ?"
)

_PAGE_SELECT = (
    "SELECT c.story_id AS story_id, c.id AS chapter_id, c.number AS chapter_number,"
    " (SELECT COUNT(*) FROM chapters WHERE story_id = c.story_id) AS chapter_count,"
    " p.id AS page_id, p.number AS page_number,"
    " (SELECT COUNT(*) FROM pages WHERE chapter_id = c.id) AS page_count,"
    " p.content AS content, p.channel_id AS channel_id, p.message_id AS message_id"
    " FROM chapters c JOIN pages p ON p.chapter_id = c.id"
)

PAGE_AT_SQL = _PAGE_SELECT + " WHERE c.story_id = ? AND c.number = ? AND p.number = ?"

# The first readable page after (chapter, page); walks the unique (story_id, number) and
# (chapter_id, number) indexes in order and stops at the first hit.
PAGE_AFTER_SQL = (
    _PAGE_SELECT + " WHERE c.story_id = :story AND c.number >= :chapter"
    " AND (c.number > :chapter OR p.number > :page) AND p.message_id IS NOT NULL"
    " ORDER BY c.number, p.number LIMIT 1"
)

PAGE_BEFORE_SQL = (
    _PAGE_SELECT + " WHERE c.story_id = :story AND c.number <= :chapter"
    " AND (c.number < :chapter OR p.number < :page) AND p.message_id IS NOT NULL"
    " ORDER BY c.number DESC, p.number DESC LIMIT 1"
)


def _aliased(record_type: type, table: str, prefix: str) -> str:
    return ", ".join(f"{table}.{f.name} AS {prefix}{f.name}" for f in fields(record_type))


# `/next` with no story in one query: the reader's latest progress here (walking
# progress_reader_recent newest first, LIMIT 1), its story, and the first readable page after
# the position (the subquery is PAGE_AFTER_SQL's index walk, the position its constants).
LATEST_NEXT_SQL = (
    f"SELECT {_aliased(ProgressRecord, 'r', 'r_')}, {_aliased(StoryRecord, 's', 's_')},"
    " gc.story_id AS g_story_id, gc.id AS g_chapter_id, gc.number AS g_chapter_number,"
    " (SELECT COUNT(*) FROM chapters WHERE story_id = gc.story_id) AS g_chapter_count,"
    " gp.id AS g_page_id, gp.number AS g_page_number,"
    " (SELECT COUNT(*) FROM pages WHERE chapter_id = gc.id) AS g_page_count,"
    " gp.content AS g_content, gp.channel_id AS g_channel_id, gp.message_id AS g_message_id"
    " FROM progress r LEFT JOIN stories s ON s.id = r.story_id"
    " LEFT JOIN pages gp ON gp.id = (SELECT p.id FROM chapters c JOIN pages p"
    " ON p.chapter_id = c.id WHERE c.story_id = r.story_id AND c.number >= r.chapter_number"
    " AND (c.number > r.chapter_number OR p.number > r.page_number)"
    " AND p.message_id IS NOT NULL ORDER BY c.number, p.number LIMIT 1)"
    " LEFT JOIN chapters gc ON gc.id = gp.chapter_id"
    " WHERE r.guild_id = ? AND r.user_id = ? ORDER BY r.last_read_at DESC LIMIT 1"
)

LAST_PAGE_OF_CHAPTER_SQL = (
    _PAGE_SELECT + " WHERE c.story_id = ? AND c.number = ? AND p.message_id IS NOT NULL"
    " ORDER BY p.number DESC LIMIT 1"
)

_RELEASED_FROM = (
    " FROM chapters c JOIN pages p ON p.chapter_id = c.id AND p.number = 1"
    " WHERE c.story_id = ? AND p.message_id IS NOT NULL"
)
_RELEASED_SELECT = (
    "SELECT c.id AS chapter_id, c.number AS number, c.title AS title,"
    " COALESCE(p.posted_at, c.released_at) AS released_at, p.channel_id AS channel_id"
    + _RELEASED_FROM
)

RELEASED_CHAPTERS_SQL = _RELEASED_SELECT + " ORDER BY c.number LIMIT ? OFFSET ?"
RELEASED_CHAPTER_COUNT_SQL = "SELECT COUNT(*)" + _RELEASED_FROM
RELEASED_CHAPTER_SQL = _RELEASED_SELECT + " AND c.number = ?"
STORY_CHANNELS_SQL = "SELECT DISTINCT p.channel_id" + _RELEASED_FROM

# Chapters the reader has not reached that became readable at or after `since`.
NEW_CHAPTERS_SQL = (
    _RELEASED_SELECT + " AND c.number > ? AND COALESCE(p.posted_at, c.released_at) >= ?"
    " ORDER BY c.number LIMIT ?"
)
NEW_CHAPTER_COUNT_SQL = (
    "SELECT COUNT(*)"
    + _RELEASED_FROM
    + " AND c.number > ? AND COALESCE(p.posted_at, c.released_at) >= ?"
)

# Readable pages up to and including (chapter, page), and readable pages in all.
PAGES_READ_SQL = (
    "SELECT COALESCE(SUM(c.number < :chapter OR (c.number = :chapter AND p.number <= :page)), 0)"
    " AS done, COUNT(*) AS total FROM chapters c JOIN pages p ON p.chapter_id = c.id"
    " WHERE c.story_id = :story AND p.message_id IS NOT NULL"
)

READABLE_STORIES_SQL = (
    "SELECT s.id AS story_id, s.title AS title, s.rating AS rating,"
    " MIN(c.number) AS first_chapter, p.channel_id AS channel_id"
    " FROM stories s JOIN chapters c ON c.story_id = s.id"
    " JOIN pages p ON p.chapter_id = c.id AND p.number = 1"
    " WHERE s.guild_id = ? AND p.message_id IS NOT NULL"
    " GROUP BY s.id, p.channel_id ORDER BY s.title COLLATE NOCASE, s.id"
)

# Moves the current position; the furthest position only ever moves forward. (In an UPDATE,
# SQLite evaluates every SET expression against the row as it was, so the order is irrelevant.)
_FURTHER = (
    "excluded.furthest_chapter > furthest_chapter OR (excluded.furthest_chapter ="
    " furthest_chapter AND excluded.furthest_page > furthest_page)"
)
RECORD_READ_SQL = (
    "INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
    " furthest_chapter, furthest_page, adult_ok, started_at, last_read_at)"
    " VALUES (:user, :story, :guild, :chapter, :page, :chapter, :page, :adult, :now, :now)"
    " ON CONFLICT (user_id, story_id) DO UPDATE SET"
    " chapter_number = excluded.chapter_number, page_number = excluded.page_number,"
    f" furthest_chapter = CASE WHEN {_FURTHER} THEN excluded.furthest_chapter"
    " ELSE furthest_chapter END,"
    f" furthest_page = CASE WHEN {_FURTHER} THEN excluded.furthest_page ELSE furthest_page END,"
    " adult_ok = MAX(adult_ok, excluded.adult_ok), last_read_at = excluded.last_read_at"
    f" RETURNING {_PROGRESS_COLUMNS}"
)

# Like RECORD_READ_SQL, but the current position also only moves forward: marking an earlier
# chapter read must not send the reader back.
_AHEAD = (
    "excluded.chapter_number > chapter_number OR (excluded.chapter_number = chapter_number"
    " AND excluded.page_number > page_number)"
)
RECORD_MARK_SQL = (
    "INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
    " furthest_chapter, furthest_page, adult_ok, started_at, last_read_at)"
    " VALUES (:user, :story, :guild, :chapter, :page, :chapter, :page, :adult, :now, :now)"
    " ON CONFLICT (user_id, story_id) DO UPDATE SET"
    f" chapter_number = CASE WHEN {_AHEAD} THEN excluded.chapter_number ELSE chapter_number END,"
    f" page_number = CASE WHEN {_AHEAD} THEN excluded.page_number ELSE page_number END,"
    f" furthest_chapter = CASE WHEN {_FURTHER} THEN excluded.furthest_chapter"
    " ELSE furthest_chapter END,"
    f" furthest_page = CASE WHEN {_FURTHER} THEN excluded.furthest_page ELSE furthest_page END,"
    " adult_ok = MAX(adult_ok, excluded.adult_ok), last_read_at = excluded.last_read_at"
)

INSERT_EVENT_SQL = (
    "INSERT INTO read_events (guild_id, user_id, story_id, chapter_id, page_id, kind, at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)

CHAPTER_READERS_SQL = "SELECT COUNT(DISTINCT user_id) FROM read_events WHERE chapter_id = ?"

# Tables /forget-me clears for one member of one guild; all carry guild_id and user_id.
_READER_TABLES = ("progress", "read_events", "chapter_reads")


class ProgressRepository(Repository):
    """Reading positions, the read log and the released-page queries readers need."""

    async def get(self, user_id: int, story_id: int) -> ProgressRecord | None:
        """One reader's progress in one story, or None if they never read it."""
        row = await self.db.fetch_one(GET_PROGRESS_SQL, (user_id, story_id))
        return None if row is None else ProgressRecord.from_row(row)

    async def latest(self, guild_id: int, user_id: int, limit: int = 1) -> list[ProgressRecord]:
        """A reader's stories in a guild, most recently read first."""
        rows = await self.db.fetch_all(LATEST_PROGRESS_SQL, (guild_id, user_id, limit))
        return [ProgressRecord.from_row(row) for row in rows]

    async def latest_with_next(self, guild_id: int, user_id: int) -> LatestNext | None:
        """The story a reader read last in a guild and the next readable page, in one query."""
        row = await self.db.fetch_one(LATEST_NEXT_SQL, (guild_id, user_id))
        if row is None:
            return None
        parts: dict[str, dict[str, Any]] = {"r_": {}, "s_": {}, "g_": {}}
        for key, value in dict(row).items():
            parts[key[:2]][key[2:]] = value
        story, page = parts["s_"], parts["g_"]
        return LatestNext(
            ProgressRecord.from_row(parts["r_"]),  # type: ignore[arg-type]
            None if story["id"] is None else StoryRecord.from_row(story),  # type: ignore[arg-type]
            None if page["page_id"] is None else PagePosition(**page),
        )

    async def page_at(self, story_id: int, chapter: int, page: int) -> PagePosition | None:
        """The page at (chapter, page), posted or not; None if there is no such page."""
        row = await self.db.fetch_one(PAGE_AT_SQL, (story_id, chapter, page))
        return None if row is None else PagePosition.from_row(row)

    async def page_after(self, story_id: int, chapter: int, page: int) -> PagePosition | None:
        """The first readable page after (chapter, page); (1, 0) gives the story's first one."""
        params = {"story": story_id, "chapter": chapter, "page": page}
        row = await self.db.fetch_one(PAGE_AFTER_SQL, params)
        return None if row is None else PagePosition.from_row(row)

    async def page_before(self, story_id: int, chapter: int, page: int) -> PagePosition | None:
        """The last readable page before (chapter, page), or None at the start."""
        params = {"story": story_id, "chapter": chapter, "page": page}
        row = await self.db.fetch_one(PAGE_BEFORE_SQL, params)
        return None if row is None else PagePosition.from_row(row)

    async def last_page_of(self, story_id: int, chapter: int) -> PagePosition | None:
        """The last readable page of a chapter, or None if none is readable."""
        row = await self.db.fetch_one(LAST_PAGE_OF_CHAPTER_SQL, (story_id, chapter))
        return None if row is None else PagePosition.from_row(row)

    async def released_chapters(
        self, story_id: int, *, offset: int = 0, limit: int = 25
    ) -> list[ReleasedChapter]:
        """Readable chapters in order, `limit` of them from `offset`."""
        rows = await self.db.fetch_all(RELEASED_CHAPTERS_SQL, (story_id, limit, offset))
        return [ReleasedChapter.from_row(row) for row in rows]

    async def released_chapter(self, story_id: int, number: int) -> ReleasedChapter | None:
        """One chapter if it is readable, else None."""
        row = await self.db.fetch_one(RELEASED_CHAPTER_SQL, (story_id, number))
        return None if row is None else ReleasedChapter.from_row(row)

    async def released_chapter_count(self, story_id: int) -> int:
        """How many chapters of a story are readable."""
        return int(await self.db.fetch_value(RELEASED_CHAPTER_COUNT_SQL, (story_id,)))

    async def story_channels(self, story_id: int) -> list[int]:
        """The channels (or threads) a story's readable chapters were posted in."""
        rows = await self.db.fetch_all(STORY_CHANNELS_SQL, (story_id,))
        return [int(row[0]) for row in rows if row[0] is not None]

    async def new_chapters(
        self, story_id: int, after_chapter: int, since: int, limit: int = 25
    ) -> tuple[list[ReleasedChapter], int]:
        """Readable chapters past `after_chapter` that came out at or after `since`, and count."""
        rows = await self.db.fetch_all(NEW_CHAPTERS_SQL, (story_id, after_chapter, since, limit))
        count = await self.db.fetch_value(NEW_CHAPTER_COUNT_SQL, (story_id, after_chapter, since))
        return [ReleasedChapter.from_row(row) for row in rows], int(count)

    async def pages_read(self, story_id: int, chapter: int, page: int) -> tuple[int, int]:
        """(readable pages up to and including (chapter, page), readable pages in all)."""
        params = {"story": story_id, "chapter": chapter, "page": page}
        row = await self.db.fetch_one(PAGES_READ_SQL, params)
        assert row is not None  # an aggregate always returns a row
        return int(row["done"]), int(row["total"])

    async def readable_stories(self, guild_id: int) -> list[ReadableStory]:
        """A guild's stories with readable chapters, by title, one row per channel used."""
        rows = await self.db.fetch_all(READABLE_STORIES_SQL, (guild_id,))
        return [ReadableStory.from_row(row) for row in rows]

    async def record_read(
        self, guild_id: int, user_id: int, page: PagePosition, *, adult_ok: bool = False
    ) -> ProgressRecord:
        """Move the reader to `page` and log the read, in one transaction (one thread hop)."""
        now = self.now()
        event = (guild_id, user_id, page.story_id, page.chapter_id, page.page_id, "page", now)
        written, _ = await self.db.write_batch(
            [
                (RECORD_READ_SQL, _progress_params(guild_id, user_id, page, adult_ok, now)),
                (INSERT_EVENT_SQL, event),
            ]
        )
        return ProgressRecord.from_row(written[0])

    async def mark_chapter_read(
        self, guild_id: int, user_id: int, last_page: PagePosition, *, adult_ok: bool = False
    ) -> bool:
        """Mark `last_page`'s chapter read (moving the reader there only if that is ahead).

        Returns False if the reader had already marked it.
        """
        now = self.now()
        params = _progress_params(guild_id, user_id, last_page, adult_ok, now)
        async with self.db.transaction() as tx:
            added = await tx.execute(
                "INSERT INTO chapter_reads (user_id, chapter_id, story_id, guild_id, read_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, chapter_id) DO NOTHING",
                (user_id, last_page.chapter_id, last_page.story_id, guild_id, now),
            )
            await tx.execute(RECORD_MARK_SQL, params)
            await tx.execute(
                INSERT_EVENT_SQL,
                (guild_id, user_id, last_page.story_id, last_page.chapter_id, None, "mark", now),
            )
        return added > 0

    async def has_marked(self, user_id: int, chapter_id: int) -> bool:
        """True if the reader marked this chapter read."""
        value = await self.db.fetch_value(
            "SELECT 1 FROM chapter_reads WHERE user_id = ? AND chapter_id = ?",
            (user_id, chapter_id),
        )
        return value is not None

    async def chapter_readers(self, chapter_id: int) -> int:
        """How many different readers read (or marked read) a chapter."""
        return int(await self.db.fetch_value(CHAPTER_READERS_SQL, (chapter_id,)))

    async def events_for(self, guild_id: int, user_id: int) -> int:
        """How many read events a reader has in a guild (for tests and /forget-me replies)."""
        return int(
            await self.db.fetch_value(
                "SELECT COUNT(*) FROM read_events WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        )

    async def forget(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete a member's progress, read log, marks and reactions in one guild.

        Returns the rows deleted per table. Reactions live in a table a later migration adds;
        it is cleared when present (by guild_id/user_id, or through its story's guild).
        """
        deleted: dict[str, int] = {}
        async with self.db.transaction() as tx:
            for table in _READER_TABLES:
                deleted[table] = await tx.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
            reactions = await _reactions_delete_sql(tx)
            if reactions is not None:
                deleted["reactions"] = await tx.execute(reactions, (guild_id, user_id))
        return deleted


async def _reactions_delete_sql(tx: Transaction) -> str | None:
    """The DELETE for a member's reactions in a guild, if a `reactions` table exists."""
    rows = await tx.fetch_all("SELECT name FROM pragma_table_info('reactions')")
    names = {row[0] for row in rows}
    if "user_id" not in names:
        return None
    if "guild_id" in names:
        return "DELETE FROM reactions WHERE guild_id = ? AND user_id = ?"
    if "story_id" in names:
        return (
            "DELETE FROM reactions WHERE story_id IN (SELECT id FROM stories WHERE guild_id = ?)"
            " AND user_id = ?"
        )
    return None


def _progress_params(
    guild_id: int, user_id: int, page: PagePosition, adult_ok: bool, now: int
) -> dict[str, int]:
    return {
        "user": user_id,
        "story": page.story_id,
        "guild": guild_id,
        "chapter": page.chapter_number,
        "page": page.page_number,
        "adult": int(adult_ok),
        "now": now,
    }
