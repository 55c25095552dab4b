"""Messages: validation, nonce, DMs, permissions, mentions, embeds, attachments, history."""

from __future__ import annotations

import io

import discord
import pytest
from discord.http import Route

from testkit.emulator import DiscordEmulator, P
from testkit.emulator.botkit import ProbeBot
from testkit.emulator.validation import default_spec_path

pytestmark = pytest.mark.e2e


def text_channel(bot: ProbeBot, emu: DiscordEmulator, name: str) -> discord.TextChannel:
    """The discord.py channel object for an emulator channel."""
    channel = bot.get_channel(emu.channel(name).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_too_long_message_is_rejected_and_recorded(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    general = text_channel(bot, emulator, "general")
    with emulator.expect_violations() as found, pytest.raises(discord.HTTPException) as info:
        await general.send("x" * 2001)
    assert (info.value.status, info.value.code) == (400, 50035)
    assert found and emulator.requests[-1].violations
    assert emulator.messages(emulator.channel("general")) == []
    await general.send("x" * 2000)


@pytest.mark.skipif(
    not default_spec_path().is_file(),
    reason="needs Discord's OpenAPI spec from ../shared (absent here); the emulator checks "
    "bodies against it",
)
async def test_body_the_spec_rejects(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    route = Route(
        "POST", "/channels/{channel_id}/messages", channel_id=emulator.channel("general").id
    )
    with emulator.expect_violations() as found, pytest.raises(discord.HTTPException) as info:
        await bot.http.request(route, json={"content": "hi", "tts": "loud"})
    assert info.value.status == 400
    assert any("tts" in v for v in found)


async def test_nonce_deduplicates_within_the_window(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    general = text_channel(bot, emulator, "general")
    first = await general.send("chapter 1", nonce="ch-1")
    again = await general.send("chapter 1", nonce="ch-1")
    other = await general.send("chapter 2", nonce="ch-2")
    assert first.id == again.id != other.id
    assert [m.content for m in emulator.messages(emulator.channel("general"))] == [
        "chapter 1",
        "chapter 2",
    ]


@pytest.mark.emulator(nonce_window_s=0.0)
async def test_nonce_window_expires(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    general = text_channel(bot, emulator, "general")
    first = await general.send("again", nonce="n")
    second = await general.send("again", nonce="n")
    assert first.id != second.id


async def test_dm_to_user_with_closed_dms(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    dave = emulator.user("dave")
    user = await bot.fetch_user(dave.id)
    await user.send("welcome")
    emulator.set_dms_open(dave, False)
    with pytest.raises(discord.Forbidden) as info:
        await user.send("again")
    assert info.value.code == 50007
    dm = emulator.world.dm_channel(dave)
    assert [m.content for m in emulator.messages(dm)] == ["welcome"]


async def test_missing_permissions(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    general = emulator.channel("general")
    emulator.set_overwrite(general, emulator.bot_user, deny=P.SEND_MESSAGES)
    with pytest.raises(discord.Forbidden) as info:
        await text_channel(bot, emulator, "general").send("nope")
    assert info.value.code == 50013
    emulator.set_overwrite(general, emulator.guild.everyone, deny=P.VIEW_CHANNEL)
    with pytest.raises(discord.Forbidden) as info:
        await text_channel(bot, emulator, "general").send("nope")
    assert info.value.code == 50001


async def test_embeds_dropped_without_embed_links(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    emulator.set_overwrite(emulator.channel("general"), emulator.bot_user, deny=P.EMBED_LINKS)
    sent = await text_channel(bot, emulator, "general").send(
        "text", embed=discord.Embed(title="gone")
    )
    assert sent.embeds == [] and emulator.message(sent.id).embeds == []


async def test_mentions_follow_allowed_mentions(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    general = text_channel(bot, emulator, "general")
    alice, mod = emulator.user("alice"), emulator.role("Mod")
    text = f"{alice.mention} {mod.mention} @everyone"
    quiet = await general.send(text, allowed_mentions=discord.AllowedMentions.none())
    assert not emulator.pings(emulator.message(quiet.id))
    loud = await general.send(text)
    pings = emulator.pings(emulator.message(loud.id))
    # The bot lacks Mention Everyone: @everyone does not ping; Mod is mentionable, so it does.
    assert pings.users == [alice.id] and pings.roles == [mod.id] and not pings.everyone
    silent = await general.send(alice.mention, silent=True)
    assert emulator.pings(emulator.message(silent.id)).silent


async def test_attachments_round_trip_through_the_cdn(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    general = text_channel(bot, emulator, "general")
    sent = await general.send("file", file=discord.File(io.BytesIO(b"chapter text"), "ch1.txt"))
    assert sent.attachments[0].filename == "ch1.txt"
    assert sent.attachments[0].url.startswith(emulator.cdn_base)
    assert await sent.attachments[0].read() == b"chapter text"
    assert emulator.message(sent.id).attachments[0].data == b"chapter text"


@pytest.mark.emulator(time_scale=20.0)
async def test_edit_delete_and_history(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    general = text_channel(bot, emulator, "general")
    sent = [await general.send(f"m{i}") for i in range(5)]
    await sent[0].edit(content="edited")
    await sent[1].delete()
    history = [m.content async for m in general.history(limit=10)]
    assert history == ["m4", "m3", "m2", "edited"]
    older = [m.content async for m in general.history(limit=2, before=sent[3])]
    assert older == ["m2", "edited"]


async def test_crosspost_only_in_announcement_channels(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    news = bot.get_channel(emulator.channel("news").id)
    assert isinstance(news, discord.TextChannel) and news.is_news()
    sent = await news.send("release")
    await sent.publish()
    assert emulator.message(sent.id).flags & 1
    plain = await text_channel(bot, emulator, "general").send("not news")
    with pytest.raises(discord.HTTPException) as info:
        await plain.publish()
    assert info.value.code == 50024


async def test_user_messages_are_blank_without_message_content(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    general = emulator.channel("general")
    await emulator.post(emulator.user("alice"), general, "hidden words")
    await emulator.post(emulator.user("bob"), general, f"hey {emulator.bot_user.mention}")
    first, second = await bot.wait_event("message", 2)
    assert first.content == "" and second.content.startswith("hey")
