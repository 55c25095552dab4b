"""`/story download`: a story written back out as a file, for a reader or an author.

Readers get what has been posted (the released chapters); the story's authors and members with
Manage Server get every chapter, released or not. The file itself is `export_story`'s.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.actor import Actor
from bot.errors import UserError
from bot.i18n import N_, Quantity
from bot.stories.exporters import ExportedFile, export_story
from bot.stories.model import Story
from bot.stories.records import ChapterRecord, StoryRecord
from bot.stories.repository import StoryRepository


class NothingToDownload(UserError):
    """The story has no chapter the member may read yet."""


class DownloadTooLarge(UserError):
    """The exported file is larger than Discord lets the bot attach here."""


@dataclass(frozen=True)
class StoryDownload:
    """An exported story and what it holds: `chapters` of `total`, all of them for authors."""

    file: ExportedFile
    chapters: int
    total: int
    as_author: bool


async def story_download(
    repo: StoryRepository, actor: Actor, story: StoryRecord, fmt: str, *, max_bytes: int
) -> StoryDownload:
    """Export `story` as `fmt` for `actor`; refuse when nothing is readable or it is too big."""
    as_author = (
        actor.manage_guild
        or actor.user_id == story.owner_id
        or await repo.is_author(story.id, actor.user_id)
    )
    records = await repo.chapters(story.id)
    chosen = [r for r in records if as_author or r.released]
    if not chosen:
        if records and not as_author:
            raise NothingToDownload(
                N_("No chapter of “{title}” has been posted yet."),
                hint=N_("Try again once its first chapter is released."),
                params={"title": story.title},
            )
        raise NothingToDownload(N_("“{title}” has no chapters."), params={"title": story.title})
    # Writing a long story is CPU work; a thread keeps the gateway heartbeat going.
    exported = await asyncio.to_thread(export_story, to_story(story, chosen), fmt)
    if len(exported.data) > max_bytes:
        raise DownloadTooLarge(
            N_("The {format} file is {size} MB; Discord lets me attach at most {limit} MB here."),
            hint=N_("Try the EPUB format, which is compressed."),
            params={
                "format": fmt.upper(),
                "size": Quantity(len(exported.data) / 1_048_576, decimals=1),
                "limit": Quantity(max_bytes / 1_048_576),
            },
        )
    return StoryDownload(exported, len(chosen), len(records), as_author)


def to_story(story: StoryRecord, chapters: list[ChapterRecord]) -> Story:
    """The stored story and the given chapters as the importers' `Story` model."""
    return Story(
        title=story.title,
        authors=list(story.source_authors),
        summary=story.summary,
        notes=story.notes,
        end_notes=story.end_notes,
        rating=story.rating,
        warnings=list(story.warnings),
        tags=list(story.tags),
        language=story.language,
        source_format=story.source_format,
        chapters=[record.to_chapter() for record in chapters],
    )
