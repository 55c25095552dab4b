"""A click on a button nothing handles any more gets a clear ephemeral answer, once."""

from __future__ import annotations

import discord
import pytest

from bot.client import ChapterBot
from cogs.lifecycle.stale_buttons import STALE_BUTTON_TEXT
from testkit.emulator import DiscordEmulator

pytestmark = [pytest.mark.e2e]


async def test_an_old_versions_button_says_it_no_longer_works(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    bob, general = emulator.user("bob"), emulator.channel("general")
    # A message carrying buttons of an older scheme; the view that posted it is then gone,
    # as after a restart of an older version.
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="old", custom_id="chapterbot:v0:old"))
    channel = chapterbot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    posted = await channel.send("buttons", view=view)
    view.stop()  # takes it out of discord.py's view store
    result = await emulator.click(bob, emulator.message(posted.id), "chapterbot:v0:old")
    assert result.ephemeral
    assert result.content == STALE_BUTTON_TEXT
