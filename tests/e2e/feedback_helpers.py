"""Helpers for the feedback e2e tests: a published story, its posts, `/stats` replies."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.client import ChapterBot
from bot.feedback.repository import FeedbackRepository
from bot.stories.records import StoryRecord
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Message, User
from tests.e2e.publishing_helpers import finished, repo, upload_story

THREE_CHAPTERS = (
    b"# Three Small Chapters\n\n"
    b"## Chapter 1: Dawn\n\nThe first chapter begins here.\n\n"
    b"## Chapter 2: Noon\n\nThe second chapter goes on.\n\n"
    b"## Chapter 3: Dusk\n\nThe third chapter ends it.\n"
)

_CHAPTER_LINE = re.compile(r"^\*\*Ch\. (\d+)[^*]*\*\*: (\d+) readers?", re.MULTILINE)
_RETENTION = re.compile(r"(\d+) % of readers who started chapter (\d+) reached chapter (\d+)")


@dataclass
class Published:
    """A story posted through `/publish`, with the emulator message of each chapter's last page."""

    story: StoryRecord
    last_pages: dict[int, Message]


async def publish_story(
    emu: DiscordEmulator,
    bot: ChapterBot,
    owner: User,
    *,
    data: bytes = THREE_CHAPTERS,
    chapters: int = 3,
    release: int | None = None,
) -> Published:
    """Upload a story as `owner`, point it at #general and `/publish` `release` chapters."""
    story = await upload_story(emu, bot, owner, "three.md", data, channel=emu.channel("general"))
    result = await emu.slash(owner, "publish", story=str(story.id), chapters=release or chapters)
    summary = await finished(result)
    assert "✅" in summary, summary
    return Published(story, await last_pages(emu, bot, story.id))


async def last_pages(emu: DiscordEmulator, bot: ChapterBot, story_id: int) -> dict[int, Message]:
    """The posted last page of each released chapter, by chapter number."""
    stories = repo(bot)
    found = {}
    for chapter in await stories.chapters(story_id):
        pages = await stories.pages(chapter.id)
        if pages and pages[-1].message_id is not None:
            found[chapter.number] = emu.message(pages[-1].message_id)
    return found


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 5.0) -> Any:
    """Poll an async condition until it is truthy (gateway events are handled asynchronously)."""
    deadline = time.monotonic() + timeout
    while not (value := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.02)
    return value


def feedback_repo(bot: ChapterBot) -> FeedbackRepository:
    """The feedback repository on the running bot's database."""
    return FeedbackRepository(bot.database)


async def stats_reply(emu: DiscordEmulator, user: User, story_id: int) -> Message:
    """Run `/stats` as `user` and return the final (ephemeral) reply message."""
    result = await emu.slash(user, "stats", story=str(story_id))
    await result.final(timeout=30.0)
    message = result.last
    assert message is not None
    return message


def readers_in_text(text: str) -> dict[int, int]:
    """`{chapter number: readers}` as the `/stats` text states them."""
    return {int(ch): int(n) for ch, n in _CHAPTER_LINE.findall(text)}


def retention_in_text(text: str) -> dict[int, int]:
    """`{chapter number: percent}` from the plain-words retention sentences."""
    return {int(to): int(pct) for pct, _first, to in _RETENTION.findall(text)}


def chapter_line(text: str, number: int) -> str:
    """The `/stats` line of one chapter."""
    for line in text.splitlines():
        if line.startswith(f"**Ch. {number}"):
            return line
    raise AssertionError(f"no line for chapter {number} in:\n{text}")
