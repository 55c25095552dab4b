"""Thread and forum modes end to end: scheduled releases, restarts mid-chapter, the notify-role
announcement in forum posts, and crossposts that Discord rate-limits."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.client import ChapterBot
from bot.publishing.crosspost import RATE_LIMITED
from bot.stories.records import PageRecord
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import FLAG_CROSSPOSTED, Channel, Message
from tests.e2e.conftest import BotRunner
from tests.e2e.publishing_helpers import (
    THREE_CHAPTERS,
    bot_posts,
    corpus_file,
    expected_pages,
    finished,
    leave_crashed_release,
    long_chapter,
    page_text,
    releases,
    repo,
    stored_pages,
    upload_story,
    wait_releases_done,
)

pytestmark = pytest.mark.e2e

SEED = "kiss-of-blood.txt"
CROSSPOSTS = r"/channels/\d+/messages/\d+/crosspost"


def expected_name(number: int, title: str) -> str:
    """`Ch. N — Title`, cut to Discord's 100 characters."""
    label = f"Ch. {number} — {title}"
    return label if len(label) <= 100 else label[:99] + "…"


def children(emu: DiscordEmulator, parent: Channel) -> list[Channel]:
    """Threads (or forum posts) under `parent`, oldest first."""
    found = [c for c in emu.world.channels.values() if c.parent_id == parent.id]
    return sorted(found, key=lambda c: c.id)


async def set_channel(emu: DiscordEmulator, story_id: int, channel: Channel, mode: str) -> None:
    """Point a story at a channel through `/settings channel`, as an author would."""
    reply = await emu.slash(
        emu.user("alice"), "settings channel", story=str(story_id), channel=channel, mode=mode
    )
    assert "✅" in (reply.content or ""), reply.content


async def all_stored(runner: BotRunner, story_id: int, timeout: float = 20.0) -> list[PageRecord]:
    """Wait until every page of the story's first chapter has a stored message id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if runner.bot is not None and runner.bot.db is not None:
            (pages,) = await stored_pages(runner.bot, story_id)
            if all(p.posted for p in pages):
                return pages
        await asyncio.sleep(0.05)
    raise AssertionError("the chapter was not fully posted")


def assert_exactly(posted: list[Message], pages: list[PageRecord]) -> None:
    """The posted messages are the stored pages, once each, in order, with the stored ids."""
    assert [page_text(m) for m in posted] == [p.content for p in pages]
    assert [m.id for m in posted] == [p.message_id for p in pages]


# -- a schedule in thread and forum mode ---------------------------------------------------------


@pytest.mark.parametrize("mode", ["thread", "forum"])
async def test_scheduled_seed_is_posted_once_in_a_thread_or_forum_post(
    emulator: DiscordEmulator, chapterbot: ChapterBot, mode: str
) -> None:
    data = corpus_file(SEED)
    alice = emulator.user("alice")
    parent = emulator.channel("general" if mode == "thread" else "stories")
    story = await upload_story(emulator, chapterbot, alice, SEED, data)
    await set_channel(emulator, story.id, parent, mode)

    reply = await emulator.slash(alice, "schedule add", story=str(story.id), when="in 2 seconds")
    assert "Schedule #" in (reply.content or ""), reply.content
    assert children(emulator, parent) == []  # nothing before its time
    await wait_releases_done(chapterbot, story.id, timeout=15)

    (post,) = children(emulator, parent)
    (chapter,) = await repo(chapterbot).chapters(story.id)
    assert post.name == expected_name(chapter.number, chapter.title or "")
    (pages,) = await stored_pages(chapterbot, story.id)
    assert [p.content for p in pages] == expected_pages(data, SEED)[0]  # what preview prints
    assert_exactly(bot_posts(emulator, post), pages)
    if mode == "thread":
        (header,) = bot_posts(emulator, parent)
        assert header.thread_id == post.id
    else:
        assert bot_posts(emulator, parent) == []  # a forum holds posts, not messages
    assert all(not emulator.pings(m) for m in bot_posts(emulator, post))


# -- restarts in the middle of a long chapter ----------------------------------------------------


@pytest.mark.parametrize("mode", ["thread", "forum"])
@pytest.mark.emulator(time_scale=10.0)
async def test_restart_mid_chapter_resumes_in_the_same_thread_or_post(
    emulator: DiscordEmulator, bot_runner: BotRunner, mode: str
) -> None:
    assert bot_runner.bot is not None
    alice = emulator.user("alice")
    parent = emulator.channel("general" if mode == "thread" else "stories")
    story = await upload_story(
        emulator, bot_runner.bot, alice, "long.md", long_chapter(), channel=parent, mode=mode
    )
    (pages,) = await stored_pages(bot_runner.bot, story.id)
    assert len(pages) >= 25
    await emulator.slash(alice, "publish", story=str(story.id))
    await emulator.wait_until(
        lambda: any(len(bot_posts(emulator, c)) >= 8 for c in children(emulator, parent)),
        timeout=10,
    )

    await bot_runner.restart()
    pages = await all_stored(bot_runner, story.id)
    (post,) = children(emulator, parent)  # no second thread or post
    assert_exactly(bot_posts(emulator, post), pages)
    assert len(bot_posts(emulator, parent)) == (1 if mode == "thread" else 0)
    assert bot_runner.bot is not None
    await wait_releases_done(bot_runner.bot, story.id)
    history = await releases(bot_runner.bot).history(story.id)
    assert [e.outcome for e in history][:1] == ["done"]
    assert any(e.outcome == "interrupted" for e in history)


@pytest.mark.parametrize("mode", ["thread", "forum"])
@pytest.mark.emulator(nonce_window_s=0.5, time_scale=10.0)
async def test_after_the_nonce_window_history_prevents_duplicates(
    emulator: DiscordEmulator, bot_runner: BotRunner, mode: str
) -> None:
    """Crash after Discord created the thread or post, the pages (and in forum mode the
    announcement), before their ids were stored; restart after Discord forgot the nonces."""
    assert bot_runner.bot is not None
    alice = emulator.user("alice")
    parent = emulator.channel("general" if mode == "thread" else "stories")
    role = emulator.create_role("Readers", mentionable=True)
    story = await upload_story(
        emulator,
        bot_runner.bot,
        alice,
        "long.md",
        long_chapter(6),
        channel=parent,
        mode=mode,
        notify_role_id=role.id if mode == "forum" else None,
    )
    await emulator.slash(alice, "publish", story=str(story.id))
    await all_stored(bot_runner, story.id)
    (thread,) = children(emulator, parent)
    sent = len(bot_posts(emulator, thread))
    await bot_runner.stop()

    page_count = await leave_crashed_release(
        bot_runner.settings.database_url, story.id, parent.id, mode
    )
    await asyncio.sleep(0.6)  # the nonce window is over: only the history can tell

    await bot_runner.start()
    stored = await all_stored(bot_runner, story.id)
    assert bot_runner.bot is not None
    await wait_releases_done(bot_runner.bot, story.id)
    assert children(emulator, parent) == [thread]  # no second thread or post
    assert len(bot_posts(emulator, parent)) == (1 if mode == "thread" else 0)
    assert len(bot_posts(emulator, thread)) == sent
    posted = bot_posts(emulator, thread)
    if mode == "forum":  # the announcement follows the pages, once
        *posted, announcement = posted
        assert emulator.pings(announcement).roles == [role.id]
    assert_exactly(posted, stored)
    events = await releases(bot_runner.bot).history(story.id)
    resumed = [e.detail for e in events if e.outcome == "resumed"]
    assert resumed == [f"{page_count - 2} page(s) found already posted"]


# -- the notify role in forum mode ---------------------------------------------------------------


async def test_forum_post_announces_to_the_notify_role_and_pages_ping_nobody(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    forum, mod = emulator.channel("stories"), emulator.role("Mod")
    role = emulator.create_role("Readers", mentionable=True)
    text = (
        f"# Loud\n\n## Chapter 1: Noise\n\nHey @everyone and @here: <@&{mod.id}>, <@{bob.id}>, "
        f"<@&{role.id}>!\n"
    ).encode()
    story = await upload_story(emulator, chapterbot, alice, "loud.md", text)
    await set_channel(emulator, story.id, forum, "forum")
    reply = await emulator.slash(alice, "settings notify-role", story=str(story.id), role=role)
    assert "✅" in (reply.content or ""), reply.content

    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    (post,) = children(emulator, forum)
    (pages,) = await stored_pages(chapterbot, story.id)
    *posted, announcement = bot_posts(emulator, post)
    assert_exactly(posted, pages)
    assert "everyone" in page_text(posted[0]) and str(role.id) in page_text(posted[0])
    for message in posted:
        assert not emulator.pings(message), f"story text pinged {emulator.pings(message)}"
    pings = emulator.pings(announcement)
    assert pings.roles == [role.id] and not pings.users
    assert not pings.everyone
    # Released once: publishing again finds nothing, and the post got no second announcement.
    again = await emulator.slash(alice, "publish", story=str(story.id))
    assert "nothing left" in (again.content or "")
    assert len(bot_posts(emulator, post)) == len(pages) + 1


# -- crossposts that Discord rate-limits ---------------------------------------------------------


async def crosspost_events(bot: ChapterBot, story_id: int) -> list[tuple[int, str, str]]:
    """(chapter, outcome, detail) of every crosspost entry in the history."""
    history = await releases(bot).history(story_id)
    return [
        (e.chapter_number, e.outcome, e.detail or "")
        for e in history
        if e.outcome.startswith("crosspost")
    ]


@pytest.mark.emulator(time_scale=10.0)
async def test_a_rate_limited_crosspost_does_not_hold_up_the_release(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, news = emulator.user("alice"), emulator.channel("news")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=news
    )
    # Discord says: come back in an hour (discord.py would sleep that out).
    emulator.faults.rate_limit(path=CROSSPOSTS, times=1, retry_after=3600.0)

    result = await emulator.slash(alice, "publish", story=str(story.id), chapters=2)
    assert (await finished(result)).count("✅") == 2
    await wait_releases_done(chapterbot, story.id)
    posted = bot_posts(emulator, news)
    expected = expected_pages(THREE_CHAPTERS, "three.md")
    assert [page_text(m) for m in posted] == expected[0] + expected[1]
    # Chapter 2 went out while chapter 1's crosspost was still waiting on the limit.
    first_crosspost = next(r for r in emulator.requests if r.path.endswith("/crosspost"))
    assert first_crosspost.status == 429
    assert posted[1].created_monotonic - emulator.started_at > first_crosspost.time
    assert (await crosspost_events(chapterbot, story.id)) == []

    deadline = time.monotonic() + 15
    while len(events := await crosspost_events(chapterbot, story.id)) < 2:
        assert time.monotonic() < deadline, events
        await asyncio.sleep(0.1)
    by_chapter = {chapter: (outcome, detail) for chapter, outcome, detail in events}
    assert by_chapter[1] == ("crosspost skipped", RATE_LIMITED)
    assert not posted[0].flags & FLAG_CROSSPOSTED
    # Chapter 2's crosspost waited its turn in the background, then went out.
    assert by_chapter[2][0] == "crossposted"
    assert posted[1].flags & FLAG_CROSSPOSTED
    assert all(r.status == "done" for r in await releases(chapterbot).for_story(story.id))


@pytest.mark.emulator(time_scale=10.0)
async def test_when_the_hours_crossposts_are_used_up_the_rest_are_skipped_not_waited_for(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, news = emulator.user("alice"), emulator.channel("news")
    chapters = "".join(f"## Chapter {n}: Part {n}\n\nShort part {n}.\n\n" for n in range(1, 12))
    data = f"# Eleven Parts\n\n{chapters}".encode()
    story = await upload_story(emulator, chapterbot, alice, "eleven.md", data, channel=news)

    result = await emulator.slash(alice, "publish", story=str(story.id), chapters=11)
    assert (await finished(result, timeout=30)).count("✅") == 11
    await wait_releases_done(chapterbot, story.id)
    posted = bot_posts(emulator, news)
    assert [page_text(m) for m in posted] == [p[0] for p in expected_pages(data, "eleven.md")]

    deadline = time.monotonic() + 30
    while len(events := await crosspost_events(chapterbot, story.id)) < 11:
        assert time.monotonic() < deadline, events
        await asyncio.sleep(0.1)
    by_chapter = {chapter: (outcome, detail) for chapter, outcome, detail in events}
    # Discord allows 10 an hour per channel: the first ten went out, the eleventh was skipped.
    assert [by_chapter[n][0] for n in range(1, 11)] == ["crossposted"] * 10
    assert by_chapter[11] == ("crosspost skipped", RATE_LIMITED)
    assert [bool(m.flags & FLAG_CROSSPOSTED) for m in posted] == [True] * 10 + [False]
