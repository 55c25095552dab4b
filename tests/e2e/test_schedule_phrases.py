"""`/schedule add` with phrases of the wider language (issue 15): stored and released at the
instants they name."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.client import ChapterBot
from bot.publishing.schedules import ScheduleRepository
from testkit.emulator import DiscordEmulator
from tests.e2e.publishing_helpers import THREE_CHAPTERS, bot_posts, upload_story

pytestmark = pytest.mark.e2e


async def test_three_new_phrases_release_at_the_instants_they_name(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    stories = [
        await upload_story(emulator, chapterbot, alice, f"s{i}.md", THREE_CHAPTERS, channel=general)
        for i in range(3)
    ]
    now = datetime.now(UTC).replace(microsecond=0)
    in_utc = now + timedelta(seconds=4)
    in_london = (now + timedelta(seconds=5)).astimezone(ZoneInfo("Europe/London"))
    phrases = {
        "in two seconds": now + timedelta(seconds=2),
        f"{in_utc:%H:%M:%S}Z": in_utc,
        f"{in_london:%H:%M:%S} europe/london": in_london.astimezone(UTC),
    }
    for story, phrase in zip(stories, phrases, strict=True):
        reply = await emulator.slash(alice, "schedule add", story=str(story.id), when=phrase)
        assert "Schedule #" in (reply.content or ""), reply.content
    repository = ScheduleRepository(chapterbot.database)
    for story, expected in zip(stories, phrases.values(), strict=True):
        (schedule,) = await repository.for_story(story.id)
        # "in two seconds" counts from when the bot read it, a moment after `now`.
        assert abs((schedule.next_run_at or 0) - expected.timestamp()) <= 1.5
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= 3, timeout=20)
    finished = time.time()
    for story, expected in zip(stories, phrases.values(), strict=True):
        (schedule,) = await repository.for_story(story.id)
        assert schedule.last_run_at is not None
        assert expected.timestamp() - 1 <= schedule.last_run_at <= finished
