"""The readers' write-behind buffer on a real, migrated SQLite file.

Batching (one transaction per flush), read-your-writes before the flush, positions that never
move backwards, the shutdown flush, /forget-me dropping buffered rows, and a bad row not
costing the rest of its batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

import aiosqlite
import pytest

from bot.reading import write_behind
from bot.reading.records import PagePosition
from bot.reading.repository import ProgressRepository
from bot.reading.service import PageView, Reader, ReadingService
from bot.reading.write_behind import PendingRead, ReadBuffer
from bot.storage import Database
from bot.stories.model import Story
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

GUILD = 10
BOB, DAVE, EVE = 100, 200, 300
CHANNEL = 555


@pytest.fixture
def progress(db: Database) -> ProgressRepository:
    repo = ProgressRepository(db)
    repo.buffer.flush_seconds = 0.05  # fast enough for tests, still batched
    return repo


async def released_story(
    db: Database,
    make_story: Callable[..., Story],
    make_pages: Callable[..., list[list[str]]],
    title: str = "The Long Night",
) -> StoryRecord:
    """A 3-chapter story, 2 pages a chapter, every page posted."""
    stories = StoryRepository(db)
    story = make_story(title=title, chapters=3)
    record = await stories.create_story(GUILD, 1, story, make_pages(story, 2))
    for chapter in await stories.chapters(record.id):
        for page in await stories.pages(chapter.id):
            await stories.mark_page_posted(page.id, CHANNEL, 9_000 + page.id, 1)
    return record


async def page(progress: ProgressRepository, story: StoryRecord, c: int, p: int) -> PagePosition:
    found = await progress.page_at(story.id, c, p)
    assert found is not None
    return found


async def raw_progress(db: Database) -> list[tuple[int, int, int, int, int, int]]:
    rows = await db.fetch_all(
        "SELECT user_id, story_id, chapter_number, page_number, furthest_chapter, furthest_page"
        " FROM progress ORDER BY user_id, story_id"
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def raw_events(db: Database) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM read_events"))


async def test_reads_are_written_in_one_transaction_per_flush(
    db: Database, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await released_story(db, make_story, make_pages)
    for user in (BOB, DAVE, EVE):
        progress.record_read_later(GUILD, user, await page(progress, story, 1, 1))
        progress.record_read_later(GUILD, user, await page(progress, story, 1, 2))
    assert await raw_progress(db) == [] and await raw_events(db) == 0  # nothing written yet
    await asyncio.sleep(0.3)
    assert await raw_progress(db) == [(u, story.id, 1, 2, 1, 2) for u in (BOB, DAVE, EVE)]
    assert await raw_events(db) == 6  # every page shown keeps its own log row
    assert progress.buffer.flushes == 1 and len(progress.buffer) == 0


async def test_many_waiting_readers_start_a_flush_early(
    db: Database, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await released_story(db, make_story, make_pages)
    progress.buffer.flush_seconds, progress.buffer.flush_at = 60.0, 2
    first = await page(progress, story, 1, 1)
    progress.record_read_later(GUILD, BOB, first)
    await asyncio.sleep(0.05)
    assert await raw_progress(db) == []  # one reader waits for the (long) timer
    progress.record_read_later(GUILD, DAVE, first)
    for _ in range(50):
        await asyncio.sleep(0.01)
        if len(await raw_progress(db)) == 2:
            break
    assert len(await raw_progress(db)) == 2


async def test_a_reader_sees_their_buffered_reads_before_the_flush(
    db: Database, make_story, make_pages
) -> None:
    service = ReadingService(db, write_behind=True)
    service.progress.buffer.flush_seconds = 60.0
    story = await released_story(db, make_story, make_pages)

    async def anywhere(channel_id: int) -> bool:
        return True

    bob = Reader(BOB, GUILD, anywhere)
    shown = []
    for _ in range(3):
        result = await service.next_page(bob, str(story.id))
        assert isinstance(result, PageView)
        shown.append((result.page.chapter_number, result.page.page_number))
    result = await service.next_page(bob)  # no story: the one read last, from the buffer
    assert isinstance(result, PageView)
    shown.append((result.page.chapter_number, result.page.page_number))
    assert shown == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert await raw_progress(db) == []  # all of it still only in memory
    position = await service.progress.position(BOB, story.id)
    assert position is not None and (position.chapter_number, position.page_number) == (2, 2)
    assert await service.progress.get(BOB, story.id) == position  # get() writes, then reads
    assert await raw_progress(db) == [(BOB, story.id, 2, 2, 2, 2)]


@pytest.mark.sqlite_only(reason="counts trips to aiosqlite's threads")
async def test_next_with_reads_written_behind_makes_no_trip(
    db: Database, make_story, make_pages, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = ReadingService(db, write_behind=True)
    story = await released_story(db, make_story, make_pages)

    async def anywhere(channel_id: int) -> bool:
        return True

    bob = Reader(BOB, GUILD, anywhere)
    await service.next_page(bob, str(story.id))
    await service.flush()
    trips: list[object] = []
    real = aiosqlite.Connection._execute

    async def counted(conn: aiosqlite.Connection, fn: object, *args: object, **kwargs: object):
        trips.append(fn)
        return await real(conn, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    shown = await service.next_page(bob)
    monkeypatch.undo()
    assert isinstance(shown, PageView) and shown.page.page_number == 2
    # Progress, story and next page in one inline query; no write before answering.
    assert trips == []
    await service.flush()
    assert await raw_progress(db) == [(BOB, story.id, 1, 2, 1, 2)]


async def test_buffered_reads_never_move_the_furthest_page_back(
    db: Database, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await released_story(db, make_story, make_pages)
    await progress.record_read(GUILD, BOB, await page(progress, story, 3, 1), adult_ok=True)
    progress.record_read_later(GUILD, BOB, await page(progress, story, 1, 1))
    progress.record_read_later(GUILD, BOB, await page(progress, story, 1, 2))
    expected = await progress.position(BOB, story.id)  # the overlay, before any write
    assert expected is not None
    assert (expected.chapter_number, expected.page_number) == (1, 2)
    assert (expected.furthest_chapter, expected.furthest_page) == (3, 1)
    assert expected.adult_ok  # sticky, like in SQL
    assert await progress.get(BOB, story.id) == expected  # what SQL wrote is what it predicted


async def test_close_writes_everything_and_later_reads_go_straight_through(
    db: Database, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await released_story(db, make_story, make_pages)
    progress.buffer.flush_seconds = 60.0
    progress.record_read_later(GUILD, BOB, await page(progress, story, 1, 1))
    await progress.buffer.close()
    assert await raw_progress(db) == [(BOB, story.id, 1, 1, 1, 1)]
    progress.record_read_later(GUILD, DAVE, await page(progress, story, 1, 1))
    for _ in range(50):  # a read after the shutdown flush is written at once, not in 60 s
        await asyncio.sleep(0.01)
        if len(await raw_progress(db)) == 2:
            break
    assert len(await raw_progress(db)) == 2


async def test_forget_drops_the_readers_buffered_rows(
    db: Database, progress: ProgressRepository, make_story, make_pages
) -> None:
    story = await released_story(db, make_story, make_pages)
    await progress.record_read(GUILD, BOB, await page(progress, story, 1, 1))
    progress.record_read_later(GUILD, BOB, await page(progress, story, 1, 2))
    progress.record_read_later(GUILD, DAVE, await page(progress, story, 1, 1))
    deleted = await progress.forget(GUILD, BOB)
    assert deleted["progress"] == 1 and deleted["read_events"] == 1
    await asyncio.sleep(0.3)  # past the flush: nothing of bob's comes back
    assert await raw_progress(db) == [(DAVE, story.id, 1, 1, 1, 1)]
    assert await progress.position(BOB, story.id) is None
    assert await progress.latest_with_next(GUILD, BOB) is None


async def test_a_story_deleted_before_the_flush_costs_no_other_read(
    db: Database, progress: ProgressRepository, make_story, make_pages
) -> None:
    gone = await released_story(db, make_story, make_pages, "Gone")
    kept = await released_story(db, make_story, make_pages, "Kept")
    progress.record_read_later(GUILD, BOB, await page(progress, gone, 1, 1))
    progress.record_read_later(GUILD, DAVE, await page(progress, kept, 1, 1))
    await StoryRepository(db).delete(gone.id)
    await progress.buffer.flush()
    assert await raw_progress(db) == [(DAVE, kept.id, 1, 1, 1, 1)]
    assert await raw_events(db) == 1


async def test_a_failing_batch_is_retried_reader_by_reader() -> None:
    written: list[int] = []

    async def writer(batch: Sequence[PendingRead]) -> None:
        if any(read.user_id == EVE for read in batch):
            raise RuntimeError("eve's row cannot be written")
        written.extend(read.user_id for read in batch)

    buffer = ReadBuffer(writer, flush_seconds=60.0)
    spot = PagePosition(1, 1, 1, 1, 1, 1, 1, "text", CHANNEL, 1)
    for user in (BOB, EVE, DAVE):
        buffer.add(GUILD, user, spot, False, 1)
    await buffer.flush()
    assert sorted(written) == [BOB, DAVE] and len(buffer) == 0
    await buffer.close()


def _spot(page: int) -> PagePosition:
    """Page `page` of chapter 1 of story 1 (ids 1 and page)."""
    return PagePosition(1, 1, 1, 1, page, page, 9, "text", CHANNEL, 1)


async def test_reads_are_kept_while_the_database_does_not_answer() -> None:
    """A server restarting: the batch waits and is written later, merged with newer reads."""
    down = 2
    written: list[PendingRead] = []

    async def writer(batch: Sequence[PendingRead]) -> None:
        nonlocal down
        if down:
            down -= 1
            raise ConnectionRefusedError("the server is restarting")
        written.extend(batch)

    buffer = ReadBuffer(
        writer, flush_seconds=0.01, unavailable=lambda e: isinstance(e, ConnectionError)
    )
    buffer.add(GUILD, BOB, _spot(3), False, 10)
    buffer.add(GUILD, BOB, _spot(4), False, 11)
    await buffer.flush()  # one attempt while the database is down: the reads stay
    assert written == [] and len(buffer) == 1
    buffer.add(GUILD, BOB, _spot(2), False, 12)  # Back ◀ meanwhile
    for _ in range(200):
        if written:
            break
        await asyncio.sleep(0.01)
    (bob,) = written
    assert (bob.chapter_number, bob.page_number) == (1, 2)  # the newest position
    assert (bob.furthest_chapter, bob.furthest_page) == (1, 4)  # the furthest of all
    assert [event[1] for event in bob.events] == [3, 4, 2]  # every read, in order
    assert (bob.first_at, bob.last_at) == (10, 12)
    await buffer.close()


async def test_at_close_a_database_that_does_not_answer_gets_one_last_try() -> None:
    attempts = 0

    async def writer(batch: Sequence[PendingRead]) -> None:
        nonlocal attempts
        attempts += 1
        raise ConnectionRefusedError("still down")

    buffer = ReadBuffer(writer, flush_seconds=60.0, unavailable=lambda e: True)
    buffer.add(GUILD, BOB, _spot(1), False, 1)
    await asyncio.wait_for(buffer.close(), 5)  # no endless retrying at shutdown
    assert attempts == 1 and len(buffer) == 0


@pytest.mark.parametrize("closing", [True, False], ids=["at-shutdown", "down-too-long"])
async def test_reads_a_database_never_answered_for_are_dropped_with_one_line(
    closing: bool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No attempt per reader and no traceback each: the database is down, not the rows bad."""
    attempts = 0

    async def writer(batch: Sequence[PendingRead]) -> None:
        nonlocal attempts
        attempts += 1
        raise ConnectionRefusedError("still down")

    monkeypatch.setattr(write_behind, "KEEP_UNAVAILABLE_S", 0.0 if not closing else 300.0)
    buffer = ReadBuffer(writer, flush_seconds=60.0, unavailable=lambda e: True)
    for reader in (BOB, DAVE, EVE):
        buffer.add(GUILD, reader, _spot(1), False, 1)
    with caplog.at_level(logging.WARNING, logger="bot.reading.write_behind"):
        if closing:
            await asyncio.wait_for(buffer.close(), 5)
        else:
            await buffer.flush()  # kept: the database just stopped answering
            await asyncio.sleep(0.01)
            await buffer.flush()  # still down, past the keep window: dropped
            await buffer.close()
    dropped = [
        r for r in caplog.records if "3 reads" in r.getMessage() and "keeping" not in r.getMessage()
    ]
    assert len(dropped) == 1 and dropped[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info]
    assert attempts == (1 if closing else 2) and len(buffer) == 0
