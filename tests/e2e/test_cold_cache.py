"""A channel missing from the bot's cache is fetched from Discord, not reported missing.

After a restart the cache is cold, and with several shard processes another process may be the
one that saw the channel; only Discord saying 404 makes a target "missing".
"""

from __future__ import annotations

import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator

pytestmark = pytest.mark.e2e


async def test_an_uncached_channel_is_fetched_and_a_gone_one_is_missing(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    # Added to Discord's world without a CHANNEL_CREATE: the bot's cache never saw it.
    unseen = emulator.world.add_channel(emulator.guild, "unseen")
    assert chapterbot.get_channel(unseen.id) is None
    port = chapterbot.services.publishing.port
    info = await port.target(unseen.id, "messages", "text")
    assert (info.kind, info.name, info.bot_missing) == ("text", "unseen", ())
    gone = await port.target(unseen.id + 10_000, "messages", "text")
    assert gone.kind == "missing"
