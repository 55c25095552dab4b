"""`EarlyAccessService` on the run's real database: who may set it, the opening timer armed from the
database, and each run's opening recorded in the outbox once however often it is refreshed."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.actor import Actor
from bot.early_access.service import EarlyAccessService, job_id
from bot.errors import InvalidInput, NotAllowed
from bot.events import EarlyAccessOpened
from bot.outbox import Outbox
from bot.publishing.schedules import ScheduleRepository
from bot.scheduling import RepeatRule
from bot.storage import Database
from testkit.clock import Clock
from tests.reading.test_service import GUILD, VISIBLE, release, store

HOUR = 3600
OWNER, STRANGER, ROLE = 1, 2, 77


def armed_at(scheduler: AsyncIOScheduler, story_id: int, clock: Clock) -> int | None:
    """When the story's opening timer fires, on the use-case clock (the job runs on the
    machine's clock, shifted by the difference)."""
    job = scheduler.get_job(job_id(story_id))
    if job is None:
        return None
    return int(job.trigger.run_date.timestamp()) + clock.now - int(time.time())


async def opened_rows(db: Database) -> list[str]:
    rows = await db.fetch_all(
        "SELECT event_key FROM outbox WHERE kind = :kind ORDER BY id",
        {"kind": EarlyAccessOpened.kind},
    )
    return [row["event_key"] for row in rows]


@pytest.fixture
async def scheduler() -> AsyncIterator[AsyncIOScheduler]:
    """A started but paused scheduler: jobs are stored (and replaced) but never run here."""
    started = AsyncIOScheduler()
    started.start(paused=True)
    yield started
    started.shutdown(wait=False)


async def test_configure_arms_the_opening_and_records_it_once(
    db: Database, scheduler: AsyncIOScheduler
) -> None:
    clock = Clock(1_000_000)
    outbox = Outbox(db, clock=clock)

    async def ignore(event: EarlyAccessOpened) -> None:
        return None

    outbox.subscribe(EarlyAccessOpened, "test.early", ignore)
    service = EarlyAccessService(db, scheduler, outbox=outbox, clock=clock)
    story = await store(db, chapters=3, pages=1, channel_id=VISIBLE)
    await release(db, story.id, 1)
    run_at = clock.now + 10 * HOUR
    await ScheduleRepository(db).create(story.id, OWNER, run_at, "UTC", rule="daily")

    with pytest.raises(NotAllowed):
        await service.configure(Actor(STRANGER, GUILD), story, ROLE, 3)
    with pytest.raises(InvalidInput):
        await service.configure(Actor(OWNER, GUILD), story, ROLE, 169)
    setting = await service.configure(Actor(OWNER, GUILD), story, ROLE, 3)
    assert setting is not None and (setting.role_id, setting.hours) == (ROLE, 3)
    assert abs((armed_at(scheduler, story.id, clock) or 0) - (run_at - 3 * HOUR)) <= 1
    assert await opened_rows(db) == []

    clock.now = run_at - 3 * HOUR  # the timer's instant
    await service.refresh(story.id)
    await service.refresh(story.id)  # the sweep, or a timer firing twice: nothing more
    assert await opened_rows(db) == [f"early_access_opened:story:{story.id}:early:{run_at}"]
    # Re-armed at the next run's opening (the rule's next run, minus the hours).
    after = RepeatRule.from_text("daily").next_after(datetime.fromtimestamp(run_at, UTC), UTC)
    next_opening = int(after.timestamp()) - 3 * HOUR
    assert abs((armed_at(scheduler, story.id, clock) or 0) - next_opening) <= 1

    assert await service.configure(Actor(OWNER, GUILD), story, None, 3) is None
    assert armed_at(scheduler, story.id, clock) is None
    assert await service.setting(story.id) is None
