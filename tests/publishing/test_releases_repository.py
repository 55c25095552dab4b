"""ScheduleRepository and ReleaseRepository: plans, claims, outcomes and history."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.storage import Database
from bot.stories.model import Story
from bot.stories.records import ChapterRecord, StoryRecord
from bot.stories.repository import StoryRepository

Made = tuple[StoryRecord, list[ChapterRecord]]


@pytest.fixture
async def made(
    db: Database, make_story: Callable[..., Story], make_pages: Callable[..., list[list[str]]]
) -> Made:
    """A stored two-chapter story and its chapters."""
    repo = StoryRepository(db)
    story = make_story(chapters=2)
    record = await repo.create_story(1, 2, story, make_pages(story), "text")
    return record, await repo.chapters(record.id)


async def test_schedules_come_due_and_stop(db: Database, made: Made) -> None:
    story, _ = made
    schedules = ScheduleRepository(db, clock=lambda: 10)
    weekly = await schedules.create(story.id, 2, 500, "Europe/Paris", rule="weekly", channel_id=9)
    once = await schedules.create(story.id, 2, 100, "UTC", chapters_per_run=2)
    assert (weekly.active, weekly.created_at, once.rule) == (True, 10, None)
    assert [s.id for s in await schedules.due(200)] == [once.id]
    assert [s.id for s in await schedules.active()] == [once.id, weekly.id]
    assert await schedules.set_next_run(once.id, None)
    stopped = await schedules.get(once.id)
    assert stopped is not None and not stopped.active
    assert await schedules.set_active(weekly.id, False)
    assert await schedules.due(10_000) == []
    assert [s.id for s in await schedules.for_story(story.id)] == [weekly.id, once.id]
    with pytest.raises(ValueError):
        await schedules.create(story.id, 2, 1, "UTC", chapters_per_run=0)
    assert await schedules.delete(weekly.id)
    assert await schedules.get(weekly.id) is None


async def test_a_release_is_claimed_once_and_its_history_kept(db: Database, made: Made) -> None:
    story, chapters = made
    schedule = await ScheduleRepository(db).create(story.id, 2, 100, "UTC")
    releases = ReleaseRepository(db, clock=lambda: 100)
    release = await releases.create(
        story.id, chapters[0].id, 100, 555, "thread", schedule_id=schedule.id
    )
    assert (release.status, release.attempts) == ("pending", 0)
    assert [r.id for r in await releases.pending_due(100)] == [release.id]
    assert await releases.pending_due(99) == []

    claimed = await releases.claim(release.id)
    assert claimed is not None and (claimed.status, claimed.attempts) == ("posting", 1)
    assert await releases.claim(release.id) is None  # nobody posts it twice
    assert [r.id for r in await releases.interrupted()] == [release.id]
    assert await releases.set_thread(release.id, 4242)
    failed = await releases.fail(release.id, "Missing Permissions")
    assert failed is not None
    assert (failed.status, failed.last_error) == ("failed", "Missing Permissions")
    assert await releases.fail(release.id, "again") is None  # only a claimed release can fail

    retry = await releases.claim(release.id)
    assert retry is not None and retry.attempts == 2
    done = await releases.finish(release.id)
    assert done is not None
    assert (done.status, done.thread_id, done.finished_at) == ("done", 4242, 100)
    assert await releases.claim(release.id) is None
    assert [e.outcome for e in await releases.events(release.id)] == [
        "created",
        "started",
        "failed",
        "started",
        "done",
    ]
    assert [r.id for r in await releases.for_story(story.id)] == [release.id]


async def test_deleting_a_schedule_keeps_its_releases(db: Database, made: Made) -> None:
    story, chapters = made
    schedules = ScheduleRepository(db)
    schedule = await schedules.create(story.id, 2, 100, "UTC")
    releases = ReleaseRepository(db)
    release = await releases.create(
        story.id, chapters[1].id, 100, 555, "messages", schedule_id=schedule.id
    )
    await schedules.delete(schedule.id)
    kept = await releases.get(release.id)
    assert kept is not None and kept.schedule_id is None
    with pytest.raises(ValueError):
        await releases.create(story.id, chapters[1].id, 100, 555, "carrier-pigeon")  # type: ignore[arg-type]
