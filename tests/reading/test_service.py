"""The reading use cases (bot.reading) on the run's real database; Discord is not involved."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite
import pytest

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.events import EventBus, ReaderProgressed
from bot.following.repository import FollowRepository
from bot.publishing.schedules import ScheduleRepository
from bot.reading.service import (
    CaughtUp,
    PageView,
    Reader,
    ReadingService,
    StoryChoice,
    progress_bar,
)
from bot.storage import Database
from bot.stories.model import Chapter, Story, plain_paragraph
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository
from testkit.clock import Clock

GUILD = 1
VISIBLE, HIDDEN, OTHER = 11, 12, 13
BOB, DAVE = 100, 200


def reader(
    user: int = BOB, *, sees: Iterable[int] = (VISIBLE,), age_ok: bool = False, dm: bool = False
) -> Reader:
    """A reader who can see the channels in `sees`."""
    visible = set(sees)

    async def can_view(channel_id: int) -> bool:
        return channel_id in visible

    return Reader(user, None if dm else GUILD, can_view, age_ok)


def tale(chapters: int, title: str = "Tale") -> Story:
    return Story(
        title=title,
        chapters=[
            Chapter(number=n, title=f"Title {n}", blocks=[plain_paragraph(f"Text {n}.")])
            for n in range(1, chapters + 1)
        ],
    )


async def store(
    db: Database, chapters: int = 3, pages: int = 2, title: str = "Tale", **meta: object
) -> StoryRecord:
    story = tale(chapters, title)
    repo = StoryRepository(db)
    page_lists = [
        [f"{title} c{c} p{p}" for p in range(1, pages + 1)] for c in range(1, chapters + 1)
    ]
    record = await repo.create_story(GUILD, 1, story, page_lists)
    if meta:
        updated = await repo.update_metadata(record.id, **meta)
        assert updated is not None
        record = updated
    return record


async def release(
    db: Database,
    story_id: int,
    chapter: int,
    *,
    pages: int | None = None,
    channel: int = VISIBLE,
    at: int = 9_000,
) -> None:
    repo = StoryRepository(db)
    record = await repo.chapter(story_id, chapter)
    assert record is not None
    for page in (await repo.pages(record.id))[:pages]:
        await repo.mark_page_posted(page.id, channel, 50_000 + page.id, at)
    if pages is None:
        await repo.mark_chapter_released(record.id, at)


async def read_all(service: ReadingService, who: Reader, story_id: int) -> list[str]:
    """Everything `/next` serves, in order, until caught up."""
    seen = []
    for _ in range(100):
        result = await service.next_page(who, str(story_id))
        if isinstance(result, CaughtUp):
            return seen
        assert isinstance(result, PageView)
        seen.append(result.page.content)
    raise AssertionError("never caught up")


async def test_next_serves_released_pages_in_order_then_caught_up(
    db: Database, service: ReadingService, clock: Clock
) -> None:
    story = await store(db)
    await release(db, story.id, 1)
    await release(db, story.id, 2, pages=1)
    run_at = clock.now + 600
    await ScheduleRepository(db).create(story.id, 1, run_at, "UTC")

    assert await read_all(service, reader(), story.id) == ["Tale c1 p1", "Tale c1 p2", "Tale c2 p1"]
    done = await service.next_page(reader())
    assert isinstance(done, CaughtUp) and done.next_release_at == run_at
    await StoryRepository(db).update_metadata(story.id, paused=True)
    paused = await service.next_page(reader())
    assert isinstance(paused, CaughtUp) and paused.next_release_at is None

    # Dave is independent, and following a release as it posts works.
    first = await service.next_page(reader(DAVE), str(story.id))
    assert isinstance(first, PageView) and first.footer == "Chapter 1/3 · page 1/2"
    await release(db, story.id, 2)
    more = await service.next_page(reader())
    assert isinstance(more, PageView) and more.page.content == "Tale c2 p2"


async def test_new_reader_gets_the_stories_they_could_start(
    db: Database, service: ReadingService
) -> None:
    out = await store(db, title="Out")
    await store(db, title="Draft")
    hidden = await store(db, title="Hidden")
    await release(db, out.id, 1)
    await release(db, hidden.id, 1, channel=HIDDEN)
    choices = await service.next_page(reader())
    assert choices == [StoryChoice(out.id, "Out", 1)]
    assert await service.choices(reader(), "") == [("Out", str(out.id))]
    assert await service.choices(reader(), "dra") == []


async def test_unreleased_hidden_and_foreign_stories_are_refused_alike(
    db: Database, service: ReadingService
) -> None:
    story = await store(db)
    draft = await store(db, title="Draft")
    await release(db, story.id, 1)
    with pytest.raises(NotFound, match="not available"):
        await service.read_at(reader(), story.id, 2)
    with pytest.raises(NotFound, match="no story"):
        await service.next_page(reader(), str(draft.id))
    with pytest.raises(NotFound, match="no story"):
        await service.next_page(reader(), "Draft")
    with pytest.raises(NotFound, match="no story"):
        await service.read_at(reader(sees=()), story.id, 1)
    with pytest.raises(InvalidInput):
        await service.read_at(reader(), story.id, 0)
    with pytest.raises(NotFound):
        await service.mark_read(reader(), story.id, 2)
    foreign = Reader(BOB, GUILD + 1, reader().can_view)
    with pytest.raises(NotFound):
        await service.read_at(foreign, story.id, 1)


async def test_adult_stories_need_an_age_restricted_channel_and_dm_needs_a_prior_read(
    db: Database, service: ReadingService
) -> None:
    story = await store(db, rating="Explicit")
    await release(db, story.id, 1)
    with pytest.raises(NotAllowed, match="age-restricted"):
        await service.next_page(reader(), str(story.id))
    assert await service.choices(reader(), "") == []
    with pytest.raises(NotFound):
        await service.step(reader(dm=True), story.id, 1, 0, forward=True)

    page = await service.next_page(reader(age_ok=True), str(story.id))
    assert isinstance(page, PageView)
    by_dm = await service.step(reader(dm=True), story.id, 1, 1, forward=True)
    assert isinstance(by_dm, PageView) and by_dm.page.content == "Tale c1 p2"

    # A reader who only read it before it was rated Explicit may not go on by DM.
    tame = await store(db, title="Tame")
    await release(db, tame.id, 1)
    await service.next_page(reader(DAVE), str(tame.id))
    await StoryRepository(db).update_metadata(tame.id, rating="Mature")
    with pytest.raises(NotFound):
        await service.step(reader(DAVE, dm=True), tame.id, 1, 1, forward=True)


async def test_chapter_listing_pages_by_25(db: Database, service: ReadingService) -> None:
    story = await store(db, chapters=30, pages=1)
    for chapter in range(1, 28):
        await release(db, story.id, chapter)
    listing = await service.chapters(reader(), story.id, 25)
    assert [c.number for c in listing.chapters] == [26, 27]
    assert listing.total == 27 and not listing.has_more
    assert (await service.chapters(reader(), story.id)).has_more


async def test_mark_read_and_progress_and_catch_up(
    db: Database, service: ReadingService, clock: Clock
) -> None:
    story = await store(db, chapters=4)
    await release(db, story.id, 1, at=clock.now - 50)
    title, added = await service.mark_read(reader(), story.id, 1)
    assert (title, added) == ("Tale", True)
    clock.now += 100
    await release(db, story.id, 2, at=clock.now)
    await release(db, story.id, 3, at=clock.now)

    [line] = await service.progress_summary(reader())
    assert (line.chapter_number, line.released_chapters, line.new_chapters) == (1, 3, 2)
    assert (line.pages_done, line.pages_total) == (2, 6)
    catch = await service.catch_up(reader(), str(story.id))
    assert [c.number for c in catch.chapters] == [2, 3] and catch.total == 2
    assert await service.progress_summary(reader(DAVE)) == []
    fresh = await service.catch_up(reader(DAVE), "Tale")
    assert [c.number for c in fresh.chapters] == [1, 2, 3] and fresh.since is None


async def test_forget_me_clears_only_that_member(db: Database, service: ReadingService) -> None:
    story = await store(db)
    await release(db, story.id, 1)
    follows = FollowRepository(db)
    for who in (BOB, DAVE):
        await service.next_page(reader(who), str(story.id))
        await follows.follow(GUILD, who, story.id)
        await follows.set_dms(GUILD, who, False)
    deleted = await service.forget_me(GUILD, BOB)
    assert deleted["progress"] == 1 and deleted["read_events"] == 1
    assert deleted["follows"] == 1 and deleted["follow_dm_optouts"] == 1
    assert await service.progress_summary(reader(BOB)) == []
    assert len(await service.progress_summary(reader(DAVE))) == 1
    assert await follows.get(BOB, story.id) is None and await follows.dms_on(GUILD, BOB)
    assert await follows.get(DAVE, story.id) is not None and not await follows.dms_on(GUILD, DAVE)


class StatementCounter:
    """Counts SQL statements run on a SQLite Database's connections (inline reader included)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    async def attach(self, db: Database) -> None:
        for conn in (db._reader, db._writer):
            await conn.set_trace_callback(self.statements.append)
        if db._inline is not None:
            db._inline.set_trace_callback(self.statements.append)

    async def detach(self, db: Database) -> None:
        for conn in (db._reader, db._writer):
            await conn.set_trace_callback(None)
        if db._inline is not None:
            db._inline.set_trace_callback(None)


async def _next_statements(db: Database, service: ReadingService) -> int:
    counter = StatementCounter()
    await counter.attach(db)
    try:
        result = await service.next_page(reader())
    finally:
        await counter.detach(db)
    assert isinstance(result, PageView)
    return len(counter.statements)


@pytest.mark.sqlite_only(reason="traces the statements of SQLite's connections")
async def test_next_runs_a_constant_number_of_statements(
    db: Database, service: ReadingService
) -> None:
    story = await store(db, chapters=3, pages=3)
    await release(db, story.id, 1)
    await release(db, story.id, 2)
    await service.next_page(reader(), str(story.id))
    small = await _next_statements(db, service)

    more = await store(db, chapters=40, pages=5, title="Other")
    for chapter in range(1, 41):
        await release(db, more.id, chapter)
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
            " furthest_chapter, furthest_page, started_at, last_read_at)"
            " VALUES (?, ?, ?, 1, 1, 1, 1, 0, 0)",
            [(user, sid, GUILD) for user in range(1_000, 6_000) for sid in (story.id, more.id)],
        )
    large = await _next_statements(db, service)
    assert small == large and small >= 2  # the read and the recorded read, at least


@pytest.mark.sqlite_only(reason="counts trips to aiosqlite's threads")
async def test_next_makes_one_trip_to_the_database_threads(
    db: Database, service: ReadingService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/next` with no story: one write batch; its one read runs inline (`fetch_point`).

    Each trip to an aiosqlite thread is a hand-off plus an event-loop wake-up; under load they
    cost more than the SQL itself.
    """
    story = await store(db, chapters=2, pages=3)
    await release(db, story.id, 1)
    await service.next_page(reader(), str(story.id))
    trips: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(conn: aiosqlite.Connection, fn: object, *args: object, **kwargs: object):
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await real(conn, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    shown = await service.next_page(reader())
    monkeypatch.undo()
    assert isinstance(shown, PageView)
    assert (shown.page.chapter_number, shown.page.page_number) == (1, 2)
    assert trips == ["_run_batch"], trips
    progress = await service.progress.get(BOB, story.id)
    assert progress is not None and (progress.chapter_number, progress.page_number) == (1, 2)
    assert await service.progress.events_for(GUILD, BOB) == 2


def test_progress_bar() -> None:
    assert progress_bar(3, 10) == "▓▓▓░░░░░░░ 30%"
    assert progress_bar(0, 0) == "░░░░░░░░░░ 0%"
    assert progress_bar(5, 5, width=4) == "▓▓▓▓ 100%"


async def test_each_page_shown_publishes_reader_progressed(db: Database, clock: Clock) -> None:
    bus = EventBus()
    heard: list[ReaderProgressed] = []

    async def listen(event: ReaderProgressed) -> None:
        heard.append(event)

    bus.subscribe(ReaderProgressed, listen)
    service = ReadingService(db, clock=clock, bus=bus)
    story = await store(db)
    await release(db, story.id, 1)

    await read_all(service, reader(), story.id)
    assert [(e.user_id, e.story_id, e.chapter_number, e.page_number) for e in heard] == [
        (BOB, story.id, 1, 1),
        (BOB, story.id, 1, 2),
    ]
    assert {e.guild_id for e in heard} == {GUILD} and {e.at for e in heard} == {clock.now}
    # "Caught up" shows no page, so it tells nobody anything.
    assert isinstance(await service.next_page(reader()), CaughtUp) and len(heard) == 2


async def test_services_own_one_read_buffer_and_closing_writes_it(
    db: Database, clock: Clock
) -> None:
    service = ReadingService(db, clock=clock, write_behind=True)
    service.progress.buffer.flush_seconds = 60.0  # only close() may write
    other = ReadingService(db, clock=clock, write_behind=True)
    story = await store(db)
    await release(db, story.id, 1)

    await service.next_page(reader(), str(story.id))
    assert len(service.progress.buffer) == 1
    assert len(other.progress.buffer) == 0  # a buffer per service, no process-wide registry
    assert await other.progress.position(BOB, story.id) is None  # not written yet

    await service.close()
    stored = await other.progress.position(BOB, story.id)
    assert stored is not None and (stored.chapter_number, stored.page_number) == (1, 1)
