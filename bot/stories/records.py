"""The frozen records the stories repository returns: stories, chapters, pages and authors.

Timestamps are unix seconds (UTC) as ints; Discord ids are ints; JSON lists become tuples.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Literal

from bot.stories.model import Block, Chapter
from bot.stories.serialize import blocks_from_json

Row = Mapping[str, Any]
StoryStyle = Literal["text", "embed"]
ChannelMode = Literal["messages", "thread", "forum"]
AuthorRole = Literal["owner", "coauthor"]

STORY_STYLES: tuple[str, ...] = ("text", "embed")
CHANNEL_MODES: tuple[str, ...] = ("messages", "thread", "forum")


@lru_cache(maxsize=1024)
def _json_list(text: str) -> tuple[str, ...]:
    # Cached: the same few lists ("[]" above all) are decoded on every reader's page.
    return tuple(str(item) for item in json.loads(text))


@dataclass(frozen=True)
class StoryRecord:
    """A story's metadata and publishing settings (chapters are fetched separately)."""

    id: int
    guild_id: int
    owner_id: int
    title: str
    summary: str | None
    notes: str | None
    end_notes: str | None
    rating: str | None
    warnings: tuple[str, ...]
    tags: tuple[str, ...]
    source_authors: tuple[str, ...]
    language: str | None
    source_format: str
    style: StoryStyle
    channel_id: int | None
    channel_mode: ChannelMode
    notify_role_id: int | None
    silent: bool
    paused: bool
    created_at: int
    updated_at: int

    @classmethod
    def from_row(cls, row: Row) -> StoryRecord:
        """Decode a `stories` row."""
        named = dict(row)
        for name in _STORY_JSON_LISTS:
            named[name] = _json_list(named[name])
        for name in _STORY_FLAGS:
            named[name] = bool(named[name])
        return cls(**named)

    @classmethod
    def from_values(cls, values: Sequence[Any]) -> StoryRecord:
        """Decode a `stories` row selected in field order (no name lookups: the hot path)."""
        decoded = list(values)
        for at in _STORY_JSON_AT:
            decoded[at] = _json_list(decoded[at])
        for at in _STORY_FLAGS_AT:
            decoded[at] = bool(decoded[at])
        return cls(*decoded)


_STORY_JSON_LISTS = ("warnings", "tags", "source_authors")
_STORY_FLAGS = ("silent", "paused")
_STORY_FIELDS = [f.name for f in fields(StoryRecord)]
_STORY_JSON_AT = tuple(_STORY_FIELDS.index(name) for name in _STORY_JSON_LISTS)
_STORY_FLAGS_AT = tuple(_STORY_FIELDS.index(name) for name in _STORY_FLAGS)


@dataclass(frozen=True)
class ChapterRecord:
    """A stored chapter; `body` is its blocks as JSON, decoded on demand by `blocks`."""

    id: int
    story_id: int
    number: int
    title: str | None
    summary: str | None
    notes: str | None
    end_notes: str | None
    word_count: int
    body: str
    released_at: int | None
    label: str | None = None  # the source's own label ("Chapter 40"); migration 0009

    @property
    def blocks(self) -> list[Block]:
        """The chapter body, decoded."""
        return blocks_from_json(self.body)

    @property
    def released(self) -> bool:
        """True once the chapter has been posted."""
        return self.released_at is not None

    def to_chapter(self) -> Chapter:
        """The stored chapter as the model's `Chapter` (for rendering and export)."""
        return Chapter(
            self.number,
            title=self.title,
            label=self.label,
            summary=self.summary,
            notes=self.notes,
            end_notes=self.end_notes,
            blocks=self.blocks,
        )

    @classmethod
    def from_row(cls, row: Row) -> ChapterRecord:
        """Decode a `chapters` row."""
        return cls(**dict(row))


@dataclass(frozen=True)
class PageRecord:
    """One message-sized page of a chapter; posted (readable) once `message_id` is set."""

    id: int
    chapter_id: int
    number: int
    content: str
    message_id: int | None
    channel_id: int | None
    posted_at: int | None

    @property
    def posted(self) -> bool:
        """True once the page's Discord message is known."""
        return self.message_id is not None

    @classmethod
    def from_row(cls, row: Row) -> PageRecord:
        """Decode a `pages` row."""
        return cls(**dict(row))


@dataclass(frozen=True)
class AuthorRecord:
    """A user who may manage a story, as its owner or a co-author."""

    story_id: int
    user_id: int
    role: AuthorRole

    @classmethod
    def from_row(cls, row: Row) -> AuthorRecord:
        """Decode a `story_authors` row."""
        return cls(**dict(row))
