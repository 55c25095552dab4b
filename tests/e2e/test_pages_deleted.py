"""Posted pages deleted on Discord — end to end (issue 17's contract).

MESSAGE_DELETE and MESSAGE_DELETE_BULK (ids only, no content intent) are recorded on the
release; `/doctor` lists what is missing by chapter; `/story repost` (authors) posts the
chapter's missing pages again where it went, its thread included; readers' progress stays.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Message
from tests.e2e.publishing_helpers import (
    bot_posts,
    repo,
    stored_pages,
    upload_story,
    wait_releases_done,
)

pytestmark = pytest.mark.e2e

_PARAGRAPH = " ".join(f"Sentence {i} of a long and winding paragraph." for i in range(30))


def two_chapters(pages_in_second: int = 6) -> bytes:
    """Chapter 1 fits one page; chapter 2 takes several."""
    body = "\n\n".join(f"{n}. {_PARAGRAPH}" for n in range(pages_in_second * 2))
    return (
        "# Deleted Pages\n\n## Chapter 1: Short\n\nOne page only.\n\n"
        f"## Chapter 2: Long\n\n{body}\n"
    ).encode()


async def publish(emulator: DiscordEmulator, bot: ChapterBot, story_id: int) -> None:
    """`/publish` both chapters and wait for the reply."""
    alice = emulator.user("alice")
    reply = await emulator.slash(alice, "publish", story=str(story_id), chapters=2)
    await reply.final(timeout=30.0)
    await wait_releases_done(bot, story_id, timeout=30)


async def page_message(emulator: DiscordEmulator, bot: ChapterBot, story_id: int, chapter: int,
                       page: int) -> Message:  # fmt: skip
    """The emulator's message holding a stored page."""
    stored = (await stored_pages(bot, story_id))[chapter - 1][page - 1]
    assert stored.message_id is not None
    return emulator.message(stored.message_id)


async def progress_rows(bot: ChapterBot) -> list[tuple]:
    """Every reader's progress, as stored."""
    return [tuple(r) for r in await bot.database.fetch_all("SELECT * FROM progress")]


async def test_deleted_pages_are_listed_and_reposted_in_order(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, general = emulator.user("alice"), emulator.user("bob"), emulator.channel("general")
    data = two_chapters()
    story = await upload_story(emulator, chapterbot, alice, "pages.md", data, channel=general)
    await publish(emulator, chapterbot, story.id)
    pages = await stored_pages(chapterbot, story.id)
    assert len(pages[1]) >= 5
    async with chapterbot.database.transaction() as tx:
        await tx.execute(
            "INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
            " furthest_chapter, furthest_page, started_at, last_read_at)"
            " VALUES (:u, :s, :g, 2, 4, 2, 4, 1, 1)",
            {"u": bob.id, "s": story.id, "g": emulator.guild.id},
        )
    before = await progress_rows(chapterbot)

    p3 = await page_message(emulator, chapterbot, story.id, 2, 3)
    p5 = await page_message(emulator, chapterbot, story.id, 2, 5)
    c1 = await page_message(emulator, chapterbot, story.id, 1, 1)
    emulator.delete_messages([p3])
    emulator.delete_messages([p5, c1], bulk=True)
    doctor = await emulator.slash(alice, "doctor", story=str(story.id))
    for _ in range(50):  # the deletions arrive asynchronously
        if "chapter 2: pages 3, 5 missing" in (doctor.content or ""):
            break
        doctor = await emulator.slash(alice, "doctor", story=str(story.id))
    report = doctor.content or ""
    assert "chapter 2: pages 3, 5 missing" in report, report
    assert "chapter 1: page 1 missing" in report, report
    recorded = await chapterbot.database.fetch_value(
        "SELECT COUNT(*) FROM release_events WHERE outcome = 'page_deleted'"
    )
    assert recorded == 3

    refused = await emulator.slash(bob, "story repost", story=str(story.id), chapter=2)
    assert "Only the authors" in ((await refused.final()).content or "")
    posted_before = len(bot_posts(emulator, general))
    async with chapterbot.database.transaction() as tx:  # released long ago
        await tx.execute(
            "UPDATE chapters SET released_at = 1000 WHERE story_id = :s", {"s": story.id}
        )
    released_at = [c.released_at for c in await repo(chapterbot).chapters(story.id)]
    reply = await emulator.slash(alice, "story repost", story=str(story.id), chapter=2)
    assert "posted again" in ((await reply.final(timeout=20)).content or "")
    new = bot_posts(emulator, general)[posted_before:]
    assert [m.content for m in new] == [pages[1][2].content, pages[1][4].content]
    report = (await emulator.slash(alice, "doctor", story=str(story.id))).content or ""
    assert "chapter 2:" not in report and "chapter 1: page 1 missing" in report, report
    assert await progress_rows(chapterbot) == before  # readers' progress is unaffected
    # The first release date stays (catch-up and "new since" do not see a repost as new).
    assert [c.released_at for c in await repo(chapterbot).chapters(story.id)] == released_at
    assert released_at == [1000, 1000]
    nothing = await emulator.slash(alice, "story repost", story=str(story.id), chapter=2)
    assert "no deleted pages" in ((await nothing.final()).content or "")


async def test_repost_goes_into_the_chapters_thread(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "pages.md", two_chapters(3), channel=general, mode="thread"
    )
    await publish(emulator, chapterbot, story.id)
    lost = await page_message(emulator, chapterbot, story.id, 2, 2)
    thread_id = lost.channel_id
    assert thread_id != general.id
    emulator.delete_messages([lost])
    await emulator.wait_until(lambda: lost.deleted, timeout=1)
    for _ in range(100):
        missing = await chapterbot.database.fetch_value(
            "SELECT COUNT(*) FROM pages WHERE deleted_at IS NOT NULL"
        )
        if missing:
            break
        await asyncio.sleep(0.05)
    reply = await emulator.slash(alice, "story repost", story=str(story.id), chapter=2)
    assert "posted again" in ((await reply.final(timeout=20)).content or ""), reply.last
    again = (await stored_pages(chapterbot, story.id))[1][1]
    assert again.channel_id == thread_id and again.message_id != lost.id
    assert emulator.message(again.message_id).content == lost.content
