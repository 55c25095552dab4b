"""Helpers for the publishing e2e tests: stories through `/story upload`, posted pages, waits."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.client import ChapterBot
from bot.publishing.releases import ReleaseRepository
from bot.storage import open_database
from bot.stories.importers import import_story
from bot.stories.paginate import paginate_story
from bot.stories.records import PageRecord, StoryRecord
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.interactions import InteractionResult
from testkit.emulator.model import Channel, Message, User

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

THREE_CHAPTERS = (
    b"# Three Small Chapters\n\n"
    b"## Chapter 1: Dawn\n\nThe first chapter begins here.\n\n"
    b"## Chapter 2: Noon\n\nThe second chapter goes on.\n\n"
    b"## Chapter 3: Dusk\n\nThe third chapter ends it.\n"
)


def corpus_file(name: str) -> bytes:
    """A file of the shared corpus, or skip the test when the corpus is absent."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file ../shared/corpus/{path.name} is absent")
    return path.read_bytes()


def long_chapter(pages_wanted: int = 30) -> bytes:
    """A one-chapter Markdown story long enough for about `pages_wanted` text pages."""
    paragraph = " ".join(f"Sentence {i} of a long and winding paragraph." for i in range(30))
    body = "\n\n".join(f"{n}. {paragraph}" for n in range(pages_wanted * 2))
    return f"# A Long Night\n\n## Chapter 1: Waiting\n\n{body}\n".encode()


def expected_pages(data: bytes, filename: str, style: str = "text") -> list[list[str]]:
    """What the importer and paginator make of a file (what `chapterbot preview` prints)."""
    return paginate_story(import_story(data, filename), style)


def repo(bot: ChapterBot) -> StoryRepository:
    """A story repository on the running bot's database."""
    return StoryRepository(bot.database)


def releases(bot: ChapterBot) -> ReleaseRepository:
    """A release repository on the running bot's database."""
    return ReleaseRepository(bot.database)


async def upload_story(
    emu: DiscordEmulator,
    bot: ChapterBot,
    user: User,
    filename: str,
    data: bytes,
    *,
    channel: Channel | None = None,
    mode: str = "messages",
    **fields: Any,
) -> StoryRecord:
    """Upload through `/story upload`, then point the story at `channel` (repository)."""
    before = {s.id for s in await repo(bot).list_for_guild(emu.guild.id)}
    result = await emu.slash(user, "story upload", file=emu.upload(filename, data))
    await result.final(timeout=30.0)
    after = [s for s in await repo(bot).list_for_guild(emu.guild.id) if s.id not in before]
    assert len(after) == 1, f"upload did not store one story: {result.last}"
    updates: dict[str, Any] = dict(fields)
    if channel is not None:
        updates.update(channel_id=channel.id, channel_mode=mode)
    if updates:
        story = await repo(bot).update_metadata(after[0].id, **updates)
        assert story is not None
        return story
    return after[0]


async def stored_pages(bot: ChapterBot, story_id: int) -> list[list[PageRecord]]:
    """Every chapter's stored pages, in order."""
    stories = repo(bot)
    return [await stories.pages(c.id) for c in await stories.chapters(story_id)]


def bot_posts(emu: DiscordEmulator, channel: Channel | int) -> list[Message]:
    """Messages the bot posted in a channel itself (not interaction replies), in order."""
    return [
        m
        for m in emu.messages(channel)
        if m.author_id == emu.bot_user.id and m.interaction_metadata is None
    ]


def page_text(message: Message) -> str:
    """A posted page's text: content, or the embed description."""
    if message.content:
        return message.content
    return str(message.embeds[0].get("description", "")) if message.embeds else ""


async def finished(result: InteractionResult, timeout: float = 20.0) -> str:
    """Wait for `/publish`'s final line (after the progress lines) and return the reply text."""

    def done() -> str | None:
        text = result.content or ""
        return text if any(mark in text for mark in ("✅", "❌", "⏸️")) else None

    return str(await result.emu.wait_until(done, timeout=timeout, what="the /publish summary"))


async def wait_releases_done(bot: ChapterBot, story_id: int, timeout: float = 10.0) -> None:
    """Wait until the story has releases and every one of them finished ('done')."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await releases(bot).for_story(story_id)
        if found and all(r.status == "done" for r in found):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"releases not done after {timeout}s: {found}")
        await asyncio.sleep(0.05)


async def leave_crashed_release(
    database_url: str, story_id: int, channel_id: int, mode: str, *, keep: int = 2
) -> int:
    """Make the DB look as a crash between "Discord answered" and "stored" leaves it.

    Only the first `keep` pages' ids are known, the chapter is unreleased, and a release marked
    as posting knows neither its header nor its thread. Returns the number of pages.
    """
    db = await open_database(database_url)
    try:
        stories, history = StoryRepository(db), ReleaseRepository(db)
        (chapter,) = await stories.chapters(story_id)
        pages = await stories.pages(chapter.id)
        await stories.clear_page_posts(chapter.id)
        for page in pages[:keep]:
            assert page.message_id is not None and page.channel_id is not None
            await stories.mark_page_posted(page.id, page.channel_id, page.message_id, 0)
        await stories.mark_chapter_released(chapter.id, None)
        interrupted = await history.create(story_id, chapter.id, 0, channel_id, mode)
        assert await history.claim(interrupted.id) is not None
    finally:
        await db.close()
    return len(pages)
