"""`/schedule` end to end: one-off and repeating runs, list, cancel, pause, history, downtime."""

from __future__ import annotations

import asyncio
import itertools
import re
import time

import pytest

from bot.client import ChapterBot
from bot.publishing.records import ScheduleRecord
from bot.publishing.schedules import ScheduleRepository
from bot.settings.repository import SettingsRepository
from bot.storage import open_database
from testkit.emulator import DiscordEmulator
from tests.e2e.conftest import BotRunner
from tests.e2e.publishing_helpers import (
    THREE_CHAPTERS,
    bot_posts,
    corpus_file,
    expected_pages,
    page_text,
    repo,
    upload_story,
    wait_releases_done,
)

pytestmark = pytest.mark.e2e

SEED = "kiss-of-blood.txt"
TIMESTAMPS = re.compile(r"<t:(\d+):F>.*<t:\1:R>")


def schedules(bot: ChapterBot) -> ScheduleRepository:
    """A schedule repository on the running bot's database."""
    return ScheduleRepository(bot.database)


def schedule_jobs(bot: ChapterBot) -> list[str]:
    """The schedule timers armed (other jobs, like the heartbeat, left out)."""
    return [job.id for job in bot.scheduler.get_jobs() if job.id.startswith("schedule:")]


async def settled(repo: ScheduleRepository, story_id: int, *, ended: bool) -> ScheduleRecord:
    """The story's one schedule once it has (or has not) ended, polling briefly."""
    deadline = time.monotonic() + 5
    while True:
        (schedule,) = await repo.for_story(story_id)
        if schedule.active != ended or time.monotonic() > deadline:
            return schedule
        await asyncio.sleep(0.05)


async def test_one_off_schedule_posts_the_seed_once_in_order(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    data = corpus_file(SEED)
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, chapterbot, alice, SEED, data, channel=general)
    expected = expected_pages(data, SEED)[0]

    reply = await emulator.slash(alice, "schedule add", story=str(story.id), when="in 2 seconds")
    assert reply.ephemeral and TIMESTAMPS.search(reply.content or ""), reply.content
    listed = await emulator.slash(alice, "schedule list", story=str(story.id))
    assert story.title in (listed.content or "") and "once" in (listed.content or "")
    assert bot_posts(emulator, general) == []  # nothing before its time

    await emulator.wait_until(
        lambda: len(bot_posts(emulator, general)) >= len(expected), timeout=10
    )
    # The job leaves the scheduler as soon as it fires; wait for the release itself to finish.
    await wait_releases_done(chapterbot, story.id)
    assert [page_text(m) for m in bot_posts(emulator, general)] == expected
    (schedule,) = await schedules(chapterbot).for_story(story.id)
    assert not schedule.active and schedule.last_run_at is not None
    history = await emulator.slash(alice, "schedule history", story=str(story.id))
    assert "done" in (history.content or "") and f"{len(expected)} page(s) posted" in (
        history.content or ""
    )


async def test_repeating_schedule_posts_one_chapter_per_run_then_stops(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    reply = await emulator.slash(
        alice, "schedule add", story=str(story.id), when="in 1 second", repeat="every 10 seconds"
    )
    assert TIMESTAMPS.search(reply.content or ""), reply.content
    expected = expected_pages(THREE_CHAPTERS, "three.md")
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= 3, timeout=30)
    posted = bot_posts(emulator, general)
    assert [page_text(m) for m in posted] == [pages[0] for pages in expected]
    gaps = [b.created_monotonic - a.created_monotonic for a, b in itertools.pairwise(posted)]
    assert all(gap > 8 for gap in gaps), gaps  # one chapter per run, not all at once
    schedule = await settled(schedules(chapterbot), story.id, ended=True)
    assert not schedule.active and schedule.next_run_at is None
    assert not schedule_jobs(chapterbot)


async def test_schedule_refusals_and_cancel(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, carol = emulator.user("alice"), emulator.user("bob"), emulator.user("carol")
    general = emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    past = await emulator.slash(alice, "schedule add", story=str(story.id), when="2020-01-01 18:00")
    assert past.ephemeral and "past" in (past.content or "").lower()
    stranger = await emulator.slash(bob, "schedule add", story=str(story.id), when="in 2 hours")
    assert "Only the authors" in (stranger.content or "")
    await repo(chapterbot).add_author(story.id, bob.id)
    coauthor = await emulator.slash(bob, "schedule add", story=str(story.id), when="in 2 hours")
    assert "Schedule #" in (coauthor.content or "")
    (schedule,) = await schedules(chapterbot).for_story(story.id)
    assert chapterbot.scheduler.get_job(f"schedule:{schedule.id}") is not None

    refused = await emulator.slash(emulator.user("dave"), "schedule cancel", id=schedule.id)
    assert "Only the authors" in (refused.content or "")
    cancelled = await emulator.slash(carol, "schedule cancel", id=schedule.id)
    assert "cancelled" in (cancelled.content or "")
    assert await schedules(chapterbot).for_story(story.id) == []
    assert chapterbot.scheduler.get_job(f"schedule:{schedule.id}") is None

    await repo(chapterbot).update_metadata(story.id, rating="Explicit")
    gated = await emulator.slash(alice, "schedule add", story=str(story.id), when="in 2 hours")
    assert "age-restricted" in (gated.content or "")


async def test_nothing_left_to_release_is_refused(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    for chapter in await repo(chapterbot).chapters(story.id):
        await repo(chapterbot).mark_chapter_released(chapter.id, int(time.time()))
    reply = await emulator.slash(alice, "schedule add", story=str(story.id), when="in 2 hours")
    assert "nothing left to release" in (reply.content or "")


async def test_when_and_repeat_autocomplete_show_how_the_text_was_read(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    await SettingsRepository(chapterbot.database).set_user_timezone(alice.id, "Europe/Paris")
    when = await emulator.autocomplete(
        alice, "schedule add", focused="when", story="x", when="2026-11-27 18:00"
    )
    assert when == [{"name": when[0]["name"], "value": "2026-11-27 18:00"}]
    assert "Fri 27 Nov 2026 18:00 CET" in when[0]["name"]
    repeat = await emulator.autocomplete(
        alice, "schedule add", focused="repeat", story="x", when="x", repeat="every friday 18:00"
    )
    assert repeat[0]["value"] == "every friday 18:00" and "Friday" in repeat[0]["name"]


async def test_paused_runs_wait_and_resume_posts_them(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    await emulator.slash(alice, "schedule add", story=str(story.id), when="in 1 second")
    paused = await emulator.slash(alice, "schedule pause", story=str(story.id))
    assert "paused" in (paused.content or "")
    listed = await emulator.slash(alice, "schedule list")
    assert "paused" in (listed.content or "")
    await emulator.wait_until(lambda: not schedule_jobs(chapterbot), timeout=5)
    assert bot_posts(emulator, general) == []
    await emulator.slash(alice, "schedule resume", story=str(story.id))
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) == 1, timeout=5)


@pytest.mark.parametrize(("policy", "posted"), [("all", 3), ("latest", 1)])
async def test_runs_missed_while_down_follow_the_server_policy(
    emulator: DiscordEmulator, bot_runner: BotRunner, policy: str, posted: int
) -> None:
    bot = bot_runner.bot
    assert bot is not None
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "three.md", THREE_CHAPTERS, channel=general)
    await emulator.slash(
        alice, "schedule add", story=str(story.id), when="in 1 hour", repeat="every 10 seconds"
    )
    await bot_runner.stop()
    db = await open_database(bot_runner.settings.database_url)
    try:
        (schedule,) = await ScheduleRepository(db).for_story(story.id)
        missed = int(time.time()) - 35
        await ScheduleRepository(db).set_next_run(schedule.id, missed)
        await SettingsRepository(db).set_guild(emulator.guild.id, missed_release_policy=policy)
    finally:
        await db.close()

    bot = await bot_runner.start()
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= posted, timeout=10)
    await emulator.wait_until(lambda: schedule_jobs(bot) or posted == 3, timeout=5)
    assert len(bot_posts(emulator, general)) == posted
    expected = [p[0] for p in expected_pages(THREE_CHAPTERS, "three.md")][:posted]
    assert [page_text(m) for m in bot_posts(emulator, general)] == expected  # oldest first
    after = await settled(ScheduleRepository(bot.database), story.id, ended=posted == 3)
    if posted == 1:
        assert after.active and after.next_run_at is not None
        assert after.next_run_at > time.time() - 1
        assert (after.next_run_at - missed) % 10 == 0  # still on the grid
    else:
        assert not after.active
