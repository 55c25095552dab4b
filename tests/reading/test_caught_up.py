"""Caught up while a release is still posting: the reader is told more is on its way."""

from __future__ import annotations

from bot.publishing.records import ReleaseRecord
from bot.publishing.releases import ReleaseRepository
from bot.reading.service import CaughtUp, ReadingService
from bot.storage import Database
from bot.stories.repository import StoryRepository
from testkit.clock import Clock
from tests.reading.test_service import HIDDEN, VISIBLE, read_all, reader, release, store

LEASE_S = 30


async def start_posting(
    db: Database, clock: Clock, story_id: int, chapter: int, channel: int
) -> ReleaseRecord:
    """A release of `chapter` into `channel`, claimed (posting) with a live lease."""
    found = await StoryRepository(db).chapter(story_id, chapter)
    assert found is not None
    releases = ReleaseRepository(db, clock=clock)
    pending = await releases.create(story_id, found.id, clock.now, channel, "messages")
    claimed = await releases.claim(pending.id, owner="process-a", lease_s=LEASE_S)
    assert claimed is not None and claimed.status == "posting"
    return claimed


async def test_caught_up_mid_release_says_more_is_coming(
    db: Database, service: ReadingService, clock: Clock
) -> None:
    story = await store(db)
    await release(db, story.id, 1)
    await release(db, story.id, 2, pages=1)  # its second page is not out yet
    await start_posting(db, clock, story.id, 2, VISIBLE)

    assert await read_all(service, reader(), story.id) == ["Tale c1 p1", "Tale c1 p2", "Tale c2 p1"]
    edge = await service.next_page(reader())
    assert isinstance(edge, CaughtUp) and edge.posting_now
    assert edge.next_release_at is None  # no time to show: it is happening now

    # A release stuck with a lapsed lease (its process died) is not "going out right now".
    clock.now += LEASE_S + 1
    stalled = await service.next_page(reader())
    assert isinstance(stalled, CaughtUp) and not stalled.posting_now


async def test_a_release_into_a_channel_the_reader_cannot_see_is_not_announced(
    db: Database, service: ReadingService, clock: Clock
) -> None:
    story = await store(db)
    await release(db, story.id, 1)
    await start_posting(db, clock, story.id, 2, HIDDEN)

    assert len(await read_all(service, reader(), story.id)) == 2
    edge = await service.next_page(reader())
    assert isinstance(edge, CaughtUp) and not edge.posting_now
    assert await service.posting_now(reader(sees=(VISIBLE, HIDDEN)), story)
    # In DMs a reader who may read the story at all may read what any channel gets.
    assert await service.posting_now(reader(dm=True), story)
