"""Readers never see what they must not: unreleased pages, hidden channels, age restrictions.

Every path is tried: commands, autocomplete, the picker, and buttons with hand-made
custom_ids (posted by the bot on a message, since Discord only lets users click components
that exist on a message).
"""

from __future__ import annotations

import discord
import pytest

from bot.client import ChapterBot
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.permissions import P
from tests.e2e.publishing_helpers import wait_releases_done
from tests.e2e.release_helpers import release_chapter, store_story, tale_bytes
from tests.e2e.test_reader import custom_id, footer

# time_scale shrinks the channel rate-limit windows the posting helpers run into.
pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]


async def forged_buttons(bot: ChapterBot, channel_id: int, *custom_ids: str) -> discord.Message:
    """A message carrying buttons with arbitrary custom_ids (what a forger would click)."""
    view = discord.ui.View(timeout=None)
    for index, cid in enumerate(custom_ids):
        view.add_item(discord.ui.Button(label=f"forged {index}", custom_id=cid))
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return await channel.send("buttons", view=view)


def texts_seen(emu: DiscordEmulator, user: object) -> set[str]:
    """Every private text a user was shown: message contents and embed descriptions."""
    parts = []
    for channel_id in list(emu.world.channel_messages):
        for message in emu.visible_messages(channel_id, as_user=user):  # type: ignore[arg-type]
            public = message.visible_to is None and message.guild_id is not None
            if message.author_id == emu.bot_user.id and public:
                continue  # public posts are what was released; we check answers and DMs
            parts.append(message.content or "")
            parts.extend(str(e.get("description", "")) for e in message.embeds)
    return set(parts)


async def test_unreleased_chapters_are_unreachable_by_every_path(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    guild = emulator.guild.id
    story = await store_story(
        chapterbot, tale_bytes(3, 900), "t.txt", guild_id=guild, owner_id=alice.id
    )
    draft = await store_story(
        chapterbot, tale_bytes(2, title="Secret Draft"), "d.txt", guild_id=guild, owner_id=alice.id
    )
    await release_chapter(chapterbot, story.id, 1, general.id)
    await release_chapter(chapterbot, story.id, 2, general.id, pages=1)  # still posting

    # Commands.
    three = await emulator.slash(bob, "read", story=str(story.id), chapter=3)
    assert three.ephemeral and "not available" in (three.content or "")
    two_two = await emulator.slash(bob, "read", story=str(story.id), chapter=2, page=2)
    assert "not available" in (two_two.content or "")
    two_one = await emulator.slash(bob, "read", story=str(story.id), chapter=2)
    assert two_one.message is not None and footer(two_one.message).startswith(
        "Chapter 2/3 · page 1/"
    )
    after = await emulator.click(bob, two_one.message, custom_id(two_one.components, "Next"))
    assert "caught up" in (after.content or "")
    for typed in (str(draft.id), "Secret Draft"):
        refused = await emulator.slash(bob, "next", story=typed)
        assert refused.ephemeral and "no story" in (refused.content or "")

    # Autocomplete lists released stories only, for every reader command.
    for command in ("next", "read", "catchup"):
        choices = await emulator.autocomplete(bob, command, focused="story", story="")
        assert [c["value"] for c in choices] == [str(story.id)]
    assert await emulator.autocomplete(bob, "next", focused="story", story="secret") == []

    # The picker offers released chapters only, and no unreleased title.
    picker = await emulator.click(bob, after.message, custom_id(after.components, "Chapters"))
    options = picker.components[0]["components"][0]["options"]
    assert [o["value"] for o in options] == ["1", "2"]
    assert "Title 3" not in str(picker.components)

    # Hand-made custom_ids: every handler re-checks the database.
    crafted = [
        f"cb:read:{story.id}:3",
        f"cb:mark:{story.id}:3",
        f"cb:read:{draft.id}:1",
        f"cb:chapters:{draft.id}:0",
        "cb:read:999999999:1",
    ]
    forged = await forged_buttons(chapterbot, general.id, *crafted)
    for cid in crafted:
        result = await emulator.click(bob, emulator.message(forged.id), cid)
        assert result.ephemeral, cid
        assert "not available" in (result.content or "") or "no story" in (result.content or "")
    # Forged navigation past the release edge only ever lands on released pages.
    edge = [f"cb:next:{story.id}:2:1", f"cb:back:{story.id}:3:2", f"cb:next:{story.id}:3:0"]
    edge_msg = await forged_buttons(chapterbot, general.id, *edge)
    nxt = await emulator.click(bob, emulator.message(edge_msg.id), edge[0])
    assert "caught up" in (nxt.content or "")
    for cid in edge[1:]:
        landed = await emulator.click(bob, emulator.message(edge_msg.id), cid)
        assert landed.message is not None, cid
        if landed.message.embeds:
            assert footer(landed.message).startswith("Chapter 2/3 · page 1/"), cid
        else:
            assert "caught up" in (landed.content or ""), cid
    # A forged select value is refused too.
    sel = picker.components[0]["components"][0]["custom_id"]
    bad = await emulator.click(bob, picker.message, sel, values=["3"])
    assert "not available" in (bad.content or "")

    # Nothing of chapter 3 (nor the unposted pages of chapter 2) ever reached bob.
    repo = StoryRepository(chapterbot.database)
    seen = texts_seen(emulator, bob)
    assert two_one.content in seen  # the check below can see what bob was shown
    for number, first_hidden in ((2, 1), (3, 0)):
        chapter = await repo.chapter(story.id, number)
        assert chapter is not None
        for page in (await repo.pages(chapter.id))[first_hidden:]:
            assert page.content not in seen
    progress = await chapterbot.services.reading.progress.get(bob.id, story.id)
    assert progress is not None and progress.furthest_chapter == 2 and progress.furthest_page == 1


async def test_stories_in_channels_the_reader_cannot_see_are_refused(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    secret = emulator.create_channel("secret")
    emulator.set_overwrite(secret, bob, deny=int(P.VIEW_CHANNEL))
    await emulator.wait_until(lambda: chapterbot.get_channel(secret.id) is not None)
    story = await store_story(
        chapterbot, tale_bytes(1), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapter(chapterbot, story.id, 1, secret.id)

    assert await emulator.autocomplete(bob, "next", focused="story", story="") == []
    refused = await emulator.slash(bob, "next", story=str(story.id))
    assert refused.ephemeral and "no story" in (refused.content or "")
    forged = await forged_buttons(
        chapterbot, emulator.channel("general").id, f"cb:read:{story.id}:1"
    )
    clicked = await emulator.click(bob, emulator.message(forged.id), f"cb:read:{story.id}:1")
    assert "no story" in (clicked.content or "")
    assert await chapterbot.services.reading.progress.get(bob.id, story.id) is None

    allowed = await emulator.slash(alice, "next", story=str(story.id))
    assert allowed.message is not None and footer(allowed.message) == "Chapter 1/1 · page 1/1"


async def test_mature_stories_only_from_age_restricted_channels_then_by_dm(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general, mature = emulator.channel("general"), emulator.channel("mature")
    story = await store_story(
        chapterbot,
        tale_bytes(2, 900),
        "t.txt",
        guild_id=emulator.guild.id,
        owner_id=alice.id,
        rating="Mature",
    )
    await release_chapter(chapterbot, story.id, 1, mature.id)
    await release_chapter(chapterbot, story.id, 2, mature.id)

    from_general = await emulator.slash(bob, "next", story=str(story.id), in_channel=general)
    assert from_general.ephemeral and "age-restricted" in (from_general.content or "")
    assert await emulator.autocomplete(bob, "next", focused="story", in_channel=general) == []
    listed = await emulator.autocomplete(bob, "next", focused="story", in_channel=mature)
    assert [c["value"] for c in listed] == [str(story.id)]

    by_dm = await emulator.slash(bob, "next", story=str(story.id), dm=True, in_channel=mature)
    assert "DM" in (by_dm.content or "")
    dm_page = emulator.messages(emulator.world.dm_channel(bob))[-1]
    onward = await emulator.click(bob, dm_page, custom_id(dm_page.components, "Next"))
    assert onward.type == 7 and onward.message is not None
    assert footer(onward.message).startswith("Chapter 1/2 · page 2/")


async def test_other_guilds_stories_and_other_members_confirmations_are_refused(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, dave = (emulator.user(n) for n in ("alice", "bob", "dave"))
    general = emulator.channel("general")
    elsewhere = await store_story(
        chapterbot, tale_bytes(1), "t.txt", guild_id=42, owner_id=alice.id
    )
    repo = StoryRepository(chapterbot.database)
    chapter = await repo.chapter(elsewhere.id, 1)
    assert chapter is not None
    for page in await repo.pages(chapter.id):  # "posted" in another server
        await repo.mark_page_posted(page.id, 4242, 424242 + page.id, 1)

    forged = await forged_buttons(
        chapterbot, general.id, f"cb:read:{elsewhere.id}:1", f"cb:forget:yes:{bob.id}"
    )
    message = emulator.message(forged.id)
    other = await emulator.click(dave, message, f"cb:read:{elsewhere.id}:1")
    assert "no story" in (other.content or "")
    not_yours = await emulator.click(dave, message, f"cb:forget:yes:{bob.id}")
    assert "not yours" in (not_yours.content or "")


@pytest.mark.emulator(ack_deadline_s=1.0)
async def test_a_custom_id_not_on_the_message_gets_nothing(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    from testkit.emulator.interactions import new_record

    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await store_story(
        chapterbot, tale_bytes(2), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapter(chapterbot, story.id, 1, general.id)
    post = [m for m in emulator.messages(general) if m.components][-1]
    # Discord itself refuses such clicks; sent anyway, the bot must not answer with a page.
    data = {"custom_id": f"cb:read:{story.id}:2", "component_type": 2}
    record = new_record(emulator, 3, bob, general, data, source_message_id=post.id)
    with pytest.raises(AssertionError, match="did not acknowledge"):
        await emulator._run(record, post)
    assert record.callback_body is None and not record.followup_ids


async def test_forum_threads_count_as_their_parent_channel(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, dave = (emulator.user(n) for n in ("alice", "bob", "dave"))
    forum = emulator.channel("stories")
    await store_story(
        chapterbot, tale_bytes(1), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    [story] = await StoryRepository(chapterbot.database).list_for_guild(emulator.guild.id)
    published = await emulator.slash(alice, "publish", story=str(story.id), channel=forum)
    await published.final(timeout=30)
    await wait_releases_done(chapterbot, story.id)  # the first edit is only a progress line
    chapter = await StoryRepository(chapterbot.database).chapter(story.id, 1)
    assert chapter is not None
    [page] = await StoryRepository(chapterbot.database).pages(chapter.id)
    assert page.channel_id is not None and page.channel_id != forum.id  # posted in a thread

    read = await emulator.slash(bob, "next", story=str(story.id))
    assert read.content == page.content
    emulator.set_overwrite(forum, dave, deny=int(P.VIEW_CHANNEL))
    await emulator.wait_until(
        lambda: not forum_visible(chapterbot, forum.id, dave.id), what="the overwrite"
    )
    refused = await emulator.slash(dave, "next", story=str(story.id))
    assert "no story" in (refused.content or "")


def forum_visible(bot: ChapterBot, channel_id: int, user_id: int) -> bool:
    """Whether the bot's cache already shows `user_id` may view the channel."""
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.ForumChannel)
    overwrite = channel.overwrites_for(discord.Object(id=user_id))
    return overwrite.view_channel is not False
