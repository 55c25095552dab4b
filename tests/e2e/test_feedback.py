"""Reactions and private notes end to end: recorded exactly, shown in `/stats`, delivered."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.client import ChapterBot
from bot.feedback.emoji import DEFAULT_REACTIONS
from cogs.feedback.commands import add_story_reactions
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Message
from testkit.emulator.permissions import P
from tests.e2e.feedback_helpers import (
    chapter_line,
    eventually,
    feedback_repo,
    last_pages,
    publish_story,
    stats_reply,
)
from tests.e2e.publishing_helpers import finished

pytestmark = pytest.mark.e2e


def button_id(message: Message, label_part: str) -> str:
    """The custom_id of the button whose label contains `label_part`."""
    for row in message.components:
        for item in row.get("components", []):
            if label_part in str(item.get("label", "")):
                return str(item["custom_id"])
    raise AssertionError(f"no {label_part!r} button on the message: {message.components}")


def dm_embeds(emu: DiscordEmulator, user: Any) -> list[dict[str, Any]]:
    """Every embed the bot sent to `user` by DM."""
    channel = emu.world.dm_channel(user)
    return [e for m in emu.messages(channel) for e in m.embeds]


async def test_reactions_add_remove_bots_and_uncached_messages_show_up_exactly_in_stats(
    emulator: DiscordEmulator, bot_runner: Any, chapterbot: ChapterBot
) -> None:
    alice, bob, carol, dave = (emulator.user(n) for n in ("alice", "bob", "carol", "dave"))
    helper = emulator.world.add_user("helperbot", bot=True)
    emulator.world.join(emulator.guild, helper)
    published = await publish_story(emulator, chapterbot, alice, release=2)
    story = published.story
    ch1, ch2 = published.last_pages[1], published.last_pages[2]
    repo = feedback_repo(chapterbot)

    await emulator.react(bob, ch1, "❤️")
    await emulator.react(bob, ch1, "😂")
    await emulator.react(dave, ch1, "❤️")
    await emulator.react(dave, ch2, "🔥")
    await emulator.react(carol, ch2, "🦄")  # outside the set: counted as "other"
    await emulator.react(helper, ch1, "❤️")  # another bot: ignored
    note = await emulator.post(bob, emulator.channel("general"), "not a page")
    await emulator.react(dave, note, "❤️")  # not a page the bot posted: ignored
    await eventually(lambda: _count(repo, story.id, 5))
    await emulator.unreact(bob, ch1, "😂")
    await eventually(lambda: _removed(repo, story.id, 1))

    # The bot's own reactions (auto-react on chapter 3) never count.
    reacted = await emulator.slash(alice, "settings auto-react", story=str(story.id), enabled=True)
    assert "✅" in (reacted.content or "") and reacted.ephemeral
    third = await emulator.slash(alice, "publish", story=str(story.id))
    assert "✅" in await finished(third)
    ch3 = (await last_pages(emulator, chapterbot, story.id))[3]
    await emulator.wait_until(
        lambda: len(ch3.reactions) == len(DEFAULT_REACTIONS), timeout=10.0, what="auto-react"
    )
    assert all(users == [emulator.bot_user.id] for users in ch3.reactions.values())

    # After a restart no message is cached; the raw event still counts.
    bot = await bot_runner.restart()
    await emulator.react(dave, ch3, "😢")
    repo = feedback_repo(bot)
    await eventually(lambda: _count(repo, story.id, 6))

    rows = await repo.reactions(story.id)
    assert {(r.user_id, r.emoji, r.active) for r in rows} == {
        (bob.id, "❤️", True),
        (bob.id, "😂", False),
        (dave.id, "❤️", True),
        (dave.id, "🔥", True),
        (carol.id, "🦄", True),
        (dave.id, "😢", True),
    }
    text = (await stats_reply(emulator, alice, story.id)).embeds[0]["description"]
    assert "❤️ 2" in chapter_line(text, 1) and "😂" not in chapter_line(text, 1)
    assert "🔥 1 other 1" in chapter_line(text, 2)
    assert "😢 1" in chapter_line(text, 3)
    assert "❤️" not in chapter_line(text, 3)  # the bot's own ❤️ under chapter 3
    assert "Reactions: ❤️ 2 😢 1 🔥 1 other 1" in text


async def _count(repo: Any, story_id: int, expected: int) -> bool:
    return len(await repo.reactions(story_id)) == expected


async def _removed(repo: Any, story_id: int, expected: int) -> bool:
    return sum(not r.active for r in await repo.reactions(story_id)) == expected


async def test_a_named_note_reaches_the_authors_dm_as_an_embed(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    post = published.last_pages[1]

    opened = await emulator.click(bob, post, button_id(post, "Feedback"))
    assert opened.modal is not None
    text = "A long note. " * 300  # 3,900 characters: more than a message holds
    sent = await emulator.submit_modal(bob, opened, {"note": text, "who": ["named"]})
    await sent.final()
    assert sent.last is not None and "with your name" in (sent.last.content or "")

    embeds = await emulator.wait_until(lambda: dm_embeds(emulator, alice), what="the note DM")
    assert embeds[0]["description"] == text.strip()
    assert embeds[0]["fields"][0]["value"] == f"<@{bob.id}>"
    [stored] = await feedback_repo(chapterbot).notes(published.story.id)
    assert stored.author_user_id == bob.id and stored.delivered_via == "dm"


async def test_an_anonymous_note_goes_to_the_feedback_channel_and_hides_its_sender(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    authors = emulator.create_channel("authors-room")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    story = published.story
    await emulator.wait_until(lambda: chapterbot.get_channel(authors.id), what="channel cache")
    emulator.set_dms_open(alice, False)
    set_channel = await emulator.slash(
        alice, "settings feedback-channel", story=str(story.id), channel=authors
    )
    await set_channel.final()
    assert "✅" in (set_channel.last.content or "")  # type: ignore[union-attr]

    post = published.last_pages[1]
    opened = await emulator.click(bob, post, button_id(post, "Feedback"))
    sent = await emulator.submit_modal(bob, opened, {"note": "Who am I?"})  # default: anonymous
    await sent.final()

    posted = await emulator.wait_for_message(authors, lambda m: bool(m.embeds))
    shown = str(posted.embeds) + (posted.content or "")
    assert "Who am I?" in shown and "anonymous" in shown
    assert str(bob.id) not in shown and "bob" not in shown.lower()
    assert dm_embeds(emulator, alice) == []
    [note] = await feedback_repo(chapterbot).notes(story.id)
    assert note.anonymous and note.author_user_id is None and note.delivered_via == "channel"
    row = await chapterbot.database.fetch_one("SELECT * FROM notes WHERE id = ?", (note.id,))
    assert row is not None and all(str(bob.id) not in str(value) for value in tuple(row))


async def test_closed_dms_and_no_channel_are_told_once_by_stats_then_delivered(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    story = published.story
    emulator.set_dms_open(alice, False)
    post = published.last_pages[1]
    opened = await emulator.click(bob, post, button_id(post, "Feedback"))
    await (await emulator.submit_modal(bob, opened, {"note": "Hello?"})).final()
    [note] = await feedback_repo(chapterbot).notes(story.id)
    assert note.pending

    first = await stats_reply(emulator, alice, story.id)
    assert "1 reader note is waiting" in (first.content or "")
    second = await stats_reply(emulator, alice, story.id)
    assert "waiting" not in (second.content or "")

    emulator.set_dms_open(alice, True)
    await stats_reply(emulator, alice, story.id)
    embeds = await emulator.wait_until(lambda: dm_embeds(emulator, alice), what="late DM")
    assert embeds[0]["description"] == "Hello?"
    [delivered] = await feedback_repo(chapterbot).notes(story.id)
    assert not delivered.pending and delivered.delivered_via == "dm"


async def test_feedback_on_an_unreleased_chapter_or_another_story_is_refused(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    view = discord.ui.View(timeout=None)
    crafted = [f"cb:fb:{published.story.id}:2", "cb:fb:999999:1"]
    for index, cid in enumerate(crafted):
        view.add_item(discord.ui.Button(label=f"forged {index}", custom_id=cid))
    channel = chapterbot.get_channel(emulator.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    forged = await channel.send("buttons", view=view)
    for cid in crafted:
        result = await emulator.click(bob, emulator.message(forged.id), cid)
        assert result.modal is None and result.ephemeral
        assert "not released" in (result.content or "") or "not available" in (result.content or "")
    assert await feedback_repo(chapterbot).notes(published.story.id) == []


async def test_reaction_set_is_validated_and_only_authors_change_it(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    story = str(published.story.id)

    refused = await emulator.slash(alice, "settings reactions", story=story, emojis="❤️ abc")
    assert refused.ephemeral and "not a single emoji" in (refused.content or "")
    foreign = await emulator.slash(
        alice, "settings reactions", story=story, emojis="<:blob:123456789012345678>"
    )
    assert "not an emoji of this server" in (foreign.content or "")
    not_author = await emulator.slash(bob, "settings reactions", story=story, emojis="🔥")
    assert "Only the authors" in (not_author.content or "")

    accepted = await emulator.slash(alice, "settings reactions", story=story, emojis="🔥 ❤️ 🔥")
    assert "🔥 ❤️" in (accepted.content or "")
    settings = await feedback_repo(chapterbot).settings(published.story.id)
    assert settings.reaction_set == ("🔥", "❤️")


async def test_a_feedback_channel_the_bot_cannot_post_in_is_refused(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    locked = emulator.create_channel("locked")
    emulator.set_overwrite(locked, emulator.bot_user, deny=P.SEND_MESSAGES)
    await emulator.wait_until(
        lambda: (c := chapterbot.get_channel(locked.id)) is not None and c.overwrites,
        what="the overwrite in the bot's cache",
    )
    refused = await emulator.slash(
        alice, "settings feedback-channel", story=str(published.story.id), channel=locked
    )
    assert refused.ephemeral and "Send Messages" in (refused.content or "")
    settings = await feedback_repo(chapterbot).settings(published.story.id)
    assert settings.feedback_channel_id is None


async def test_auto_react_in_an_archived_thread_adds_nothing_and_does_not_raise(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    channel = chapterbot.get_channel(emulator.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    header = await channel.send("header")
    thread = await header.create_thread(name="Ch. 1")
    page = await thread.send("the last page")
    emulator.world.channels[thread.id].archived = True
    assert await add_story_reactions(page, DEFAULT_REACTIONS) == 0
    assert emulator.message(page.id).reactions == {}
    open_page = await channel.send("another last page")
    assert await add_story_reactions(open_page, ("❤️", "<:gone:1234>")) == 1
