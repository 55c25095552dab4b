"""Login, READY over zlib-stream, resume after drops, op 7, frozen gateways, intents."""

from __future__ import annotations

import asyncio

import discord
import pytest

from testkit.emulator import DiscordEmulator
from testkit.emulator.botkit import ProbeBot
from testkit.emulator.client import pointed_at, start_client

from .conftest import intents_with

pytestmark = pytest.mark.e2e


async def test_login_and_ready_over_zlib_stream(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    assert bot.user is not None and bot.user.id == emulator.bot_user.id
    assert bot.application_id == emulator.application_id
    guild = bot.get_guild(emulator.guild.id)
    assert guild is not None and guild.name == "Test Guild"
    assert {c.name for c in guild.channels} >= {"general", "news", "stories", "mature"}
    assert isinstance(guild.get_channel(emulator.channel("stories").id), discord.ForumChannel)
    assert guild.get_channel(emulator.channel("mature").id).is_nsfw()
    assert guild.me is not None and guild.me.guild_permissions.send_messages
    assert emulator.gateway.stats["zlib_connections"] == 1
    assert emulator.gateway.stats["identify"] == 1


async def test_wrong_token_is_rejected(emulator: DiscordEmulator) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pointed_at(emulator), pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()
    assert emulator.requests[-1].status == 401


async def test_privileged_intent_not_enabled_closes_4014(emulator: DiscordEmulator) -> None:
    client = ProbeBot(intents=intents_with(message_content=True))
    with emulator.expect_violations() as found, pointed_at(emulator):
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await asyncio.wait_for(client.start(emulator.token), 10)
        await client.close()
    assert any("privileged" in v for v in found)
    assert 4014 in emulator.gateway.closed_codes


@pytest.mark.emulator(allowed_privileged_intents=1 << 15 | 1 << 1)
async def test_allowed_privileged_intents_get_content_and_members(
    emulator: DiscordEmulator, run_client
) -> None:
    client = await run_client(ProbeBot(intents=intents_with(message_content=True, members=True)))
    guild = client.get_guild(emulator.guild.id)
    assert guild is not None and guild.get_member(emulator.user("alice").id) is not None
    await emulator.post(emulator.user("bob"), emulator.channel("general"), "hello there")
    (message,) = await client.wait_event("message")
    assert message.content == "hello there"


async def test_dropped_gateway_resumes_and_replays(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    await emulator.drop_gateway()
    # Dispatched while the client is disconnected: must be replayed on RESUME.
    await emulator.post(emulator.user("alice"), emulator.channel("general"), "while away")
    await bot.wait_event("resumed", timeout=15)
    messages = await bot.wait_event("message")
    assert [m.author.name for m in messages] == ["alice"]
    assert messages[0].content == ""  # no message_content intent, like Discord
    assert emulator.gateway.stats["resume"] == 1
    assert emulator.gateway.stats["identify"] == 1


async def test_op7_reconnect_resumes(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    await emulator.request_reconnect()
    await bot.wait_event("resumed", timeout=10)
    assert emulator.gateway.stats["resume"] == 1
    result = await emulator.slash(emulator.user("alice"), "echo", text="still here")
    assert result.content == "still here"


async def test_frozen_gateway_is_noticed_and_recovered(
    emulator: DiscordEmulator, run_client
) -> None:
    bot = await run_client(ProbeBot(heartbeat_timeout=2.0))
    emulator.freeze_gateway()
    await emulator.post(emulator.user("bob"), emulator.channel("general"), "frozen")
    # discord.py closes the silent socket after heartbeat_timeout (2 s here) and resumes.
    await bot.wait_event("resumed", timeout=15)
    assert len(await bot.wait_event("message")) == 1
    assert emulator.gateway.stats["resume"] == 1


async def test_unknown_session_gets_invalid_session(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    emulator.gateway.sessions.clear()
    await emulator.drop_gateway()

    async def identified_twice() -> None:
        while emulator.gateway.stats["identify"] < 2:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(identified_twice(), 15)
    assert emulator.gateway.stats["invalid_session"] == 1


async def test_plain_json_gateway_without_compression(emulator: DiscordEmulator) -> None:
    client = ProbeBot(enable_debug_events=True)
    client._connection  # noqa: B018 - the state exists before start
    original = discord.gateway.DiscordWebSocket.from_client.__func__

    async def uncompressed(cls, client, **kw):
        return await original(cls, client, **{**kw, "compress": False})

    discord.gateway.DiscordWebSocket.from_client = classmethod(uncompressed)
    try:
        with pointed_at(emulator):
            task = await start_client(client, emulator)
            await client.close()
            await asyncio.wait_for(task, 5)
    finally:
        discord.gateway.DiscordWebSocket.from_client = classmethod(original)
    assert emulator.gateway.stats["zlib_connections"] == 0


async def test_gateway_bot_reports_the_shards_and_each_shard_gets_its_guilds(
    emulator: DiscordEmulator,
) -> None:
    from testkit.emulator.world import build_bot_guild

    emulator.shard_count = 2
    on = [build_bot_guild(emulator.world, f"G{n}", shard=(n, 2)) for n in (0, 1)]
    # No shard_count: discord.py asks GET /gateway/bot and opens one connection per shard.
    client = discord.AutoShardedClient(
        intents=discord.Intents.none() | discord.Intents(guilds=True)
    )
    with pointed_at(emulator):
        task = await start_client(client, emulator)
        try:
            assert client.shard_count == 2 and sorted(client.shards) == [0, 1]
            for n, guild in enumerate(on):
                seen = client.get_guild(guild.id)
                assert seen is not None and seen.shard_id == n
            assert emulator.gateway.stats["identify"] == 2
            identifies = [s.shard for s in emulator.gateway.sessions.values()]
            assert sorted(identifies) == [[0, 2], [1, 2]]
        finally:
            await client.close()
            task.cancel()
