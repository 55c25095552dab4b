"""Story text, titles and notes never ping anyone, across a full flow through the real bot.

A story whose title and text hold `@everyone`, `@here`, a role and a user mention is uploaded,
published in every mode (messages, thread, forum, announcement channel), read, given a note and
looked at with `/stats`. Then every message request the emulator recorded is checked: its
`allowed_mentions` permits nothing, except the release announcement line, which may ping the
story's notify role and nothing else. And no message the bot posted actually pinged anyone.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from testkit.emulator.interactions import InteractionResult
from testkit.emulator.model import Message, User
from tests.e2e.publishing_helpers import finished, upload_story
from tests.security.mentions import permits_nothing, permits_only_role, sent_messages

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]

# (channel, mode) for chapters 1..4: every posting mode, and an announcement channel.
MODES = (("general", "messages"), ("general", "thread"), ("stories", "forum"), ("news", "messages"))


def pinging_story(role_id: int, user_id: int) -> bytes:
    """Four chapters whose title, headings and text try every kind of mention."""
    pings = f"@everyone @here <@&{role_id}> <@{user_id}> <@!{user_id}>"
    chapters = "\n\n".join(
        f"## Chapter {n}: Hey @everyone\n\nChapter {n} says {pings} and goes on.\n\n"
        f"> Quoted {pings}\n\nThe end of chapter {n}, {pings}."
        for n in range(1, 5)
    )
    return f"# Pings @everyone <@&{role_id}>\n\nSummary: {pings}\n\n{chapters}\n".encode()


def button_id(message: Message, label_part: str) -> str:
    """The custom_id of the button whose label contains `label_part`."""
    for row in message.components:
        for item in row.get("components", []):
            if label_part in str(item.get("label", "")):
                return str(item["custom_id"])
    raise AssertionError(f"no {label_part!r} button on the message: {message.components}")


async def final(result: InteractionResult) -> InteractionResult:
    """The result once a deferred answer arrived."""
    return await result.final(timeout=20.0) if result.deferred else result


async def publish_in_every_mode(
    emu: DiscordEmulator, bot: ChapterBot, alice: User, story_id: int
) -> None:
    """Point the story at each (channel, mode) in turn and publish one chapter there."""
    for channel, mode in MODES:
        moved = await emu.slash(
            alice, "settings channel", story=str(story_id), channel=channel, mode=mode
        )
        assert "✅" in (moved.content or ""), moved.content
        result = await emu.slash(alice, "publish", story=str(story_id))
        summary = await finished(result)
        assert "✅" in summary, summary


async def read_and_react(emu: DiscordEmulator, bob: User, story_id: int, post: Message) -> None:
    """bob reads with /next, Next ▶ and /read, checks progress, and sends a pinging note."""
    first = await emu.slash(bob, "next", story=str(story_id))
    assert first.message is not None and first.ephemeral
    if any("Next" in str(c.get("label")) for r in first.components for c in r["components"]):
        await emu.click(bob, first.message, button_id(first.message, "Next"))
    await final(await emu.slash(bob, "read", story=str(story_id), chapter=2))
    await final(await emu.slash(bob, "progress"))
    await final(await emu.slash(bob, "catchup", story=str(story_id)))
    opened = await emu.click(bob, post, button_id(post, "Feedback"))
    assert opened.modal is not None
    note = f"@everyone <@{bob.id}> <@&{emu.guild.id}> loved it"
    await final(await emu.submit_modal(bob, opened, {"note": note, "who": ["named"]}))


async def author_views(emu: DiscordEmulator, alice: User, story_id: int) -> None:
    """The author's read-only views, which echo the title and settings back."""
    for command, options in (
        ("story info", {"story": str(story_id)}),
        ("story list", {}),
        ("story preview", {"story": str(story_id), "chapter": 1}),
        ("stats", {"story": str(story_id)}),
        ("schedule history", {"story": str(story_id)}),
        ("doctor", {"story": str(story_id)}),
    ):
        result = await final(await emu.slash(alice, command, **options))
        assert result.last is not None, command


async def test_nothing_the_bot_sends_can_ping_except_the_notify_role_line(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    fans = emulator.create_role("Fans", mentionable=True)
    await emulator.wait_until(lambda: chapterbot.get_guild(emulator.guild.id).get_role(fans.id))
    story = await upload_story(
        emulator, chapterbot, alice, "pings.md", pinging_story(fans.id, bob.id)
    )
    assert "@everyone" in story.title
    notify = await emulator.slash(alice, "settings notify-role", story=str(story.id), role=fans)
    assert "✅" in (notify.content or ""), notify.content

    await publish_in_every_mode(emulator, chapterbot, alice, story.id)
    headers = {
        int(row[0])
        for row in await chapterbot.database.fetch_all(
            "SELECT header_message_id FROM releases WHERE header_message_id IS NOT NULL"
        )
    }
    assert headers, "no release announcement line was posted"
    posted_pages = {
        int(row[0])
        for row in await chapterbot.database.fetch_all(
            "SELECT message_id FROM pages WHERE message_id IS NOT NULL"
        )
    }
    assert len(posted_pages) >= 4

    post = emulator.message(max(posted_pages))
    await read_and_react(emulator, bob, story.id, post)
    await author_views(emulator, alice, story.id)

    sent = sent_messages(emulator)
    assert len(sent) > 15
    offenders: list[dict[str, Any]] = []
    for message in sent:
        if message.message_id in headers and message.method == "POST":
            ok = permits_only_role(message.allowed_mentions, fans.id)
        else:
            ok = permits_nothing(message.allowed_mentions)
        if not ok:
            offenders.append(
                {"path": message.path, "allowed": message.allowed_mentions, "text": message.text}
            )
    assert offenders == []

    # What Discord actually did: pages pinged nobody; headers pinged the role only.
    bot_messages = [
        m
        for channel_id in list(emulator.world.channel_messages)
        for m in emulator.messages(channel_id)
        if m.author_id == emulator.bot_user.id
    ]
    assert {m.id for m in bot_messages} >= posted_pages | headers
    for message in bot_messages:
        pings = emulator.pings(message)
        if message.id in headers:
            assert pings.roles == [fans.id] and not pings.users and not pings.everyone
        else:
            assert not pings, (message.content[:80], pings)
    # The story really did contain the mentions that were neutralised.
    assert any(f"<@&{fans.id}>" in emulator.message(i).text for i in posted_pages)
