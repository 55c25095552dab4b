"""`/schedule add` reads slash dates in the author's Discord locale (issue 15): en-US month
first, every other locale day first; the autocomplete preview says the same as the command."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.client import ChapterBot
from bot.publishing.schedules import ScheduleRepository
from testkit.emulator import DiscordEmulator
from tests.e2e.publishing_helpers import THREE_CHAPTERS, upload_story

pytestmark = pytest.mark.e2e

TEXT = "03/04/2027 18:00"


@pytest.mark.parametrize(
    ("locale", "month", "day", "shown"),
    [("en-US", 3, 4, "4 Mar 2027"), ("en-GB", 4, 3, "3 Apr 2027")],
)
async def test_slash_date_order_follows_the_authors_locale(
    emulator: DiscordEmulator,
    chapterbot: ChapterBot,
    locale: str,
    month: int,
    day: int,
    shown: str,
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    choices = await emulator.autocomplete(
        alice, "schedule add", focused="when", story=str(story.id), when=TEXT, user_locale=locale
    )
    assert choices[0]["value"] == TEXT and shown in choices[0]["name"], choices
    reply = await emulator.slash(
        alice, "schedule add", story=str(story.id), when=TEXT, user_locale=locale
    )
    assert "Schedule #" in (reply.content or ""), reply.content
    (schedule,) = await ScheduleRepository(chapterbot.database).for_story(story.id)
    # No zone set anywhere: the default zone (UTC) reads the wall time.
    assert schedule.next_run_at == int(datetime(2027, month, day, 18, tzinfo=UTC).timestamp())
