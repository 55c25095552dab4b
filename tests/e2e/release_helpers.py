"""Test stand-ins for authoring and publishing: store a story, then "release" chapters.

Releasing posts each page as a real message through the running bot into an emulator channel
and stores its message id (`mark_page_posted`), exactly the state publishing leaves behind;
the chapter's last page carries the chapter-post decorations the cogs registered (the reader's
and the feedback buttons). Swap these for `/story upload` and `/publish` once those are what
the tests should exercise.
"""

from __future__ import annotations

import time
from pathlib import Path

import discord
import pytest

from bot.client import ChapterBot
from bot.stories.importers import import_story
from bot.stories.paginate import paginate_story
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "kiss-of-blood.txt"


def seed_bytes() -> bytes:
    """The seed story's bytes, or skip the test when the shared corpus is absent."""
    if not SEED.exists():
        pytest.skip(f"seed story ../shared/corpus/{SEED.name} is absent")
    return SEED.read_bytes()


def tale_bytes(chapters: int, words_per_chapter: int = 300, title: str = "The Test Tale") -> bytes:
    """A plain-text story with `chapters` chapters titled "Chapter n: Title n"."""
    body = "\n\n".join(
        f"Chapter {n}: Title {n}\n\n" + f"Words of chapter {n}. " * (words_per_chapter // 4)
        for n in range(1, chapters + 1)
    )
    return f"{title}\n\n{body}\n".encode()


async def store_story(
    bot: ChapterBot,
    raw: bytes,
    filename: str,
    *,
    guild_id: int,
    owner_id: int,
    style: str = "text",
    rating: str | None = None,
) -> StoryRecord:
    """Import, paginate and store a story as `/story upload` would."""
    story = import_story(raw, filename)
    repo = StoryRepository(bot.database)
    record = await repo.create_story(
        guild_id,
        owner_id,
        story,
        paginate_story(story, style),
        style,  # type: ignore[arg-type]
    )
    if rating is not None:
        updated = await repo.update_metadata(record.id, rating=rating)
        assert updated is not None
        record = updated
    return record


async def release_chapter(
    bot: ChapterBot,
    story_id: int,
    number: int,
    channel_id: int,
    *,
    pages: int | None = None,
    at: int | None = None,
) -> list[discord.Message]:
    """Post a chapter's pages (the first `pages` of them, or all) and store their message ids.

    The chapter is marked released only when every page went out, as publishing does.
    """
    repo = StoryRepository(bot.database)
    story = await repo.get(story_id)
    chapter = await repo.chapter(story_id, number)
    assert story is not None and chapter is not None
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.abc.Messageable)
    stored = await repo.pages(chapter.id)
    posting = stored if pages is None else stored[:pages]
    now = at if at is not None else int(time.time())
    sent = []
    for page in posting:
        last = page.number == stored[-1].number
        decorated = bot.decorations.view(story_id, number) if last else None
        view = decorated or discord.utils.MISSING
        if story.style == "embed":
            message = await channel.send(embed=discord.Embed(description=page.content), view=view)
        else:
            message = await channel.send(page.content, view=view)
        await repo.mark_page_posted(page.id, channel.id, message.id, now)
        sent.append(message)
    if len(posting) == len(stored):
        await repo.mark_chapter_released(chapter.id, now)
    return sent


async def release_chapters(
    bot: ChapterBot, story_id: int, numbers: range | list[int], channel_id: int
) -> None:
    """Release several chapters in order."""
    for number in numbers:
        await release_chapter(bot, story_id, number, channel_id)
