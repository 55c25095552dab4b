"""The bot's role edited mid-schedule so it can no longer post (issue 17's contract).

The next scheduled release fails once with a clear `/doctor` reason and one owner DM, the
story's schedules pause instead of failing again at every run, and `/schedule resume` after
the permission is back posts the chapter.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from testkit.emulator.permissions import BOT_DEFAULT, EVERYONE_DEFAULT, P
from tests.e2e.publishing_helpers import THREE_CHAPTERS, bot_posts, repo, upload_story

pytestmark = pytest.mark.e2e


def dms(emulator: DiscordEmulator, user: object) -> list[str]:
    """The text of every DM the bot sent `user`."""
    return [m.content or "" for m in emulator.messages(emulator.world.dm_channel(user))]


async def attempts(bot: ChapterBot, story_id: int) -> int:
    """Release attempts of the story so far."""
    value = await bot.database.fetch_value(
        "SELECT COALESCE(SUM(attempts), 0) FROM releases WHERE story_id = :s", {"s": story_id}
    )
    return int(value)


async def test_role_edit_fails_the_next_release_once_then_pauses(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    bot_role = emulator.role(emulator.bot_user.username)
    added = await emulator.slash(
        alice, "schedule add", story=str(story.id), when="in 1 second", repeat="every 10 seconds"
    )
    assert "Schedule #" in (added.content or ""), added.content
    everyone = emulator.guild.everyone
    # An admin makes the server read-only: @everyone and the bot's own role lose Send Messages.
    emulator.set_role_permissions(everyone, EVERYONE_DEFAULT & ~P.SEND_MESSAGES)
    emulator.set_role_permissions(bot_role, BOT_DEFAULT & ~P.SEND_MESSAGES)

    await emulator.wait_until(lambda: len(dms(emulator, alice)) >= 1, timeout=15)
    (dm,) = dms(emulator, alice)
    assert "Three Small Chapters" in dm and "Send Messages" in dm and "/schedule resume" in dm
    assert (await repo(chapterbot).get(story.id)).paused  # type: ignore[union-attr]
    tried = await attempts(chapterbot, story.id)
    await asyncio.sleep(1)
    # No timer is left to try again at the next run (it would fail the same way).
    assert not [j for j in chapterbot.scheduler.get_jobs() if j.id.startswith("schedule:")]
    assert await attempts(chapterbot, story.id) == tried == 1
    assert bot_posts(emulator, general) == []
    assert dms(emulator, alice) == [dm]
    report = (await emulator.slash(alice, "doctor", story=str(story.id))).content or ""
    assert "missing the **Send Messages** permission" in report and "paused" in report, report

    emulator.set_role_permissions(bot_role, BOT_DEFAULT)
    emulator.set_role_permissions(everyone, EVERYONE_DEFAULT)
    resumed = await emulator.slash(alice, "schedule resume", story=str(story.id))
    assert resumed.ephemeral
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= 1, timeout=15)
    assert "The first chapter" in (bot_posts(emulator, general)[0].content or "")
