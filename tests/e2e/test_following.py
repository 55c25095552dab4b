"""Following end to end: /follow, 🔔, one DM per follower per release run, reading in DMs,
closed DMs marked and skipped, and no DM for a follower who can't see the channel."""

from __future__ import annotations

import re

import pytest

from bot.client import ChapterBot
from bot.following.repository import FollowRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.permissions import P
from tests.e2e.feedback_helpers import THREE_CHAPTERS, eventually, last_pages, stats_reply
from tests.e2e.following_helpers import button_id, dms_to
from tests.e2e.publishing_helpers import finished, repo, upload_story

pytestmark = pytest.mark.e2e


async def test_follow_unfollow_following_and_the_bell_button(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=emulator.channel("general")
    )
    followed = await emulator.slash(bob, "follow", story=str(story.id))
    assert followed.ephemeral and "You follow" in (followed.content or "")
    listing = await emulator.slash(bob, "following")
    assert listing.ephemeral and "Three Small Chapters" in (listing.content or "")
    gone = await emulator.slash(bob, "unfollow", story=str(story.id))
    assert "no longer follow" in (gone.content or "")
    empty = await emulator.slash(bob, "following")
    assert "don't follow any story" in (empty.content or "")

    published = await emulator.slash(alice, "publish", story=str(story.id), chapters=1)
    assert "✅" in await finished(published)
    post = (await last_pages(emulator, chapterbot, story.id))[1]
    bell = button_id(post, "Follow")
    clicked = await emulator.click(bob, post, bell)
    assert clicked.ephemeral and "You follow" in (clicked.content or "")
    assert clicked.message is not None and button_id(clicked.message, "Unfollow") == bell
    again = await emulator.click(bob, post, bell)
    assert "no longer follow" in (again.content or "")
    assert await FollowRepository(chapterbot.database).get(bob.id, story.id) is None


async def test_a_release_run_dms_each_visible_follower_once_and_reads_in_dms(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, carol, dave = (emulator.user(n) for n in ("alice", "bob", "carol", "dave"))
    general = emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    for reader in (bob, carol, dave):
        followed = await emulator.slash(reader, "follow", story=str(story.id))
        assert "You follow" in (followed.content or "")
    # carol loses access to the channel after following; dave closes his DMs.
    emulator.set_overwrite(general, carol, deny=int(P.VIEW_CHANNEL))
    await emulator.wait_until(
        lambda: general_hidden(chapterbot, general.id, carol.id), what="the overwrite"
    )
    dave.dms_open = False

    published = await emulator.slash(alice, "publish", story=str(story.id), chapters=2)
    assert "✅" in await finished(published)
    await emulator.wait_until(lambda: len(dms_to(emulator, bob)) >= 1, timeout=10.0, what="DM")
    follows = FollowRepository(chapterbot.database)

    async def dave_marked() -> bool:
        follow = await follows.get(dave.id, story.id)
        return follow is not None and not follow.deliverable

    await eventually(dave_marked, timeout=20.0)
    [dm] = dms_to(emulator, bob)
    assert "Dawn" in dm.content and "Noon" in dm.content and "Dusk" not in dm.content
    chapter1 = (await repo(chapterbot).pages((await repo(chapterbot).chapters(story.id))[0].id))[0]
    links = re.findall(r"https://discord\.com/channels/(\d+)/(\d+)/(\d+)", dm.content)
    assert len(links) == 2  # one per chapter of the run
    guild_id, channel_id, message_id = (int(part) for part in links[0])
    assert (guild_id, channel_id, message_id) == (
        emulator.guild.id,
        general.id,
        chapter1.message_id,
    )
    assert emulator.message(message_id).channel_id == general.id  # the link resolves
    assert dms_to(emulator, carol) == [] and dms_to(emulator, dave) == []
    listing = await emulator.slash(dave, "following")
    assert "DMs closed — open your DMs and use /follow again" in (listing.content or "")

    # Read ▶ in the DM serves chapter 1's first page there; Next ▶ goes on, same progress.
    opened = await emulator.click(bob, dm, button_id(dm, "Read"))
    assert opened.message is not None and "Chapter 1" in str(opened.message.embeds[0])
    after = await emulator.click(bob, opened.message, button_id(opened.message, "Next"))
    assert after.message is not None and "Chapter 2" in str(after.message.embeds[0])

    # The next release: bob gets a second DM, dave (still closed) is skipped, not retried.
    third = await emulator.slash(alice, "publish", story=str(story.id))
    assert "✅" in await finished(third)
    await emulator.wait_until(lambda: len(dms_to(emulator, bob)) == 2, timeout=10.0, what="DM 2")
    assert "Dusk" in dms_to(emulator, bob)[1].content
    rows = await chapterbot.database.fetch_all(
        "SELECT user_id FROM follow_deliveries WHERE user_id = :dave", {"dave": dave.id}
    )
    assert len(rows) == 1  # only the first release's delivery
    stats = (await stats_reply(emulator, alice, story.id)).embeds[0]["description"]
    assert "followers: 3 (1 DMs closed)" in stats


async def test_dms_off_and_follow_dm_off_send_nothing(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, carol = (emulator.user(n) for n in ("alice", "bob", "carol"))
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=emulator.channel("general")
    )
    for reader in (bob, carol):
        await emulator.slash(reader, "follow", story=str(story.id))
    off = await emulator.slash(bob, "dms", state="off")
    assert off.ephemeral and "No more DMs" in (off.content or "")
    refused = await emulator.slash(bob, "settings follow-dm", story=str(story.id), on="off")
    assert "Only the authors" in (refused.content or "")

    first = await emulator.slash(alice, "publish", story=str(story.id), chapters=1)
    assert "✅" in await finished(first)
    await emulator.wait_until(lambda: len(dms_to(emulator, carol)) == 1, timeout=10.0, what="DM")
    assert dms_to(emulator, bob) == []

    turned = await emulator.slash(alice, "settings follow-dm", story=str(story.id), on="off")
    assert "no release DMs" in (turned.content or "")
    await emulator.slash(bob, "dms", state="on")
    second = await emulator.slash(alice, "publish", story=str(story.id), chapters=1)
    assert "✅" in await finished(second)
    outbox = chapterbot.services.outbox

    async def subscribers_ran() -> bool:
        return await outbox.pending() == 0

    await eventually(subscribers_ran, timeout=10.0)  # the release's DM planner has run
    assert len(dms_to(emulator, carol)) == 1 and dms_to(emulator, bob) == []
    assert await chapterbot.services.following.repo.pending_count() == 0


def general_hidden(bot: ChapterBot, channel_id: int, user_id: int) -> bool:
    """Whether the bot's cache already has the overwrite hiding the channel from the user."""
    import discord

    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel.overwrites_for(discord.Object(id=user_id)).view_channel is False
