"""Releases left behind half-way (the database stopped answering mid-run) are resumed in order,
on the run's real database; paused stories and stories being posted are left alone."""

from __future__ import annotations

import logging
import time

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.publishing.port import PageSend, PostingError
from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.publishing.service import RETRY_FIRST_S, RETRY_MAX_S, PublishingService, job_id
from bot.storage import Database
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository
from tests.publishing.test_recovery import story_with
from tests.publishing.test_runner import FakePort

CHANNEL = 700
LEASE_S = 30


class RefusingPort(FakePort):
    """Discord refuses every page of the chapters in `refused` (by page text prefix)."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    async def send(self, channel_id: int, message: PageSend) -> int:
        if message.text.startswith(self.refused):
            raise PostingError("Missing Access", permanent=True)
        return await super().send(channel_id, message)


def service_on(db: Database, port: FakePort, timers: AsyncIOScheduler) -> PublishingService:
    """A publishing service as the bot builds it (without outbox and bus)."""
    return PublishingService(db, port, timers, lease_s=LEASE_S)


async def queued(db: Database, story: StoryRecord, due_at: int) -> list[int]:
    """Pending releases of every chapter of `story`, due at `due_at`, in chapter order."""
    releases = ReleaseRepository(db)
    return [
        (await releases.create(story.id, chapter.id, due_at, CHANNEL, "messages")).id
        for chapter in await StoryRepository(db).chapters(story.id)
    ]


def posted_texts(port: FakePort) -> list[str]:
    """The texts the port was asked to post in CHANNEL, in order."""
    return [message.text for _, message in port.sent.get(CHANNEL, [])]


async def test_releases_left_queued_are_posted_in_order(
    db: Database, scheduler: AsyncIOScheduler
) -> None:
    port = FakePort()
    service = service_on(db, port, scheduler)
    story = await story_with(db, "Left", 3, CHANNEL)
    await queued(db, story, int(time.time()) - LEASE_S - 5)

    assert await service.stalled.resume() == 1  # one story set going
    await service.stalled.wait()
    assert posted_texts(port) == [f"Left {c}.{p}" for c in (1, 2, 3) for p in (1, 2, 3)]
    assert await service.stalled.resume() == 0  # done once


async def test_recent_paused_and_busy_stories_are_left_alone(
    db: Database, scheduler: AsyncIOScheduler
) -> None:
    port = FakePort()
    service = service_on(db, port, scheduler)
    now = int(time.time())
    recent = await story_with(db, "Recent", 1, CHANNEL)
    await queued(db, recent, now)  # its run is posting it (or about to)
    paused = await story_with(db, "Paused", 1, CHANNEL)
    await queued(db, paused, now - 600)
    await ScheduleRepository(db).pause_story(paused.id)
    busy = await story_with(db, "Busy", 1, CHANNEL)
    await queued(db, busy, now - 600)

    async with service._lanes.lane(busy.id, None):  # this process is posting that story
        assert await service.stalled.resume() == 0
    async with service._lanes.lane(0, CHANNEL):  # another story is posting into the channel
        assert await service.stalled.resume() == 0
    assert posted_texts(port) == []
    assert await service.stalled.resume() == 1  # once free: the busy story's release
    await service.stalled.wait()
    assert posted_texts(port) == ["Busy 1.1", "Busy 1.2", "Busy 1.3"]


async def test_a_chapter_that_fails_pauses_its_story_before_the_next_one(
    db: Database, scheduler: AsyncIOScheduler
) -> None:
    port = RefusingPort(refused="Gated 1.")
    service = service_on(db, port, scheduler)
    story = await story_with(db, "Gated", 2, CHANNEL)
    first, second = await queued(db, story, int(time.time()) - 600)

    assert await service.stalled.resume() == 1
    await service.stalled.wait()
    releases = ReleaseRepository(db)
    assert (await releases.get(first)).status == "failed"  # type: ignore[union-attr]
    assert (await releases.get(second)).status == "pending"  # type: ignore[union-attr]
    assert (await StoryRepository(db).get(story.id)).paused  # type: ignore[union-attr]
    assert await service.stalled.resume() == 0 and posted_texts(port) == []  # paused


async def test_a_release_whose_lease_ran_out_is_resumed(
    db: Database, scheduler: AsyncIOScheduler
) -> None:
    port = FakePort()
    service = service_on(db, port, scheduler)
    story = await story_with(db, "Cut", 1, CHANNEL)
    (release,) = await queued(db, story, int(time.time()) - 600)
    releases = ReleaseRepository(db, clock=lambda: int(time.time()) - 120)
    assert await releases.claim(release, owner="gave-up", lease_s=LEASE_S) is not None

    assert await service.stalled.resume() == 1
    await service.stalled.wait()
    assert posted_texts(port) == ["Cut 1.1", "Cut 1.2", "Cut 1.3"]


async def test_a_schedule_that_finds_no_database_is_tried_again_later(
    db: Database, scheduler: AsyncIOScheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = service_on(db, FakePort(), scheduler)

    async def refused(schedule_id: int) -> None:
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setattr(service.schedules, "get", refused)
    expected = [RETRY_FIRST_S * 2**n for n in range(4)] + [RETRY_MAX_S, RETRY_MAX_S]
    for wait in expected:  # 5, 10, 20, 40 s, then every minute
        before = time.time()
        await service._rearm_after_error(42)
        job = scheduler.get_job(job_id(42))
        assert job is not None
        assert abs(job.next_run_time.timestamp() - before - wait) <= 1  # whole seconds


def test_a_database_not_answering_is_a_warning_and_a_bug_a_traceback(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("test.background")
    with caplog.at_level(logging.WARNING, logger="test.background"):
        db.log_failure(log, ConnectionRefusedError(111, "refused"), "drain of %s failed", "x")
        db.log_failure(log, ValueError("a bug"), "drain of %s failed", "y")
    down, bug = caplog.records
    assert down.levelno == logging.WARNING and down.exc_info is None
    assert down.getMessage().startswith("drain of x failed: the database is not answering")
    assert bug.levelno == logging.ERROR and bug.exc_info is not None
    assert bug.getMessage() == "drain of y failed"


async def test_a_chapter_held_back_by_its_channel_holds_back_the_chapters_after_it(
    db: Database, scheduler: AsyncIOScheduler
) -> None:
    port = FakePort()
    service = service_on(db, port, scheduler)
    story = await story_with(db, "Split", 2, CHANNEL)
    first, second = await queued(db, story, int(time.time()) - 600)
    releases = ReleaseRepository(db)
    async with db.transaction() as tx:  # chapter 2 goes to another channel
        await tx.execute("UPDATE releases SET channel_id = 800 WHERE id = :id", {"id": second})

    async with service._lanes.lane(0, CHANNEL):  # chapter 1's channel is taken
        assert await service.stalled.resume() == 0
    assert port.sent == {}  # chapter 2 did not overtake chapter 1
    assert await service.stalled.resume() == 1
    await service.stalled.wait()
    assert [(await releases.get(r)).status for r in (first, second)] == ["done", "done"]  # type: ignore[union-attr]
    assert list(port.sent) == [CHANNEL, 800]
