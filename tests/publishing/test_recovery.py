"""Start-up recovery on the run's real database: timers are armed before a long backlog is posted.

The port holds every send until the test lets it go, so "the backlog is still being posted" is
a state the test controls rather than a race it hopes to win.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.publishing.port import PageSend
from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.publishing.service import PublishingService, job_id
from bot.storage import Database
from bot.stories.model import Chapter, Story, plain_paragraph
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository
from tests.publishing.test_runner import FakePort

BACKLOG_CHANNEL, SCHEDULED_CHANNEL = 500, 600
BACKLOG_CHAPTERS = 4
PAGES_PER_CHAPTER = 3


class GatedPort(FakePort):
    """A port whose sends wait for `gate`; `waiting` is set while a send is held."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()

    async def send(self, channel_id: int, message: PageSend) -> int:
        self.waiting.set()
        await self.gate.wait()
        return await super().send(channel_id, message)


async def story_with(db: Database, title: str, chapters: int, channel_id: int) -> StoryRecord:
    """A story of `chapters` chapters of PAGES_PER_CHAPTER pages each, aimed at `channel_id`."""
    story = Story(
        title=title,
        chapters=[
            Chapter(number=n, title=f"C{n}", blocks=[plain_paragraph("x")])
            for n in range(1, chapters + 1)
        ],
    )
    pages = [
        [f"{title} {n}.{p}" for p in range(1, PAGES_PER_CHAPTER + 1)]
        for n in range(1, chapters + 1)
    ]
    return await StoryRepository(db).create_story(1, 2, story, pages, channel_id=channel_id)


async def wait_until(condition: object, timeout: float = 10.0) -> None:
    """Poll an async predicate until it holds."""
    deadline = time.monotonic() + timeout
    while not await condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_schedules_are_armed_before_a_long_backlog_and_post_after_it(
    db: Database, scheduler: AsyncIOScheduler
) -> None:
    now = int(time.time())
    stories, releases, schedules = (
        StoryRepository(db),
        ReleaseRepository(db),
        ScheduleRepository(db),
    )
    backlog_story = await story_with(db, "Backlog", BACKLOG_CHAPTERS, BACKLOG_CHANNEL)
    for chapter in await stories.chapters(backlog_story.id):  # queued while the bot was down
        await releases.create(backlog_story.id, chapter.id, now - 60, BACKLOG_CHANNEL, "messages")
    # One schedule fell due while the bot was down, one falls due much later.
    missed_story = await story_with(db, "Missed", 1, SCHEDULED_CHANNEL)
    missed = await schedules.create(missed_story.id, 2, now - 30, "UTC")
    later_story = await story_with(db, "Later", 1, SCHEDULED_CHANNEL)
    later = await schedules.create(later_story.id, 2, now + 3600, "UTC")

    port = GatedPort()
    service = PublishingService(db, port, scheduler)
    recovery = asyncio.create_task(service.recover())
    await asyncio.wait_for(port.waiting.wait(), 10)  # the backlog's first page is being sent

    job = scheduler.get_job(job_id(later.id))
    assert job is not None
    assert job.next_run_time == datetime.fromtimestamp(now + 3600, UTC)

    async def missed_run_claimed() -> bool:
        return bool(await releases.for_story(missed_story.id))

    await wait_until(missed_run_claimed)  # its timer fired during the backlog
    assert not recovery.done()

    port.gate.set()
    await asyncio.wait_for(recovery, 10)

    async def missed_run_posted() -> bool:
        return len(port.sent.get(SCHEDULED_CHANNEL, [])) == PAGES_PER_CHAPTER

    await wait_until(missed_run_posted)
    backlog_pages = [
        page.content
        for chapter in await stories.chapters(backlog_story.id)
        for page in await stories.pages(chapter.id)
    ]
    assert [m.text for _, m in port.sent[BACKLOG_CHANNEL]] == backlog_pages
    (missed_chapter,) = await stories.chapters(missed_story.id)
    missed_pages = [p.content for p in await stories.pages(missed_chapter.id)]
    assert [m.text for _, m in port.sent[SCHEDULED_CHANNEL]] == missed_pages
    # The scheduled chapter went out after the whole backlog (ids grow with each send).
    assert port.sent[SCHEDULED_CHANNEL][0][0] > port.sent[BACKLOG_CHANNEL][-1][0]
    assert all(r.status == "done" for r in await releases.for_story(backlog_story.id))
    assert scheduler.get_job(job_id(later.id)) is not None
    assert scheduler.get_job(job_id(missed.id)) is None  # a one-off run is not re-armed
    await service.drain()
