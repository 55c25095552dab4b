"""Discord misbehaving: 429 bursts (route and global), 500/502/503, slow answers, a dropped and a
frozen gateway, during posting and during reader traffic. Everything is delivered once, the bot
keeps running, and readers keep their place.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.client import ChapterBot
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Message, User
from tests.e2e.conftest import BotRunner
from tests.e2e.publishing_helpers import bot_posts, finished, long_chapter, page_text, upload_story

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.emulator(time_scale=10.0)]

PAGE_POSTS = r"/channels/\d+/messages"
CALLBACKS = r"/interactions/\d+/[^/]+/callback"


def still_running(runner: BotRunner) -> bool:
    """The bot's client task is alive and its connection open."""
    task = runner._task
    return (
        runner.bot is not None
        and not runner.bot.is_closed()
        and task is not None
        and (not task.done())
    )


async def resumed(emu: DiscordEmulator, bot: ChapterBot, before: int, timeout: float) -> None:
    """Wait until the bot reconnected (RESUME or IDENTIFY) and is ready again."""
    stats = emu.gateway.stats

    def back() -> bool:
        return stats["resume"] + stats["identify"] > before and bot.is_ready()

    await emu.wait_until(back, timeout=timeout, what="the gateway to come back")


def reconnects(emu: DiscordEmulator) -> int:
    """RESUMEs and IDENTIFYs so far."""
    return int(emu.gateway.stats["resume"] + emu.gateway.stats["identify"])


async def test_posting_delivers_every_page_once_through_every_fault(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    bot = bot_runner.bot
    assert bot is not None
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "long.md", long_chapter(30), channel=general)
    (chapter,) = await StoryRepository(bot.database).chapters(story.id)
    total = len(await StoryRepository(bot.database).pages(chapter.id))
    assert total >= 25
    faults = emulator.faults
    result = await emulator.slash(alice, "publish", story=str(story.id))

    async def at(count: int) -> None:
        await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= count, timeout=30)

    await at(2)
    faults.rate_limit(path=PAGE_POSTS, times=3, retry_after=0.3)  # a burst on the route
    await at(5)
    faults.rate_limit(is_global=True, times=2, retry_after=0.3)  # then the global limit
    await at(8)
    for status in (500, 502, 503):
        faults.fail(method="POST", path=PAGE_POSTS, status=status, times=1)
    await at(12)
    faults.delay(method="POST", path=PAGE_POSTS, seconds=1.2, times=2)  # slow answers
    before = reconnects(emulator)
    await emulator.drop_gateway()
    await at(16)
    emulator.freeze_gateway()  # heartbeat ACKs stop; discord.py must notice and reconnect
    await resumed(emulator, bot, before + 1, timeout=30)
    emulator.unfreeze_gateway()

    summary = await finished(result, timeout=60)
    assert "✅" in summary, summary
    pages = await StoryRepository(bot.database).pages(chapter.id)
    posted = bot_posts(emulator, general)
    assert [page_text(m) for m in posted] == [p.content for p in pages]
    assert [m.id for m in posted] == [p.message_id for p in pages]
    assert emulator.stats["429"] >= 5
    assert all(rule.used == rule.times for rule in faults.rules)
    assert still_running(bot_runner)
    assert emulator.unexpected_violations() == []


def next_button(message: Message) -> str | None:
    """The custom_id of a reader message's Next ▶ button, if it has one."""
    return next((c for c in message.custom_ids() if c.startswith("cb:next:")), None)


class Reader:
    """One reader paging through a story with /next and Next ▶, keeping what they were shown."""

    def __init__(self, emu: DiscordEmulator, user: User, story_id: int) -> None:
        self.emu, self.user, self.story_id = emu, user, story_id
        self.seen: list[str] = []
        self.message: Message | None = None

    async def step(self) -> None:
        """Read one more page (a new /next after every third page, Next ▶ otherwise)."""
        button = next_button(self.message) if self.message is not None else None
        if button is None or len(self.seen) % 3 == 0:
            result = await self.emu.slash(self.user, "next", story=str(self.story_id))
        else:
            assert self.message is not None
            result = await self.emu.click(self.user, self.message, button)
        assert result.message is not None, result
        text = result.message.content or ""
        if "caught up" not in text:
            self.seen.append(text)
        self.message = result.message


async def test_readers_keep_their_place_through_faults(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    bot = bot_runner.bot
    assert bot is not None
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "long.md", long_chapter(8), channel=general)
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    stories = StoryRepository(bot.database)
    (chapter,) = await stories.chapters(story.id)
    pages = [p.content for p in await stories.pages(chapter.id)]
    readers = [Reader(emulator, emulator.user(n), story.id) for n in ("bob", "carol", "dave")]

    async def read(steps: int) -> None:
        for _ in range(steps):
            await asyncio.gather(*(reader.step() for reader in readers))

    faults = emulator.faults
    await read(1)
    faults.rate_limit(path=CALLBACKS, times=3, retry_after=0.2)
    faults.rate_limit(is_global=True, times=2, retry_after=0.2)
    await read(1)
    faults.fail(method="POST", path=CALLBACKS, status=500, times=2)  # discord.py retries a 500
    faults.delay(method="POST", path=CALLBACKS, seconds=1.0, times=3)  # within the 3 s deadline
    await read(1)
    before = reconnects(emulator)
    await emulator.drop_gateway()
    await resumed(emulator, bot, before, timeout=15)
    await read(1)
    before = reconnects(emulator)
    emulator.freeze_gateway()
    await resumed(emulator, bot, before, timeout=30)
    emulator.unfreeze_gateway()
    await read(len(pages) - 4 + 1)  # to the end, and one "caught up"

    progress = bot.services.reading.progress
    for reader in readers:
        assert reader.seen == pages, reader.user.username
        record: Any = await progress.get(reader.user.id, story.id)
        assert record is not None and (record.chapter_number, record.page_number) == (
            1,
            len(pages),
        )
    assert all(rule.used == rule.times for rule in faults.rules)
    assert still_running(bot_runner)
