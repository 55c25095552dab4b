"""Threads, forum posts, archiving, and reactions in both directions."""

from __future__ import annotations

import discord
import pytest

from testkit.emulator import DiscordEmulator
from testkit.emulator.botkit import ProbeBot

pytestmark = pytest.mark.e2e


def forum(bot: ProbeBot, emu: DiscordEmulator) -> discord.ForumChannel:
    """The #stories forum as discord.py sees it."""
    channel = bot.get_channel(emu.channel("stories").id)
    assert isinstance(channel, discord.ForumChannel)
    return channel


async def test_thread_from_message_and_standalone(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    general = bot.get_channel(emulator.channel("general").id)
    assert isinstance(general, discord.TextChannel)
    starter = await general.send("Chapter 1")
    thread = await starter.create_thread(name="Chapter 1 discussion")
    assert thread.id == starter.id and thread.parent_id == general.id
    await thread.send("first comment")
    assert [m.content for m in emulator.messages(thread.id)] == ["first comment"]
    private = await general.create_thread(name="mods", type=discord.ChannelType.private_thread)
    assert private.type == discord.ChannelType.private_thread
    active = await bot.get_guild(emulator.guild.id).active_threads()
    assert {t.id for t in active} == {thread.id, private.id}


async def test_forum_post_with_tags(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    stories = forum(bot, emulator)
    tag = stories.get_tag(emulator.channel("stories").tag_id("ongoing"))
    assert tag is not None
    post = await stories.create_thread(
        name="Moby Dick", content="Call me Ishmael.", applied_tags=[tag]
    )
    assert post.thread.applied_tags == [tag]
    assert post.message.content == "Call me Ishmael."
    stored = emulator.messages(post.thread.id)
    assert [m.content for m in stored] == ["Call me Ishmael."]


async def test_forum_requiring_a_tag_refuses_untagged_posts(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    emulator.channel("stories").flags |= 1 << 4
    with pytest.raises(discord.HTTPException) as info:
        await forum(bot, emulator).create_thread(name="untagged", content="text")
    assert (info.value.status, info.value.code) == (400, 40067)


async def test_archived_thread_refuses_reactions_and_send_unarchives(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    general = bot.get_channel(emulator.channel("general").id)
    thread = await (await general.send("start")).create_thread(name="t")
    message = await thread.send("react to me")
    await thread.edit(archived=True)
    with pytest.raises(discord.HTTPException) as info:
        await message.add_reaction("❤️")
    assert info.value.code == 50083
    await thread.send("wake up")
    assert not emulator.channel(thread.id).archived
    await thread.edit(archived=True, locked=True)
    with pytest.raises(discord.HTTPException) as info:
        await thread.send("locked")
    assert info.value.code == 50083
    archived = [t.id async for t in general.archived_threads()]
    assert archived == [thread.id]


async def test_reactions_both_ways(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    general = bot.get_channel(emulator.channel("general").id)
    sent = await general.send("vote")
    await sent.add_reaction("👍")
    await sent.add_reaction("<:custom:123456789012345678>")
    stored = emulator.message(sent.id)
    assert set(stored.reactions) == {"👍", "custom:123456789012345678"}
    await emulator.react(emulator.user("alice"), stored, "❤️")
    events = await bot.wait_event("reaction_add", 3)
    assert [e.user_id for e in events[:2]] == [emulator.bot_user.id] * 2
    payload = events[2]
    assert payload.user_id == emulator.user("alice").id and str(payload.emoji) == "❤️"
    assert payload.member is not None and payload.message_author_id == emulator.bot_user.id
    await sent.remove_reaction("👍", bot.user)
    assert stored.reactions["👍"] == []
