"""`/schedule list` attaches a calendar PNG of the next four weeks (issue 15)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.client import ChapterBot
from bot.publishing import manage
from bot.publishing.calendar_png import draw_calendar
from bot.settings.repository import SettingsRepository
from testkit.emulator import DiscordEmulator
from tests.e2e.publishing_helpers import THREE_CHAPTERS, upload_story

pytestmark = pytest.mark.e2e


async def test_schedule_list_attaches_a_calendar_of_the_next_four_weeks(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    await SettingsRepository(chapterbot.database).set_user_timezone(alice.id, "Asia/Tokyo")
    tokyo = ZoneInfo("Asia/Tokyo")
    weekly = await upload_story(
        emulator, chapterbot, alice, "a.md", THREE_CHAPTERS, channel=general
    )
    once = await upload_story(emulator, chapterbot, alice, "b.md", THREE_CHAPTERS, channel=general)
    first = (datetime.now(tokyo) + timedelta(days=2)).replace(hour=18, minute=0, second=0)
    when = f"{first:%Y-%m-%d} 18:00"
    for story, repeat in ((weekly, "weekly"), (once, None)):
        options = {"repeat": repeat} if repeat else {}
        reply = await emulator.slash(
            alice, "schedule add", story=str(story.id), when=when, **options
        )
        assert "Schedule #" in (reply.content or ""), reply.content

    listed = await emulator.slash(alice, "schedule list")
    assert weekly.title in (listed.content or "")  # the text list stays
    await emulator.wait_until(lambda: bool(listed.followups), timeout=10)
    message = listed.last
    assert message is not None and message.ephemeral
    [attachment] = message.attachments
    assert attachment.filename.endswith(".png")
    assert len(attachment.data) < 200_000
    with Image.open(io.BytesIO(attachment.data)) as image:
        image.verify()
    with Image.open(io.BytesIO(attachment.data)) as image:
        width, height = image.size
    assert 600 <= width <= 2000 and 300 <= height <= 2000

    # The data the drawing is built from: the weekly story's three chapters on three Thursdays
    # (or whatever weekday `first` is), the one-off with it on the first day, in conflict.
    service = chapterbot.services.publishing
    items = await manage.list_schedules(service, emulator.guild.id)
    days = await manage.schedule_calendar(service, items, tokyo, datetime.now(UTC))
    shown = {(d.day, e.story_title, e.chapters, e.conflict) for d in days for e in d.entries}
    expected = {(first.date() + timedelta(weeks=n), weekly.title, (str(n + 1),), n == 0)
                for n in range(3)}  # fmt: skip
    expected.add((first.date(), once.title, ("1",), True))
    assert shown == expected
    assert all(e.at.hour == 18 for d in days for e in d.entries)
    # Drawing that data gives a picture of the attached one's layout (four week rows).
    with Image.open(io.BytesIO(draw_calendar(days, "x"))) as redrawn:
        assert redrawn.size == (width, height)
