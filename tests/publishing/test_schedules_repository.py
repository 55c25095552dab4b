"""Publishing's SQL on a real, migrated SQLite file: planning, claiming runs, resuming, history."""

from __future__ import annotations

import pytest

from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.storage import Database
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository
from tests.db_fixtures import StoryFactory

GUILD, OWNER, CHANNEL = 10, 20, 30


@pytest.fixture
async def story(db: Database, make_story: StoryFactory) -> StoryRecord:
    """A stored three-chapter story with two pages per chapter."""
    model = make_story(chapters=3)
    pages = [[f"c{c.number}p1", f"c{c.number}p2"] for c in model.chapters]
    return await StoryRepository(db).create_story(GUILD, OWNER, model, pages)


async def test_unplanned_chapters_skip_released_and_open_releases(
    db: Database, story: StoryRecord
) -> None:
    stories, releases = StoryRepository(db), ReleaseRepository(db)
    first, second, third = await stories.chapters(story.id)
    await stories.mark_chapter_released(first.id, 1)
    release = await releases.create(story.id, second.id, 5, CHANNEL, "messages")
    assert [c.id for c in await releases.unplanned_chapters(story.id, 5)] == [third.id]
    assert await releases.claim(release.id) is not None
    await releases.fail(release.id, "boom")
    # A failed release no longer holds its chapter: the next release retries it.
    assert [c.id for c in await releases.unplanned_chapters(story.id, 5)] == [second.id, third.id]
    again = await releases.create(story.id, second.id, 6, CHANNEL, "messages")
    assert await releases.earlier_attempts(second.id, again.id) == 1


async def test_record_run_claims_a_run_once_and_creates_its_releases(
    db: Database, story: StoryRecord
) -> None:
    stories, schedules = StoryRepository(db), ScheduleRepository(db)
    chapters = await stories.chapters(story.id)
    schedule = await schedules.create(story.id, OWNER, 100, "UTC", rule="every 10 seconds")
    created = await schedules.record_run(
        schedule, 110, ran_at=100, chapter_ids=[chapters[0].id], channel_id=CHANNEL
    )
    assert created is not None and [r.chapter_id for r in created] == [chapters[0].id]
    assert created[0].schedule_id == schedule.id and created[0].due_at == 100
    # The same (stale) run cannot be claimed twice.
    assert await schedules.record_run(schedule, 110, ran_at=100) is None
    moved = await schedules.get(schedule.id)
    assert moved is not None and (moved.next_run_at, moved.last_run_at) == (110, 100)
    ended = await schedules.record_run(moved, None, ran_at=110)
    assert ended == []
    final = await schedules.get(schedule.id)
    assert final is not None and not final.active and final.next_run_at is None


async def test_interrupted_releases_are_requeued_with_a_history_entry(
    db: Database, story: StoryRecord
) -> None:
    stories, releases = StoryRepository(db), ReleaseRepository(db)
    chapter = (await stories.chapters(story.id))[0]
    release = await releases.create(story.id, chapter.id, 1, CHANNEL, "thread")
    await releases.claim(release.id)
    await releases.set_header(release.id, 999)
    (requeued,) = await releases.requeue_interrupted()
    assert (requeued.status, requeued.header_message_id) == ("pending", 999)
    history = await releases.history(story.id)
    assert [e.outcome for e in history] == ["interrupted", "started", "created"]
    assert {e.chapter_number for e in history} == {chapter.number}


async def test_schedules_of_a_guild_and_stopping_a_story(db: Database, story: StoryRecord) -> None:
    schedules = ScheduleRepository(db)
    one = await schedules.create(story.id, OWNER, 100, "UTC")
    two = await schedules.create(story.id, OWNER, 50, "UTC", rule="daily")
    assert [s.id for s in await schedules.for_guild(GUILD)] == [two.id, one.id]
    assert await schedules.for_guild(GUILD + 1) == []
    assert await schedules.stop_for_story(story.id) == 2
    assert await schedules.active() == []
