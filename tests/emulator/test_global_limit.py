"""Discord's global limit is per bot token, not per connection: requests of two processes
(two HTTP sessions with their own connections) share one 50/s budget, and the emulator counts
global 429s apart from per-route ones."""

from __future__ import annotations

import aiohttp

from testkit.emulator import DiscordEmulator
from testkit.emulator.model import ChannelType
from testkit.emulator.ratelimit import RateLimiter


def freeze_time(emu: DiscordEmulator) -> None:
    """Rate limits on a stopped clock: every request falls in the same windows, however slow
    the machine (the limiter reads `emu.limiter` per request)."""
    emu.limiter = RateLimiter(clock=lambda: 1_000.0)


async def post(session: aiohttp.ClientSession, emu: DiscordEmulator, channel: int) -> int:
    """One message POST with the bot's token; the HTTP status."""
    async with session.post(
        f"{emu.api_base}/channels/{channel}/messages",
        json={"content": "hello"},
        headers={"Authorization": f"Bot {emu.token}"},
    ) as response:
        return response.status


async def test_two_processes_share_the_tokens_global_budget(emulator: DiscordEmulator) -> None:
    # 11 channels x 5 messages: no channel's own 5 / 5 s bucket is exceeded, but 55 requests
    # in well under a second are 5 over the token's global 50/s, whichever session sent them.
    channels = [emulator.create_channel(f"global-{i}", ChannelType.TEXT).id for i in range(11)]
    freeze_time(emulator)
    before = dict(emulator.stats)
    statuses: list[int] = []
    async with aiohttp.ClientSession() as one, aiohttp.ClientSession() as two:
        for _ in range(5):
            for index, channel in enumerate(channels):
                session = one if index % 2 == 0 else two  # two separate connection pools
                statuses.append(await post(session, emulator, channel))
    assert statuses.count(200) == 50 and statuses.count(429) == 5
    assert emulator.stats["global_429"] - before.get("global_429", 0) == 5
    assert emulator.stats["429"] - before["429"] == 5  # all five were global, none per route
    assert emulator.limiter is not None and emulator.limiter.counts["global"] == 5


async def test_a_per_route_429_is_not_counted_as_global(emulator: DiscordEmulator) -> None:
    channel = emulator.create_channel("one-route", ChannelType.TEXT).id
    freeze_time(emulator)
    before_global = emulator.stats.get("global_429", 0)
    async with aiohttp.ClientSession() as session:
        statuses = [await post(session, emulator, channel) for _ in range(6)]
    assert statuses == [200] * 5 + [429]  # the channel's 5 / 5 s bucket, not the global one
    assert emulator.stats["global_429"] == before_global
    assert sum(emulator.stats["429_by_route"].values()) >= 1


async def test_another_token_is_refused_not_counted(emulator: DiscordEmulator) -> None:
    channel = emulator.create_channel("other-token", ChannelType.TEXT).id
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{emulator.api_base}/channels/{channel}/messages",
            json={"content": "hello"},
            headers={"Authorization": "Bot not-this-bots-token"},
        ) as response,
    ):
        assert response.status == 401
    assert emulator.stats["429"] == 0
