"""Readers' progress: positions per story, the read log, chapters marked read, released pages.

The SQL lives in `bot.reading.queries` (re-exported here for the tests that EXPLAIN it). Reads a
reader was shown are recorded through the database's write-behind buffer
(`bot.reading.write_behind`) when the caller asks for it (`record_read_later`): every lookup of
progress here either overlays that buffer (the hot `/next` paths) or writes it first, so nobody
ever sees a position older than the last page shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from typing import Any

from bot.early_access.records import NO_RANGE, ChapterRange, EarlyAccessSetting
from bot.reading.queries import (
    CHAPTER_READERS_SQL,
    EVENTS_FOR_SQL,
    FORGET_TABLES,
    GET_PROGRESS_SQL,
    HAS_MARKED_SQL,
    INSERT_EVENT_SQL,
    LAST_PAGE_OF_CHAPTER_SQL,
    LATEST_NEXT_SQL,
    LATEST_PROGRESS_SQL,
    MARK_CHAPTER_SQL,
    NEW_CHAPTER_COUNT_SQL,
    NEW_CHAPTERS_SQL,
    NEXT_ROW_EARLY_FROM,
    NEXT_ROW_PAGE_FROM,
    NEXT_ROW_PAGE_ID_AT,
    NEXT_ROW_STORY_FROM,
    PAGE_AFTER_SQL,
    PAGE_AT_SQL,
    PAGE_BEFORE_SQL,
    PAGES_READ_SQL,
    READABLE_STORIES_SQL,
    RECORD_MARK_SQL,
    RECORD_READ_SQL,
    RELEASED_CHAPTER_COUNT_SQL,
    RELEASED_CHAPTER_SQL,
    RELEASED_CHAPTERS_SQL,
    STORY_CHANNELS_SQL,
    STORY_NEXT_SQL,
    WRITE_BUFFERED_EVENTS,
    WRITE_BUFFERED_PROGRESS,
)
from bot.reading.records import (
    LatestNext,
    PagePosition,
    ProgressRecord,
    ReadableStory,
    ReleasedChapter,
)
from bot.reading.write_behind import PendingRead, ReadBuffer
from bot.storage import Database
from bot.storage.repository import Repository, unix_now
from bot.stories.records import StoryRecord

__all__ = [
    "CHAPTER_READERS_SQL",
    "GET_PROGRESS_SQL",
    "LAST_PAGE_OF_CHAPTER_SQL",
    "LATEST_NEXT_SQL",
    "LATEST_PROGRESS_SQL",
    "NEW_CHAPTERS_SQL",
    "PAGES_READ_SQL",
    "PAGE_AFTER_SQL",
    "PAGE_AT_SQL",
    "PAGE_BEFORE_SQL",
    "RELEASED_CHAPTERS_SQL",
    "RELEASED_CHAPTER_SQL",
    "STORY_CHANNELS_SQL",
    "STORY_NEXT_SQL",
    "ProgressRepository",
]


# `/next` decodes the same few stories over and over: a story's row, value for value, always
# decodes to the same (immutable) record, so the hot path keeps the last few it decoded. An
# edited story's row differs, so it decodes afresh.
@lru_cache(maxsize=256)
def _story_of(values: tuple[Any, ...]) -> StoryRecord:
    return StoryRecord.from_values(values)


class ProgressRepository(Repository):
    """Reading positions, the read log and the released-page queries readers need."""

    def __init__(
        self, db: Database, *, clock: Callable[[], int] = unix_now, buffer: ReadBuffer | None = None
    ) -> None:
        super().__init__(db, clock=clock)
        writes = partial(write_buffered_reads, db)
        # `or` would be wrong: an empty buffer is falsy (it has a length).
        self.buffer: ReadBuffer = (
            buffer if buffer is not None else ReadBuffer(writes, unavailable=db.is_unavailable)
        )

    # -- progress (buffered reads included) ---------------------------------------------------

    async def get(self, user_id: int, story_id: int) -> ProgressRecord | None:
        """One reader's progress in one story (buffered reads written first), or None."""
        await self.buffer.flush()
        return await self._stored(user_id, story_id)

    async def position(self, user_id: int, story_id: int) -> ProgressRecord | None:
        """Like `get`, without writing the buffer: the stored row with buffered reads applied.

        For hot paths (`/next story:`, reading by DM), where waiting for a write would cost more
        than it saves.
        """
        return self.buffer.overlay(user_id, story_id, await self._stored(user_id, story_id))

    async def _stored(self, user_id: int, story_id: int) -> ProgressRecord | None:
        row = await self.db.fetch_point(GET_PROGRESS_SQL, {"user": user_id, "story": story_id})
        return None if row is None else ProgressRecord.from_row(row)

    async def latest(self, guild_id: int, user_id: int, limit: int = 1) -> list[ProgressRecord]:
        """A reader's stories in a guild, newest first (buffered reads written first)."""
        await self.buffer.flush()
        params = {"guild": guild_id, "user": user_id, "limit": limit}
        rows = await self.db.fetch_all(LATEST_PROGRESS_SQL, params)
        return [ProgressRecord.from_row(row) for row in rows]

    async def latest_with_next(self, guild_id: int, user_id: int) -> LatestNext | None:
        """The story a reader read last in a guild and the next readable page, in one query.

        A buffered read is newer than anything stored, so when there is one the query starts
        from its position instead of the reader's newest stored row.
        """
        pending = self.buffer.latest_story(guild_id, user_id)
        if pending is None:
            params = {"guild": guild_id, "user": user_id, **_early(NO_RANGE)}
            row = await self.db.fetch_point(LATEST_NEXT_SQL, params)
        else:
            params = {
                "user": user_id,
                "story": pending.story_id,
                "chapter": pending.chapter_number,
                "page": pending.page_number,
                **_early(NO_RANGE),
            }
            row = await self.db.fetch_point(STORY_NEXT_SQL, params)
        if row is None:
            return None
        # The row is the three records' columns side by side, in field order (see queries).
        values = tuple(row)
        stored, story = values[:NEXT_ROW_STORY_FROM], values[NEXT_ROW_STORY_FROM:NEXT_ROW_PAGE_FROM]
        page = values[NEXT_ROW_PAGE_FROM:NEXT_ROW_EARLY_FROM]
        role_id, hours = values[NEXT_ROW_EARLY_FROM:]
        progress = None if stored[0] is None else ProgressRecord.from_values(stored)
        if pending is not None:
            progress = self.buffer.overlay(user_id, pending.story_id, progress)
        assert progress is not None  # a stored row, or a buffered read
        return LatestNext(
            progress,
            None if story[0] is None else _story_of(story),
            None if page[NEXT_ROW_PAGE_ID_AT] is None else PagePosition(*page),
            None if role_id is None else EarlyAccessSetting(story[0], role_id, hours),
        )

    # -- released pages and chapters ----------------------------------------------------------

    async def page_at(self, story_id: int, chapter: int, page: int) -> PagePosition | None:
        """The page at (chapter, page), posted or not; None if there is no such page."""
        params = {"story": story_id, "chapter": chapter, "page": page}
        row = await self.db.fetch_point(PAGE_AT_SQL, params)
        return None if row is None else PagePosition.from_row(row)

    async def page_after(
        self, story_id: int, chapter: int, page: int, early: ChapterRange = NO_RANGE
    ) -> PagePosition | None:
        """The first readable page after (chapter, page); (1, 0) gives the story's first one."""
        params = {"story": story_id, "chapter": chapter, "page": page, **_early(early)}
        row = await self.db.fetch_point(PAGE_AFTER_SQL, params)
        return None if row is None else PagePosition.from_row(row)

    async def page_before(
        self, story_id: int, chapter: int, page: int, early: ChapterRange = NO_RANGE
    ) -> PagePosition | None:
        """The last readable page before (chapter, page), or None at the start."""
        params = {"story": story_id, "chapter": chapter, "page": page, **_early(early)}
        row = await self.db.fetch_point(PAGE_BEFORE_SQL, params)
        return None if row is None else PagePosition.from_row(row)

    async def last_page_of(
        self, story_id: int, chapter: int, early: ChapterRange = NO_RANGE
    ) -> PagePosition | None:
        """The last readable page of a chapter, or None if none is readable."""
        params = {"story": story_id, "chapter": chapter, **_early(early)}
        row = await self.db.fetch_one(LAST_PAGE_OF_CHAPTER_SQL, params)
        return None if row is None else PagePosition.from_row(row)

    async def released_chapters(
        self, story_id: int, *, offset: int = 0, limit: int = 25, early: ChapterRange = NO_RANGE
    ) -> list[ReleasedChapter]:
        """Readable chapters in order, `limit` of them from `offset`."""
        params = {"story": story_id, "limit": limit, "offset": offset, **_early(early)}
        rows = await self.db.fetch_all(RELEASED_CHAPTERS_SQL, params)
        return [ReleasedChapter.from_row(row) for row in rows]

    async def released_chapter(
        self, story_id: int, number: int, early: ChapterRange = NO_RANGE
    ) -> ReleasedChapter | None:
        """One chapter if it is readable, else None."""
        params = {"story": story_id, "chapter": number, **_early(early)}
        row = await self.db.fetch_one(RELEASED_CHAPTER_SQL, params)
        return None if row is None else ReleasedChapter.from_row(row)

    async def released_chapter_count(self, story_id: int, early: ChapterRange = NO_RANGE) -> int:
        """How many chapters of a story are readable."""
        params = {"story": story_id, **_early(early)}
        return int(await self.db.fetch_value(RELEASED_CHAPTER_COUNT_SQL, params))

    async def story_channels(self, story_id: int) -> list[int]:
        """The channels (or threads) a story's readable chapters were posted in."""
        rows = await self.db.fetch_all(STORY_CHANNELS_SQL, {"story": story_id, **_early(NO_RANGE)})
        return [int(row[0]) for row in rows if row[0] is not None]

    async def new_chapters(
        self, story_id: int, after_chapter: int, since: int, limit: int = 25
    ) -> tuple[list[ReleasedChapter], int]:
        """Readable chapters past `after_chapter` that came out at or after `since`, and count."""
        params = {"story": story_id, "after": after_chapter, "since": since, **_early(NO_RANGE)}
        rows = await self.db.fetch_all(NEW_CHAPTERS_SQL, {**params, "limit": limit})
        count = await self.db.fetch_value(NEW_CHAPTER_COUNT_SQL, params)
        return [ReleasedChapter.from_row(row) for row in rows], int(count)

    async def pages_read(
        self, story_id: int, chapter: int, page: int, early: ChapterRange = NO_RANGE
    ) -> tuple[int, int]:
        """(readable pages up to and including (chapter, page), readable pages in all)."""
        params = {"story": story_id, "chapter": chapter, "page": page, **_early(early)}
        row = await self.db.fetch_one(PAGES_READ_SQL, params)
        assert row is not None  # an aggregate always returns a row
        return int(row["done"]), int(row["total"])

    async def readable_stories(self, guild_id: int) -> list[ReadableStory]:
        """A guild's stories with readable chapters, by title, one row per channel used."""
        rows = await self.db.fetch_all(READABLE_STORIES_SQL, {"guild": guild_id})
        return [ReadableStory.from_row(row) for row in rows]

    # -- recording ----------------------------------------------------------------------------

    async def record_read(
        self, guild_id: int, user_id: int, page: PagePosition, *, adult_ok: bool = False
    ) -> ProgressRecord:
        """Move the reader to `page` and log the read now, in one transaction (one thread hop).

        Buffered reads are written first, so they cannot land after (and undo) this one.
        """
        await self.buffer.flush()
        now = self.now()
        written, _ = await self.db.write_batch(
            [
                (RECORD_READ_SQL, _progress_params(guild_id, user_id, page, adult_ok, now)),
                (INSERT_EVENT_SQL, _event_params(guild_id, user_id, page, "page", now)),
            ]
        )
        return ProgressRecord.from_row(written[0])

    def record_read_later(
        self, guild_id: int, user_id: int, page: PagePosition, *, adult_ok: bool = False
    ) -> None:
        """Record the read through the write-behind buffer: visible to every lookup here at
        once, written to the database within about a second (no database work now)."""
        self.buffer.add(guild_id, user_id, page, adult_ok, self.now())

    async def mark_chapter_read(
        self, guild_id: int, user_id: int, last_page: PagePosition, *, adult_ok: bool = False
    ) -> bool:
        """Mark `last_page`'s chapter read (moving the reader there only if that is ahead).

        Returns False if the reader had already marked it.
        """
        await self.buffer.flush()
        now = self.now()
        params = _progress_params(guild_id, user_id, last_page, adult_ok, now)
        async with self.db.transaction() as tx:
            added = await tx.execute(
                MARK_CHAPTER_SQL,
                {
                    "user": user_id,
                    "chapter_id": last_page.chapter_id,
                    "story": last_page.story_id,
                    "guild": guild_id,
                    "now": now,
                },
            )
            await tx.execute(RECORD_MARK_SQL, params)
            mark = {**_event_params(guild_id, user_id, last_page, "mark", now), "page_id": None}
            await tx.execute(INSERT_EVENT_SQL, mark)
        return added > 0

    async def has_marked(self, user_id: int, chapter_id: int) -> bool:
        """True if the reader marked this chapter read."""
        params = {"user": user_id, "chapter_id": chapter_id}
        return await self.db.fetch_value(HAS_MARKED_SQL, params) is not None

    async def chapter_readers(self, chapter_id: int) -> int:
        """How many different readers read (or marked read) a chapter."""
        await self.buffer.flush()
        return int(await self.db.fetch_value(CHAPTER_READERS_SQL, {"chapter_id": chapter_id}))

    async def events_for(self, guild_id: int, user_id: int) -> int:
        """How many read events a reader has in a guild (for tests and /forget-me replies)."""
        await self.buffer.flush()
        return int(await self.db.fetch_value(EVENTS_FOR_SQL, {"guild": guild_id, "user": user_id}))

    async def forget(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete a member's progress, read log, marks and reactions in one guild.

        Their buffered reads are dropped first, so none is written back afterwards. Returns the
        rows deleted per table (reactions are the feedback feature's table, cleared here too
        because /forget-me promises it).
        """
        await self.buffer.discard(guild_id, user_id)
        params = {"guild": guild_id, "user": user_id}
        deleted: dict[str, int] = {}
        async with self.db.transaction() as tx:
            for table in FORGET_TABLES:
                deleted[table] = await tx.execute(
                    f"DELETE FROM {table} WHERE guild_id = :guild AND user_id = :user", params
                )
        return deleted


async def write_buffered_reads(db: Database, batch: Sequence[PendingRead]) -> None:
    """Write buffered reads atomically: every progress row and every read-log row.

    Each kind is one `RowsStatement`: SQLite runs each as one `executemany` in one trip to its
    writer's thread; PostgreSQL runs both as one statement, one round trip."""
    progress = [
        {
            "user_id": read.user_id,
            "story_id": read.story_id,
            "guild_id": read.guild_id,
            "chapter_number": read.chapter_number,
            "page_number": read.page_number,
            "furthest_chapter": read.furthest_chapter,
            "furthest_page": read.furthest_page,
            "adult_ok": int(read.adult_ok),
            "started_at": read.first_at,
            "last_read_at": read.last_at,
        }
        for read in batch
    ]
    events = [
        {
            "guild_id": read.guild_id,
            "user_id": read.user_id,
            "story_id": read.story_id,
            "chapter_id": chapter_id,
            "page_id": page_id,
            "at": at,
        }
        for read in batch
        for chapter_id, page_id, at in read.events
    ]
    # Independent (see write_rows): two tables; writers of one progress row settle by its lock.
    parts = [(WRITE_BUFFERED_PROGRESS, progress), (WRITE_BUFFERED_EVENTS, events)]
    await db.write_rows(parts, independent=True)


def _early(early: ChapterRange) -> dict[str, int]:
    """The early-access range parameters of the readable-page condition (`READABLE`)."""
    return {"early_from": early.first, "early_to": early.last}


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


def _event_params(
    guild_id: int, user_id: int, page: PagePosition, kind: str, now: int
) -> dict[str, Any]:
    return {
        "guild": guild_id,
        "user": user_id,
        "story": page.story_id,
        "chapter_id": page.chapter_id,
        "page_id": page.page_id,
        "kind": kind,
        "at": now,
    }
