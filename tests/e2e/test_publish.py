"""`/publish` end to end: pages exactly as previewed, once, in every mode, safely and by authors."""

from __future__ import annotations

import asyncio

import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import FLAG_CROSSPOSTED
from testkit.emulator.permissions import P
from tests.e2e.publishing_helpers import (
    THREE_CHAPTERS,
    bot_posts,
    corpus_file,
    expected_pages,
    finished,
    page_text,
    releases,
    repo,
    stored_pages,
    upload_story,
)

pytestmark = pytest.mark.e2e


def overwritten(bot: ChapterBot, channel_id: int, target_id: int) -> bool:
    """Whether the bot's cache has seen an overwrite for `target_id` on a channel."""
    channel = bot.get_channel(channel_id)
    return channel is not None and any(t.id == target_id for t in channel.overwrites)


SEED = "kiss-of-blood.txt"


async def test_publish_posts_the_seed_exactly_as_previewed(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    data = corpus_file(SEED)
    general = emulator.channel("general")
    alice = emulator.user("alice")
    story = await upload_story(emulator, chapterbot, alice, SEED, data, channel=general)

    result = await emulator.slash(alice, "publish", story=str(story.id))
    summary = await finished(result)

    assert "✅" in summary and result.ephemeral
    posted = bot_posts(emulator, general)
    expected = expected_pages(data, SEED)[0]
    assert [page_text(m) for m in posted] == expected
    pages = (await stored_pages(chapterbot, story.id))[0]
    assert [p.message_id for p in pages] == [m.id for m in posted]
    assert all(p.channel_id == general.id for p in pages)
    assert (await repo(chapterbot).chapters(story.id))[0].released
    assert all(not emulator.pings(m) for m in posted)
    again = await emulator.slash(alice, "publish", story=str(story.id))
    assert "nothing left to release" in (again.content or "") and again.ephemeral
    assert len(bot_posts(emulator, general)) == len(expected)


async def test_publish_without_a_channel_says_how_to_set_one(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    story = await upload_story(emulator, chapterbot, alice, "three.md", THREE_CHAPTERS)
    result = await emulator.slash(alice, "publish", story=str(story.id))
    assert result.ephemeral
    assert "/settings channel" in (result.content or "")
    assert bot_posts(emulator, emulator.channel("general")) == []


async def test_publish_channel_override_and_chapter_count(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    general, news = emulator.channel("general"), emulator.channel("news")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    result = await emulator.slash(alice, "publish", story=str(story.id), chapters=2, channel=news)
    summary = await finished(result)
    assert summary.count("✅") == 2
    expected = expected_pages(THREE_CHAPTERS, "three.md")
    posted = bot_posts(emulator, news)
    assert [page_text(m) for m in posted] == expected[0] + expected[1]
    assert bot_posts(emulator, general) == []
    # An announcement channel: each chapter's first message is crossposted (in the background,
    # so posting never waits for it), and logged.
    await emulator.wait_until(lambda: all(m.flags & FLAG_CROSSPOSTED for m in posted) or None)
    crossposted: list[int] = []
    for _ in range(100):
        history = await releases(chapterbot).history(story.id)
        crossposted = sorted(e.chapter_number for e in history if e.outcome == "crossposted")
        if len(crossposted) == 2:
            break
        await asyncio.sleep(0.05)
    assert crossposted == [1, 2]
    stored = await repo(chapterbot).get(story.id)
    assert stored is not None and stored.channel_id == general.id  # this release only


async def test_moby_dick_imports_and_publishes_one_chapter(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    data = corpus_file("moby-dick.epub")
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, chapterbot, alice, "moby-dick.epub", data, channel=general)
    result = await emulator.slash(alice, "publish", story=str(story.id))
    assert "✅" in await finished(result)
    first = (await stored_pages(chapterbot, story.id))[0]
    assert [page_text(m) for m in bot_posts(emulator, general)] == [p.content for p in first]
    assert first[0].content == expected_pages(data, "moby-dick.epub")[0][0]


async def test_story_text_pings_nobody_and_only_the_notify_role_is_pinged(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, general = emulator.user("alice"), emulator.user("bob"), emulator.channel("general")
    role = emulator.create_role("Readers", mentionable=True)
    mod = emulator.role("Mod")
    text = (
        f"# Loud\n\n## Chapter 1\n\nHey @everyone and @here, look: <@&{mod.id}> and <@{bob.id}>!\n"
    ).encode()
    story = await upload_story(
        emulator, chapterbot, alice, "loud.md", text, channel=general, notify_role_id=role.id
    )
    result = await emulator.slash(alice, "publish", story=str(story.id))
    assert "✅" in await finished(result)
    header, *pages = bot_posts(emulator, general)
    assert pages and "everyone" in page_text(pages[0]) and str(bob.id) in page_text(pages[0])
    for message in pages:
        pings = emulator.pings(message)
        assert not pings, f"story text pinged {pings}"
    header_pings = emulator.pings(header)
    assert header_pings and role.id in header_pings.roles
    assert mod.id not in header_pings.roles and not header_pings.users


async def test_only_authors_and_managers_may_publish(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, carol = emulator.user("alice"), emulator.user("bob"), emulator.user("carol")
    general = emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    refused = await emulator.slash(bob, "publish", story=str(story.id))
    assert refused.ephemeral and "Only the authors" in (refused.content or "")
    assert bot_posts(emulator, general) == []
    allowed = await emulator.slash(carol, "publish", story=str(story.id))
    assert "✅" in await finished(allowed)
    assert len(bot_posts(emulator, general)) == 1


async def test_member_who_cannot_post_in_the_target_is_refused(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    emulator.set_overwrite(general, alice, deny=P.SEND_MESSAGES)
    await emulator.wait_until(lambda: overwritten(chapterbot, general.id, alice.id))
    result = await emulator.slash(alice, "publish", story=str(story.id))
    assert result.ephemeral and "can't post" in (result.content or "")
    assert bot_posts(emulator, general) == []


async def test_mature_story_needs_an_age_restricted_channel(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    general, mature = emulator.channel("general"), emulator.channel("mature")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general, rating="Mature"
    )
    refused = await emulator.slash(alice, "publish", story=str(story.id))
    assert refused.ephemeral and "age-restricted" in (refused.content or "")
    assert bot_posts(emulator, general) == []
    allowed = await emulator.slash(alice, "publish", story=str(story.id), channel=mature)
    assert "✅" in await finished(allowed)
    assert len(bot_posts(emulator, mature)) == 1


async def test_thread_mode_posts_a_header_and_the_pages_in_a_thread(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    data = corpus_file(SEED)
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, SEED, data, channel=general, mode="thread"
    )
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    (header,) = bot_posts(emulator, general)
    assert header.thread_id is not None
    thread = emulator.channel(header.thread_id)
    assert thread.name.startswith("Ch. 1 — ")
    assert [page_text(m) for m in bot_posts(emulator, thread)] == expected_pages(data, SEED)[0]


async def test_forum_mode_makes_one_tagged_post_per_chapter(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    forum = emulator.create_channel("serials", 15, require_tag=True, tags=("complete", "ongoing"))
    await emulator.wait_until(lambda: chapterbot.get_channel(forum.id) is not None)
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=forum, mode="forum"
    )
    result = await emulator.slash(alice, "publish", story=str(story.id), chapters=3)
    assert (await finished(result)).count("✅") == 3
    posts = sorted(
        (c for c in emulator.world.channels.values() if c.parent_id == forum.id),
        key=lambda c: c.id,
    )
    chapters = await repo(chapterbot).chapters(story.id)
    assert [p.name for p in posts] == [f"Ch. {c.number} — {c.title}" for c in chapters]
    ongoing = next(int(t["id"]) for t in forum.available_tags if t["name"] == "ongoing")
    assert all(p.applied_tags == [ongoing] for p in posts)
    expected = expected_pages(THREE_CHAPTERS, "three.md")
    assert [[page_text(m) for m in bot_posts(emulator, p)] for p in posts] == expected
