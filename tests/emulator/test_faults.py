"""Fault injection and rate limits as the real discord.py client experiences them."""

from __future__ import annotations

import time

import aiohttp
import discord
import pytest

from testkit.emulator import DiscordEmulator
from testkit.emulator.botkit import ProbeBot

pytestmark = pytest.mark.e2e

MESSAGES = r"/channels/\d+/messages"


def general(bot: ProbeBot, emu: DiscordEmulator) -> discord.TextChannel:
    """#general as discord.py sees it."""
    channel = bot.get_channel(emu.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_forced_429_is_retried_and_counted(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    emulator.faults.rate_limit(path=MESSAGES, times=1, retry_after=0.2)
    sent = await general(bot, emulator).send("after a wait")
    assert emulator.message(sent.id).content == "after a wait"
    assert emulator.stats["429"] == 1
    assert emulator.stats["429_by_route"] == {"/channels/{channel_id}/messages": 1}
    assert [r.status for r in emulator.requests if r.method == "POST"][-2:] == [429, 200]


async def test_global_429_is_retried(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    emulator.faults.rate_limit(is_global=True, times=1, retry_after=0.2)
    await general(bot, emulator).send("global wait")
    assert emulator.limiter.counts.get("global") == 1


@pytest.mark.emulator(time_scale=10.0)
async def test_real_bucket_limits_are_respected(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    channel = general(bot, emulator)
    start = time.monotonic()
    for i in range(7):
        await channel.send(f"burst {i}")
    # 5 per 5 s per channel, scaled by 10: the client must have waited about half a second.
    assert time.monotonic() - start >= 0.4
    assert len(emulator.messages(emulator.channel("general"))) == 7


async def test_server_errors(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    emulator.faults.fail(method="POST", path=MESSAGES, status=503, times=1)
    with pytest.raises(discord.DiscordServerError):
        await general(bot, emulator).send("unavailable")
    emulator.faults.fail(method="POST", path=MESSAGES, status=502, times=1)
    await general(bot, emulator).send("retried")  # discord.py retries 502 after 1 s
    assert [m.content for m in emulator.messages(emulator.channel("general"))] == ["retried"]


async def test_lost_response_then_nonce_retry_is_exactly_once(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    emulator.faults.lose_response("POST", MESSAGES)
    channel = general(bot, emulator)
    with pytest.raises(aiohttp.ClientError):
        await channel.send("chapter 7", nonce="story-1-ch-7")
    stored = emulator.messages(emulator.channel("general"))
    assert [m.content for m in stored] == ["chapter 7"]
    retry = await channel.send("chapter 7", nonce="story-1-ch-7")
    assert retry.id == stored[0].id
    assert len(emulator.messages(emulator.channel("general"))) == 1


async def test_latency_injection(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    emulator.faults.delay(path=MESSAGES, seconds=0.3, times=1)
    start = time.monotonic()
    await general(bot, emulator).send("slow")
    assert time.monotonic() - start >= 0.3
