"""Readers end to end: /next, Next ▶, /read, the picker, restarts, progress, catch-up, DMs."""

from __future__ import annotations

import gc
import time
from typing import Any

import discord
import pytest

from bot.client import ChapterBot
from bot.publishing.schedules import ScheduleRepository
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.interactions import InteractionResult
from testkit.emulator.model import Message
from tests.e2e.conftest import BotRunner
from tests.e2e.publishing_helpers import wait_releases_done
from tests.e2e.release_helpers import (
    release_chapter,
    release_chapters,
    seed_bytes,
    store_story,
    tale_bytes,
)

# time_scale shrinks the channel rate-limit windows the posting helpers run into.
pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]


def custom_id(components: list[dict[str, Any]], label_part: str) -> str:
    """The custom_id of the (first) component whose label contains `label_part`."""
    for row in components:
        for item in row.get("components", []):
            if label_part in (item.get("label") or ""):
                return str(item["custom_id"])
    raise AssertionError(f"no component labelled {label_part!r} in {components}")


def chapter_posts(emu: DiscordEmulator, channel: Any) -> list[Message]:
    """Public messages carrying the chapter buttons (each chapter's last page), in order."""
    return [m for m in emu.messages(channel) if not m.ephemeral and m.components]


def footer(message: Message) -> str:
    """The reader's "Chapter x/y · page a/b" line."""
    return str(message.embeds[0]["footer"]["text"])


async def all_pages(bot: ChapterBot, story_id: int) -> list[str]:
    """Every stored page of a story, in reading order."""
    repo = StoryRepository(bot.database)
    return [
        page.content
        for chapter in await repo.chapters(story_id)
        for page in await repo.pages(chapter.id)
    ]


async def read_to_the_end(emu: DiscordEmulator, user: Any, first: InteractionResult) -> list[str]:
    """Follow Next ▶ from the first page until "caught up"; returns the pages' texts."""
    assert first.ephemeral
    texts = [first.content or ""]
    message = first.message
    assert message is not None
    for _ in range(200):
        result = await emu.click(user, message, custom_id(message.components, "Next"))
        assert result.type == 7  # the reader message is updated in place
        message = result.message
        assert message is not None
        if "caught up" in (message.content or ""):
            return texts
        texts.append(message.content or "")
    raise AssertionError("never caught up")


async def test_reader_reads_the_seed_with_next_in_order_and_readers_are_independent(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, dave = (emulator.user(n) for n in ("alice", "bob", "dave"))
    general = emulator.channel("general")
    story = await store_story(
        chapterbot,
        seed_bytes(),
        "kiss-of-blood.txt",
        guild_id=emulator.guild.id,
        owner_id=alice.id,
    )
    chapters = await StoryRepository(chapterbot.database).chapters(story.id)
    await release_chapters(chapterbot, story.id, [c.number for c in chapters], general.id)
    published = [m.content for m in emulator.messages(general) if not m.ephemeral]

    first = await emulator.slash(bob, "next", story=str(story.id), in_channel=general)
    assert first.message is not None and footer(first.message).startswith("Chapter 1/")
    assert first.message not in emulator.visible_messages(general, as_user=dave)
    texts = await read_to_the_end(emulator, bob, first)
    assert texts == await all_pages(chapterbot, story.id) == published

    # Dave starts at the beginning, whatever Bob did; Bob's /next (no story) is caught up.
    dave_first = await emulator.slash(dave, "next", story=str(story.id))
    assert dave_first.content == published[0]
    bob_again = await emulator.slash(bob, "next")
    assert "caught up" in (bob_again.content or "")
    dave_next = await emulator.slash(dave, "next")
    assert dave_next.content == published[1]


async def test_new_reader_without_story_gets_released_stories_to_pick(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    guild = emulator.guild.id
    out = await store_story(chapterbot, tale_bytes(2), "out.txt", guild_id=guild, owner_id=alice.id)
    await store_story(
        chapterbot, tale_bytes(2, title="Secret Draft"), "d.txt", guild_id=guild, owner_id=alice.id
    )
    await release_chapter(chapterbot, out.id, 1, general.id)

    picked = await emulator.slash(bob, "next")
    assert picked.ephemeral
    assert "The Test Tale" in (picked.content or "")
    assert "Secret Draft" not in (picked.content or "")
    opened = await emulator.click(bob, picked.message, custom_id(picked.components, "Test Tale"))
    assert opened.message is not None and footer(opened.message) == "Chapter 1/2 · page 1/1"


async def test_read_jumps_and_the_chapter_picker_pages_past_25(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await store_story(
        chapterbot, tale_bytes(30, 40), "long.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapters(chapterbot, story.id, range(1, 28), general.id)

    jumped = await emulator.slash(bob, "read", story="The Test Tale", chapter=12)
    assert jumped.ephemeral and jumped.message is not None
    assert footer(jumped.message) == "Chapter 12/30 · page 1/1"
    chapter_12 = await StoryRepository(chapterbot.database).chapter(story.id, 12)
    assert chapter_12 is not None
    stored = await StoryRepository(chapterbot.database).pages(chapter_12.id)
    assert jumped.content == stored[0].content

    picker = await emulator.click(bob, jumped.message, custom_id(jumped.components, "Chapters"))
    select = picker.components[0]["components"][0]
    assert [o["value"] for o in select["options"]] == [str(n) for n in range(1, 26)]
    later = await emulator.click(bob, picker.message, custom_id(picker.components, "Later"))
    select = later.components[0]["components"][0]
    # Only released chapters are offered: 26 and 27, never 28-30.
    assert [o["value"] for o in select["options"]] == ["26", "27"]
    assert all("28" not in o["label"] for o in select["options"])
    chosen = await emulator.click(bob, later.message, select["custom_id"], values=["27"])
    assert chosen.message is not None and footer(chosen.message) == "Chapter 27/30 · page 1/1"

    back = await emulator.click(bob, chosen.message, custom_id(chosen.components, "Back"))
    assert back.message is not None and footer(back.message) == "Chapter 26/30 · page 1/1"

    # `/read` without a chapter opens the same picker.
    listed = await emulator.slash(bob, "read", story=str(story.id))
    assert listed.ephemeral and "chapters 1–25 of 27 released" in (listed.content or "")


async def test_buttons_keep_working_after_a_restart(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    bot = bot_runner.bot
    assert bot is not None
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await store_story(
        bot, tale_bytes(3, 900), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapters(bot, story.id, [1, 2], general.id)
    pages = await all_pages(bot, story.id)
    first = await emulator.slash(bob, "next", story=str(story.id))
    assert first.content == pages[0]

    bot = await bot_runner.restart()

    after = await emulator.click(bob, first.message, custom_id(first.components, "Next"))
    assert after.type == 7 and after.content == pages[1]
    # The chapter post's persistent button, on a message posted before the restart.
    chapter_two_last = chapter_posts(emulator, general)[-1]
    opened = await emulator.click(
        bob, chapter_two_last, custom_id(chapter_two_last.components, "Read from here")
    )
    assert opened.type == 4 and opened.ephemeral
    assert opened.message is not None and footer(opened.message).startswith("Chapter 2/3 · page 1/")
    chapter_two = await StoryRepository(bot.database).chapter(story.id, 2)
    assert chapter_two is not None
    assert opened.content == (await StoryRepository(bot.database).pages(chapter_two.id))[0].content


async def test_mark_read_marks_the_chapter_and_moves_the_reader_on(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await store_story(
        chapterbot, tale_bytes(3, 900), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapters(chapterbot, story.id, [1, 2], general.id)
    repo = StoryRepository(chapterbot.database)
    chapter_one = await repo.chapter(story.id, 1)
    assert chapter_one is not None
    last_of_one = chapter_posts(emulator, general)[0]

    marked = await emulator.click(bob, last_of_one, custom_id(last_of_one.components, "Mark read"))
    assert marked.ephemeral and "Marked chapter 1" in (marked.content or "")
    assert await chapterbot.services.reading.progress.has_marked(bob.id, chapter_one.id)
    nxt = await emulator.slash(bob, "next")
    assert nxt.message is not None and footer(nxt.message).startswith("Chapter 2/3 · page 1/")


async def test_progress_and_catchup_after_a_new_release(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await store_story(
        chapterbot, tale_bytes(4, 40), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapter(chapterbot, story.id, 1, general.id, at=int(time.time()) - 100)
    await emulator.slash(bob, "next", story=str(story.id))
    next_run = int(time.time()) + 3600
    await ScheduleRepository(chapterbot.database).create(story.id, alice.id, next_run, "UTC")

    before = await emulator.slash(bob, "progress")
    assert before.ephemeral and "nothing new" in before.embeds[0]["description"]
    quiet = await emulator.slash(bob, "catchup", story=str(story.id))
    assert "Nothing new" in (quiet.content or "")

    await release_chapters(chapterbot, story.id, [2, 3], general.id)
    progress = await emulator.slash(bob, "progress")
    text = progress.embeds[0]["description"]
    assert "The Test Tale" in text and "chapter 1 of 3" in text
    assert "2 new" in text and f"<t:{next_run}:R>" in text
    assert "1/3 pages" in text

    catch = await emulator.slash(bob, "catchup", story=str(story.id))
    assert "Chapter 2" in (catch.content or "") and "Chapter 3" in (catch.content or "")
    assert "Chapter 4" not in (catch.content or "")
    jump = await emulator.click(bob, catch.message, custom_id(catch.components, "Ch. 3"))
    assert jump.message is not None and footer(jump.message) == "Chapter 3/4 · page 1/1"

    done = await emulator.slash(bob, "next")
    assert "caught up" in (done.content or "") and f"<t:{next_run}:R>" in (done.content or "")


async def test_forget_me_removes_only_that_members_rows(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, dave = (emulator.user(n) for n in ("alice", "bob", "dave"))
    general = emulator.channel("general")
    guild = emulator.guild.id
    story = await store_story(chapterbot, tale_bytes(2), "t.txt", guild_id=guild, owner_id=alice.id)
    await release_chapters(chapterbot, story.id, [1, 2], general.id)
    for user in (bob, dave):
        await emulator.slash(user, "next", story=str(story.id))
    last = chapter_posts(emulator, general)[-1]
    await emulator.click(bob, last, custom_id(last.components, "Mark read"))
    progress = chapterbot.services.reading.progress

    asked = await emulator.slash(bob, "forget-me")
    assert asked.ephemeral
    assert await progress.get(bob.id, story.id) is not None  # nothing deleted before confirming
    done = await emulator.click(bob, asked.message, custom_id(asked.components, "Delete"))
    assert "Deleted" in (done.content or "")
    assert await progress.get(bob.id, story.id) is None
    assert await progress.events_for(guild, bob.id) == 0
    assert await progress.get(dave.id, story.id) is not None
    assert await progress.events_for(guild, dave.id) == 1
    assert await StoryRepository(chapterbot.database).get(story.id) is not None


async def test_next_by_dm_and_closed_dms_get_instructions(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, dave = (emulator.user(n) for n in ("alice", "bob", "dave"))
    general = emulator.channel("general")
    story = await store_story(
        chapterbot, tale_bytes(2, 900), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapters(chapterbot, story.id, [1, 2], general.id)
    pages = await all_pages(chapterbot, story.id)

    sent = await emulator.slash(bob, "next", story=str(story.id), dm=True)
    assert sent.ephemeral and "DM" in (sent.content or "")
    dm = emulator.world.dm_channel(bob)
    page_one = emulator.messages(dm)[-1]
    assert page_one.content == pages[0]
    following = await emulator.click(bob, page_one, custom_id(page_one.components, "Next"))
    assert following.type == 7 and following.content == pages[1]

    emulator.set_dms_open(dave, False)
    refused = await emulator.slash(dave, "next", story=str(story.id), dm=True)
    assert refused.ephemeral and "Privacy Settings" in (refused.content or "")
    assert await chapterbot.services.reading.progress.get(dave.id, story.id) is None


async def test_reading_what_story_upload_and_publish_posted(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    """The real pipeline: `/story upload`, `/publish`, then `/next` and `📖 Read from here`."""
    alice, bob = emulator.user("alice"), emulator.user("bob")
    news = emulator.channel("news")
    uploaded = await emulator.slash(
        alice, "story upload", file=emulator.upload("kiss-of-blood.txt", seed_bytes())
    )
    await uploaded.final()
    [story] = await StoryRepository(chapterbot.database).list_for_guild(emulator.guild.id)
    published = await emulator.slash(alice, "publish", story=str(story.id), channel=news)
    await published.final(timeout=30)
    await emulator.wait_until(lambda: chapter_posts(emulator, news), what="the chapter buttons")
    # Discord shows a page a moment before the release records it posted (and readable).
    await wait_releases_done(chapterbot, story.id)
    posted = [m.content for m in emulator.messages(news) if not m.ephemeral and m.content]
    pages = await all_pages(chapterbot, story.id)
    assert posted[-len(pages) :] == pages  # publishing may post a header line first

    first = await emulator.slash(bob, "next", story=str(story.id), in_channel=news)
    assert await read_to_the_end(emulator, bob, first) == pages
    post = chapter_posts(emulator, news)[-1]
    opened = await emulator.click(bob, post, custom_id(post.components, "Read from here"))
    assert opened.ephemeral and opened.content == pages[0]


def live_views(bot: ChapterBot) -> tuple[int, int]:
    """(discord.ui.View objects alive in this process, entries in the bot's view store)."""
    gc.collect()
    alive = sum(isinstance(obj, discord.ui.View) for obj in gc.get_objects())
    store = bot._connection._view_store  # no public size; these are what it keeps per message
    return alive, len(store._views) + len(store._synced_message_views)


async def test_reader_replies_leave_no_view_behind_and_their_buttons_still_work(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await store_story(
        chapterbot, tale_bytes(3), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapters(chapterbot, story.id, [1, 2, 3], general.id)
    await emulator.slash(bob, "next", story=str(story.id), in_channel=general)
    for _ in range(2):  # warm up: first replies build caches the later ones reuse
        await emulator.slash(bob, "next", in_channel=general)
    before = live_views(chapterbot)
    replies = 20
    for _ in range(replies):
        last = await emulator.slash(bob, "next", in_channel=general)
        assert last.ephemeral and last.components
    after = live_views(chapterbot)
    # Before the fix every ephemeral reply's view stayed alive for 15 minutes (+20 here).
    assert after[0] - before[0] < replies // 4, (before, after)
    assert after[1] == before[1], (before, after)
    # The buttons of a reply whose view is gone still work: Back shows the page before.
    message = last.message
    assert message is not None
    shown = footer(message) if message.embeds else message.content
    back = await emulator.click(bob, message, custom_id(message.components, "Back"))
    assert back.type == 7 and back.message is not None
    assert back.message.embeds and footer(back.message) != shown


async def test_a_page_discord_refused_is_not_counted_as_read(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await store_story(
        chapterbot, tale_bytes(2, 900), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapters(chapterbot, story.id, [1, 2], general.id)
    pages = await all_pages(chapterbot, story.id)
    reading = chapterbot.services.reading

    # Discord refuses the answer carrying page 1 (as it does once an interaction expired): bob
    # never saw the page, so he has not read it.
    emulator.faults.fail(method="POST", path=r"/interactions/\d+/[^/]+/callback", status=404)
    await emulator.slash(bob, "next", story=str(story.id))
    await reading.flush()
    assert await reading.progress.get(bob.id, story.id) is None

    shown = await emulator.slash(bob, "next", story=str(story.id))
    assert shown.content == pages[0]
    await reading.flush()
    stored = await reading.progress.get(bob.id, story.id)
    assert stored is not None and (stored.chapter_number, stored.page_number) == (1, 1)
