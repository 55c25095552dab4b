"""The visibility rule with early access, on the run's real database: a reader holding the role
reads the chapters scheduled within the hours; everyone else finds they do not exist."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from bot.early_access.repository import EarlyAccessRepository
from bot.errors import NotFound
from bot.publishing.schedules import ScheduleRepository
from bot.reading.service import CaughtUp, PageView, Reader, ReadingService
from bot.storage import Database
from bot.stories.repository import StoryRepository
from testkit.clock import Clock
from tests.reading.test_service import GUILD, VISIBLE, release, store

ROLE, OTHER_ROLE = 77, 78
BOB, CAROL = 100, 300
HOUR = 3600


def reader(user: int, roles: Iterable[int] = (), dm: bool = False) -> Reader:
    """A reader who sees the story's channel and holds `roles` in GUILD."""
    held = set(roles)

    async def can_view(channel_id: int) -> bool:
        return channel_id == VISIBLE

    async def holds(guild_id: int, role_id: int) -> bool:
        return guild_id == GUILD and role_id in held

    return Reader(user, None if dm else GUILD, can_view, holds_role=holds)


@pytest.fixture
def clock() -> Clock:
    return Clock(100_000)


@pytest.fixture
async def setup(db: Database, clock: Clock) -> tuple[ReadingService, int]:
    """A 4-chapter story: chapter 1 out, chapter 2 scheduled in 2 hours, chapter 3 a day later;
    members with ROLE read 3 hours early."""
    story = await store(db, chapters=4, pages=2, channel_id=VISIBLE)
    await release(db, story.id, 1)
    await ScheduleRepository(db).create(story.id, 1, clock.now + 2 * HOUR, "UTC", rule="daily")
    await EarlyAccessRepository(db).set(story.id, ROLE, 3)
    return ReadingService(db, clock=clock), story.id


async def test_a_role_holder_reads_the_early_chapter_through_every_path(
    setup: tuple[ReadingService, int],
) -> None:
    service, story = setup
    bob = reader(BOB, [ROLE])
    jumped = await service.read_at(bob, story, 2)
    assert isinstance(jumped, PageView) and jumped.page.content == "Tale c2 p1"
    nxt = await service.next_page(bob, str(story))
    assert isinstance(nxt, PageView) and nxt.page.content == "Tale c2 p2"
    done = await service.next_page(bob)  # chapter 3 is a day away: past the 3 hours
    assert isinstance(done, CaughtUp)
    back = await service.step(bob, story, 2, 1, forward=False)
    assert isinstance(back, PageView) and back.page.content == "Tale c1 p2"
    listing = await service.chapters(bob, story)
    assert [c.number for c in listing.chapters] == [1, 2] and listing.total == 2
    (line,) = await service.progress_summary(bob)
    assert line.released_chapters == 2 and (line.pages_done, line.pages_total) == (4, 4)
    with pytest.raises(NotFound):
        await service.read_at(bob, story, 3)


async def test_everyone_else_finds_nothing(setup: tuple[ReadingService, int]) -> None:
    service, story = setup
    for who in (reader(CAROL), reader(CAROL, [OTHER_ROLE]), reader(CAROL, [ROLE], dm=True)):
        with pytest.raises(NotFound):
            await service.read_at(who, story, 2)
    carol = reader(CAROL)
    first = await service.next_page(carol, str(story))
    assert isinstance(first, PageView)
    second = await service.next_page(carol, str(story))
    assert isinstance(second, PageView) and second.page.content == "Tale c1 p2"
    assert isinstance(await service.next_page(carol), CaughtUp)
    listing = await service.chapters(carol, story)
    assert [c.number for c in listing.chapters] == [1] and listing.total == 1
    (line,) = await service.progress_summary(carol)
    assert line.released_chapters == 1 and line.pages_total == 2
    catch = await service.catch_up(carol, str(story))
    assert catch.chapters == [] and catch.total == 0
    with pytest.raises(NotFound):
        await service.mark_read(carol, story, 2)


async def test_the_window_follows_the_clock_and_the_release(
    db: Database, setup: tuple[ReadingService, int], clock: Clock
) -> None:
    service, story = setup
    bob = reader(BOB, [ROLE])
    clock.now += 20 * HOUR  # chapter 3's run (26 h from the start) is now 6 h away: not yet
    with pytest.raises(NotFound):
        await service.read_at(bob, story, 3)
    clock.now += 4 * HOUR  # 2 h away
    # Chapter 2's run is overdue but not taken: it stays open, and chapter 3 follows it.
    assert isinstance(await service.read_at(bob, story, 3), PageView)
    await StoryRepository(db).update_metadata(story, paused=True)  # runs on hold: none early
    with pytest.raises(NotFound):
        await service.read_at(bob, story, 2)


async def test_an_early_only_story_is_offered_only_to_role_holders(
    db: Database, clock: Clock
) -> None:
    story = await store(db, chapters=2, pages=1, title="Secret", channel_id=VISIBLE)
    await ScheduleRepository(db).create(story.id, 1, clock.now + HOUR, "UTC")
    await EarlyAccessRepository(db).set(story.id, ROLE, 2)
    service = ReadingService(db, clock=clock)
    assert await service.choices(reader(BOB, [ROLE]), "sec") == [("Secret", str(story.id))]
    assert await service.choices(reader(CAROL), "sec") == []
    started = await service.next_page(reader(BOB, [ROLE]), "Secret")
    assert isinstance(started, PageView) and started.page.content == "Secret c1 p1"
    with pytest.raises(NotFound):
        await service.next_page(reader(CAROL), "Secret")
