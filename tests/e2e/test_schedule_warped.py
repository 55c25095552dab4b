"""`/schedule add` with `in 2 hours`, `tomorrow 18:00` and `every other friday 18:00`: the
releases happen at exactly those instants. The bot runs on a `WarpClock`; the test jumps it to
a second before each instant instead of waiting hours or weeks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.client import ChapterBot
from bot.config import Settings
from bot.publishing.schedules import ScheduleRepository
from bot.settings.repository import SettingsRepository
from testkit.clock import WarpClock
from testkit.emulator import DiscordEmulator
from testkit.emulator.client import FAST_CLIENT_OPTIONS, pointed_at, start_client, stop_client
from tests.e2e.publishing_helpers import THREE_CHAPTERS, bot_posts, upload_story

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2027, 3, 4, 15, 0, tzinfo=PARIS)  # a Thursday, 15:00 in Paris


@pytest.fixture
async def warped(
    emulator: DiscordEmulator, bot_settings: Settings
) -> AsyncIterator[tuple[ChapterBot, WarpClock]]:
    """A ChapterBot whose use cases run on a clock the test moves."""
    clock = WarpClock()
    with pointed_at(emulator):
        bot = ChapterBot(bot_settings, clock=clock, **FAST_CLIENT_OPTIONS)
        task = await start_client(bot, emulator)
        try:
            yield bot, clock
        finally:
            await stop_client(bot, task)


def stamp(moment: datetime) -> int:
    """Unix seconds of an aware datetime."""
    return int(moment.timestamp())


async def test_new_phrases_release_at_their_instants_on_a_warped_clock(
    emulator: DiscordEmulator, warped: tuple[ChapterBot, WarpClock]
) -> None:
    bot, clock = warped
    alice, general = emulator.user("alice"), emulator.channel("general")
    await SettingsRepository(bot.database).set_user_timezone(alice.id, "Europe/Paris")
    a, b, c = [
        await upload_story(emulator, bot, alice, f"s{i}.md", THREE_CHAPTERS, channel=general)
        for i in range(3)
    ]
    clock.jump_to(stamp(START))
    requests = (
        (a, {"when": "in 2 hours"}),
        (b, {"when": "tomorrow 18:00"}),
        (c, {"when": "friday 18:00", "repeat": "every other friday 18:00"}),
    )
    for story, options in requests:
        reply = await emulator.slash(alice, "schedule add", story=str(story.id), **options)
        assert "Schedule #" in (reply.content or ""), reply.content

    # Expected instants, from the wall times in Paris (not from the parser).
    in_two_hours = stamp(START) + 2 * 3600
    friday = stamp(datetime(2027, 3, 5, 18, 0, tzinfo=PARIS))
    fortnight = stamp(datetime(2027, 3, 19, 18, 0, tzinfo=PARIS))
    schedules = ScheduleRepository(bot.database)
    firsts = [(await schedules.for_story(s.id))[0].next_run_at for s in (a, b, c)]
    assert abs((firsts[0] or 0) - in_two_hours) <= 2  # counted from when the bot read it
    assert firsts[1:] == [friday, friday]
    assert bot_posts(emulator, general) == []

    async def reach(instant: int, posts: int) -> None:
        """Jump to a second before `instant`, re-arm the timers, wait for `posts` posts."""
        clock.jump_to(instant - 1)
        for story in (a, b, c):
            await bot.services.publishing.rearm_story(story.id)
        await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= posts, timeout=10)

    await reach(firsts[0] or 0, 1)
    (done,) = await schedules.for_story(a.id)
    assert done.last_run_at == firsts[0] and not done.active
    await reach(friday, 3)
    for story in (b, c):
        (schedule,) = await schedules.for_story(story.id)
        assert schedule.last_run_at == friday
    (repeating,) = await schedules.for_story(c.id)
    assert repeating.active and repeating.next_run_at == fortnight  # 18:00 two weeks on
    await reach(fortnight, 4)
    (repeating,) = await schedules.for_story(c.id)
    assert repeating.last_run_at == fortnight
    assert repeating.next_run_at == stamp(datetime(2027, 4, 2, 18, 0, tzinfo=PARIS))
    assert len(bot_posts(emulator, general)) == 4
