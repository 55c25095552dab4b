"""A story's channel, forum or active thread deleted — end to end (issue 17's contract).

Its schedules pause, the owner gets one DM naming the story and the fix, `/doctor` says why,
nothing is sent to the dead channel afterwards, and `/schedule resume` after a new
`/settings channel` posts again.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import ChannelType
from tests.e2e.publishing_helpers import (
    THREE_CHAPTERS,
    bot_posts,
    repo,
    upload_story,
    wait_releases_done,
)

pytestmark = pytest.mark.e2e


def requests_to(emulator: DiscordEmulator, channel_id: int, after: int) -> list[str]:
    """Paths of REST requests about `channel_id` made after the first `after` requests."""
    return [f"{r.method} {r.path}" for r in emulator.requests[after:] if f"/{channel_id}" in r.path]


def dms(emulator: DiscordEmulator, user: object) -> list[str]:
    """The text of every DM the bot sent `user`."""
    return [m.content or "" for m in emulator.messages(emulator.world.dm_channel(user))]


async def paused(bot: ChapterBot, story_id: int) -> None:
    """Wait until the story is paused."""
    for _ in range(200):
        story = await repo(bot).get(story_id)
        if story is not None and story.paused:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the story was not paused")


async def test_deleted_channel_pauses_tells_the_owner_once_and_resume_works_elsewhere(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    doomed = emulator.create_channel("serial")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=doomed
    )
    added = await emulator.slash(
        alice, "schedule add", story=str(story.id), when="in 2 seconds", repeat="every hour"
    )
    assert "Schedule #" in (added.content or ""), added.content

    mark = len(emulator.requests)
    emulator.delete_channel(doomed)
    await paused(chapterbot, story.id)
    emulator.delete_channel(doomed)  # a repeated event changes nothing
    await emulator.wait_until(lambda: len(dms(emulator, alice)) >= 1, timeout=10)
    await asyncio.sleep(3)  # past the schedule's first run
    assert requests_to(emulator, doomed.id, mark) == []  # nothing sent to the dead channel
    (dm,) = dms(emulator, alice)
    assert "Three Small Chapters" in dm and "/settings channel" in dm
    assert not [j for j in chapterbot.scheduler.get_jobs() if j.id.startswith("schedule:")]

    doctor = await emulator.slash(alice, "doctor", story=str(story.id))
    report = doctor.content or ""
    assert "no longer exists" in report and "paused" in report, report

    general = emulator.channel("general")
    moved = await emulator.slash(alice, "settings channel", story=str(story.id), channel=general)
    assert moved.ephemeral, moved.content
    resumed = await emulator.slash(alice, "schedule resume", story=str(story.id))
    assert resumed.ephemeral
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= 1, timeout=10)
    await wait_releases_done(chapterbot, story.id)
    assert "The first chapter" in (bot_posts(emulator, general)[0].content or "")
    assert dms(emulator, alice) == [dm]  # still one DM


async def test_deleted_active_thread_pauses_a_thread_per_chapter_story(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general, mode="thread"
    )
    # A release caught mid-chapter: its thread exists, its pages are not all out.
    thread = emulator.world.add_thread(general, "Chapter 1", emulator.bot_user.id, 11)
    (chapter, *_) = await repo(chapterbot).chapters(story.id)
    async with chapterbot.database.transaction() as tx:
        await tx.execute(
            "INSERT INTO releases (story_id, chapter_id, due_at, channel_id, channel_mode,"
            " thread_id, status) VALUES (:s, :c, 1, :ch, 'thread', :t, 'pending')",
            {"s": story.id, "c": chapter.id, "ch": general.id, "t": thread.id},
        )
    other = emulator.world.add_thread(general, "unrelated", alice.id, 11)
    emulator.delete_channel(other)  # a thread no story posts into: nothing happens
    await asyncio.sleep(0.3)
    assert not (await repo(chapterbot).get(story.id)).paused  # type: ignore[union-attr]

    emulator.delete_channel(thread)
    assert thread.type == ChannelType.PUBLIC_THREAD
    await paused(chapterbot, story.id)
    await emulator.wait_until(lambda: len(dms(emulator, alice)) == 1, timeout=10)
    status = await chapterbot.database.fetch_value(
        "SELECT status FROM releases WHERE thread_id = :t", {"t": thread.id}
    )
    assert status == "failed"
