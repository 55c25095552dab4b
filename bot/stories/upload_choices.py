"""Choices after an upload: turn a skipped part into a chapter, or drop a chapter.

The importer decides what is front or back matter; the author has the last word, but only
before the story starts going out: once a chapter is released or a release is queued, chapter
numbers are what readers and schedules rely on, and these choices are refused.

A restored part goes back where it sat in the source: between the chapters it came between
(the chapters after it move up by one), else chapter 1 when it came before the story and the
last chapter when it came after. A dropped chapter becomes a skipped part that remembers its
place (restorable the same way). Every chapter is renumbered and its pages rendered again,
since headings carry the chapter's number.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.actor import Actor
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n.catalog import N_
from bot.storage import Database
from bot.stories.chapters import NewChapter
from bot.stories.importers.titles import split_label
from bot.stories.model import Block, Chapter, Paragraph, Skipped, Span, Story
from bot.stories.paginate import paginate_story
from bot.stories.policy import require_author
from bot.stories.records import ChapterRecord, StoryRecord
from bot.stories.repository import StoryRepository
from bot.stories.serialize import blocks_to_json
from bot.stories.skipped_parts import Shift, SkippedPartRecord, SkippedPartRepository

DROPPED_REASON = "dropped by an author"
STARTED = N_("“{title}” has started going out, so its chapters can no longer be rearranged.")


@dataclass(frozen=True)
class UploadOptions:
    """What an author may change: the skipped parts and the chapters (number, heading)."""

    parts: tuple[SkippedPartRecord, ...]
    chapters: tuple[ChapterRecord, ...]
    started: bool


@dataclass(frozen=True)
class Rearranged:
    """The outcome of a choice: the chapter's new number (restore) or old one (drop)."""

    number: int
    title: str
    chapters: int


class UploadChoices:
    """The use cases behind the upload reply's "Skipped parts" buttons."""

    def __init__(self, db: Database) -> None:
        self.stories = StoryRepository(db)
        self.parts = SkippedPartRepository(db)

    async def options(self, actor: Actor, story: StoryRecord) -> UploadOptions:
        """The story's skipped parts and chapters, for its authors."""
        await require_author(self.stories, story, actor)
        return UploadOptions(
            tuple(await self.parts.parts(story.id)),
            tuple(await self.stories.chapters(story.id)),
            await self.parts.started(story.id),
        )

    async def restore(
        self, actor: Actor, story: StoryRecord, part_id: int, *, chapter_word: str = "Chapter"
    ) -> Rearranged:
        """Turn skipped part `part_id` into a chapter, where it sat in the source."""
        await require_author(self.stories, story, actor)
        part = next((p for p in await self.parts.parts(story.id) if p.id == part_id), None)
        if part is None:
            raise NotFound(N_("That skipped part is gone: it may already be a chapter."))
        chapters = [record.to_chapter() for record in await self.stories.chapters(story.id)]
        # A dropped chapter comes back under its own heading ("CHAPTER II: The Pool of Tears").
        label, title = (
            split_label(part.title) if part.reason == DROPPED_REASON else (None, part.title)
        )
        blocks = paragraphs(part.body)
        if part.reason != DROPPED_REASON:
            blocks = without_heading(blocks, part.title)
        new = Chapter(0, title=title, label=label, blocks=blocks)
        if not new.blocks:
            raise InvalidInput(N_("That skipped part has no text to make a chapter of."))
        at = place_of(part, len(chapters))
        chapters.insert(at, new)
        rendered = render_chapters(story, chapters, chapter_word)
        # Parts after this one in the source now have one more chapter before them.
        shift = Shift(at, 1, part.part_no)
        if not await self.parts.replace_chapters(
            story.id, rendered, remove_part=part.id, shift=shift
        ):
            raise NotAllowed(STARTED, params={"title": story.title})
        return Rearranged(new.number, part.title, len(chapters))

    async def drop(
        self, actor: Actor, story: StoryRecord, number: int, *, chapter_word: str = "Chapter"
    ) -> Rearranged:
        """Remove chapter `number`; it becomes a skipped part the author can restore."""
        await require_author(self.stories, story, actor)
        chapters = [record.to_chapter() for record in await self.stories.chapters(story.id)]
        index = next((i for i, c in enumerate(chapters) if c.number == number), None)
        if index is None:
            raise NotFound(
                N_("“{title}” has no chapter {number}."),
                params={"title": story.title, "number": number},
            )
        if len(chapters) == 1:
            raise InvalidInput(N_("A story needs at least one chapter; this is its only one."))
        dropped = chapters.pop(index)
        title = ": ".join(p for p in (dropped.label, dropped.title) if p) or f"#{number}"
        part = Skipped(
            title,
            DROPPED_REASON,
            dropped.word_count,
            dropped.text,
            front=index < len(chapters) / 2,
            after_chapter=index,
        )
        rendered = render_chapters(story, chapters, chapter_word)
        shift = Shift(index, -1)  # parts after the dropped chapter: one chapter fewer before them
        if not await self.parts.replace_chapters(story.id, rendered, add_part=part, shift=shift):
            raise NotAllowed(STARTED, params={"title": story.title})
        return Rearranged(number, title, len(chapters))


def place_of(part: SkippedPartRecord, chapters: int) -> int:
    """Where a restored part goes among `chapters` chapters: its place in the source when
    known (clamped, should chapters have gone since), else first (front) or last (back)."""
    if part.after_chapter is not None:
        return max(0, min(part.after_chapter, chapters))
    return 0 if part.front else chapters


def paragraphs(text: str) -> list[Block]:
    """Paragraphs from plain text: blank lines separate them, single newlines are line breaks."""
    chunks = (chunk.strip("\n") for chunk in text.replace("\r\n", "\n").split("\n\n"))
    return [Paragraph((Span(chunk),)) for chunk in chunks if chunk.strip()]


def without_heading(blocks: list[Block], title: str) -> list[Block]:
    """`blocks` without a first paragraph that only repeats the part's title: a skipped part's
    text starts with its own heading ("Illustrations"), which becomes the chapter's title."""
    if blocks and isinstance(blocks[0], Paragraph) and _same_words(blocks[0].text, title):
        return blocks[1:]
    return blocks


def _same_words(a: str, b: str) -> bool:
    words = [w.casefold() for w in a.split()]
    return bool(words) and words == [w.casefold() for w in b.split()]


def render_chapters(
    story: StoryRecord, chapters: list[Chapter], chapter_word: str
) -> list[NewChapter]:
    """Number `chapters` 1..n and render their pages as the story's upload would."""
    for number, chapter in enumerate(chapters, start=1):
        chapter.number = number
    model = Story(story.title, warnings=list(story.warnings), chapters=chapters)
    pages = paginate_story(model, story.style, chapter_word)
    return [
        NewChapter(chapter, blocks_to_json(chapter.blocks), tuple(chapter_pages))
        for chapter, chapter_pages in zip(chapters, pages, strict=True)
    ]
