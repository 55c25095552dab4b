"""Exactly once across restarts, lost responses and an expired nonce window: no page missing or
duplicated."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from bot.publishing.releases import ReleaseRepository
from testkit.emulator import DiscordEmulator
from tests.e2e.conftest import BotRunner
from tests.e2e.publishing_helpers import (
    bot_posts,
    leave_crashed_release,
    long_chapter,
    page_text,
    stored_pages,
    upload_story,
    wait_releases_done,
)

pytestmark = pytest.mark.e2e

PAGE_POSTS = r"/channels/\d+/messages"


async def assert_posted_exactly_once(
    emu: DiscordEmulator, runner: BotRunner, story_id: int
) -> None:
    """Every stored page is in the channel once, in order, and its stored id is that message."""
    assert runner.bot is not None
    (pages,) = await stored_pages(runner.bot, story_id)
    channel = emu.channel("general")
    await emu.wait_until(lambda: all(p.posted for p in pages) or None, timeout=1)
    posted = bot_posts(emu, channel)
    assert [page_text(m) for m in posted] == [p.content for p in pages]
    assert [p.message_id for p in pages] == [m.id for m in posted]


async def wait_all_stored(runner: BotRunner, story_id: int, timeout: float = 20.0) -> None:
    """Wait until every page of the story's first chapter has a stored message id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert runner.bot is not None
        if runner.bot.db is not None:
            (pages,) = await stored_pages(runner.bot, story_id)
            if all(p.posted for p in pages):
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the chapter was not fully posted")


@pytest.mark.emulator(time_scale=10.0)
async def test_restart_in_the_middle_of_a_long_chapter_resumes_without_gaps_or_repeats(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    assert bot_runner.bot is not None
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, bot_runner.bot, alice, "long.md", long_chapter(), channel=general
    )
    (pages,) = await stored_pages(bot_runner.bot, story.id)
    assert len(pages) >= 25
    await emulator.slash(alice, "publish", story=str(story.id))
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= 8, timeout=10)
    # The author sees a progress line that updates while the chapter goes out.
    progress = [
        r.body.get("content", "")
        for r in emulator.requests
        if r.method == "PATCH" and "/webhooks/" in r.path and isinstance(r.body, dict)
    ]
    assert any(re.fullmatch(rf"Posting chapter 1: \d+/{len(pages)}", p) for p in progress)

    await bot_runner.restart()
    await wait_all_stored(bot_runner, story.id)
    assert bot_runner.bot is not None
    # The release is finished just after its last page is stored (the author's progress line is
    # edited in between), so wait for that before reading the history.
    await wait_releases_done(bot_runner.bot, story.id)
    await assert_posted_exactly_once(emulator, bot_runner, story.id)
    history = await ReleaseRepository(bot_runner.bot.database).history(story.id)
    assert [e.outcome for e in history][:1] == ["done"]
    assert any(e.outcome == "interrupted" for e in history)


@pytest.mark.emulator(time_scale=10.0)
async def test_a_lost_response_is_deduplicated(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    assert bot_runner.bot is not None
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, bot_runner.bot, alice, "long.md", long_chapter(6), channel=general
    )
    emulator.faults.lose_response("POST", PAGE_POSTS, times=1)
    await emulator.slash(alice, "publish", story=str(story.id))
    await wait_all_stored(bot_runner, story.id)
    assert emulator.faults.rules[0].used == 1
    await assert_posted_exactly_once(emulator, bot_runner, story.id)
    assert "repeats message" in emulator.timeline.dump()  # the resend carried the same nonce


@pytest.mark.emulator(nonce_window_s=0.5, time_scale=10.0)
async def test_after_the_nonce_window_history_prevents_duplicates(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    """Crash after Discord created pages but before their ids were stored, restart much later."""
    assert bot_runner.bot is not None
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, bot_runner.bot, alice, "long.md", long_chapter(6), channel=general
    )
    await emulator.slash(alice, "publish", story=str(story.id))
    await wait_all_stored(bot_runner, story.id)
    sent = len(bot_posts(emulator, general))
    await bot_runner.stop()

    page_count = await leave_crashed_release(
        bot_runner.settings.database_url, story.id, general.id, "messages"
    )
    await asyncio.sleep(0.6)  # the nonce window is over: only the history can tell

    await bot_runner.start()
    await wait_all_stored(bot_runner, story.id)
    assert len(bot_posts(emulator, general)) == sent
    await assert_posted_exactly_once(emulator, bot_runner, story.id)
    assert bot_runner.bot is not None
    history = await ReleaseRepository(bot_runner.bot.database).history(story.id)
    resumed = [e.detail for e in history if e.outcome == "resumed"]
    assert resumed == [f"{page_count - 2} page(s) found already posted"]


@pytest.mark.emulator(time_scale=10.0)
async def test_a_long_chapter_is_paced_without_a_single_429(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    # 12 pages against 5 messages / 5 s per channel: the bot must wait for the window to reset
    # (as the rate-limit headers say) instead of running into 429s.
    assert bot_runner.bot is not None
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, bot_runner.bot, alice, "long.md", long_chapter(12), channel=general
    )
    await emulator.slash(alice, "publish", story=str(story.id))
    await wait_all_stored(bot_runner, story.id)
    await assert_posted_exactly_once(emulator, bot_runner, story.id)
    assert len(bot_posts(emulator, general)) >= 12
    assert emulator.stats["429"] == 0
