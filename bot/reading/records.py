"""The records the progress repository returns (frozen dataclasses, built from SQL rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from bot.early_access.records import EarlyAccessSetting
from bot.storage import Row
from bot.stories.records import StoryRecord


@dataclass(frozen=True)
class ProgressRecord:
    """Where one reader is in one story: the last page shown and the furthest page reached."""

    user_id: int
    story_id: int
    guild_id: int
    chapter_number: int
    page_number: int
    furthest_chapter: int
    furthest_page: int
    adult_ok: bool
    started_at: int
    last_read_at: int

    @classmethod
    def from_row(cls, row: Row) -> ProgressRecord:
        """Decode a `progress` row."""
        named = dict(row)
        named["adult_ok"] = bool(named["adult_ok"])
        return cls(**named)

    @classmethod
    def from_values(cls, values: Sequence[Any]) -> ProgressRecord:
        """Decode a `progress` row selected in field order (no name lookups: the hot path)."""
        decoded = list(values)
        decoded[_ADULT_OK_AT] = bool(decoded[_ADULT_OK_AT])
        return cls(*decoded)


_ADULT_OK_AT = [f.name for f in fields(ProgressRecord)].index("adult_ok")


@dataclass(frozen=True)
class PagePosition:
    """A page with where it sits in its story (chapter x of y, page a of b)."""

    story_id: int
    chapter_id: int
    chapter_number: int
    chapter_count: int
    page_id: int
    page_number: int
    page_count: int
    content: str
    channel_id: int | None
    message_id: int | None

    @property
    def posted(self) -> bool:
        """True once the page's message id is stored, i.e. readers may see it."""
        return self.message_id is not None

    @classmethod
    def from_row(cls, row: Row) -> PagePosition:
        """Decode a row of the page queries."""
        return cls(**dict(row))


@dataclass(frozen=True)
class ReleasedChapter:
    """A chapter readers may see (its first page is posted) and when it became readable."""

    chapter_id: int
    number: int
    title: str | None
    released_at: int | None
    channel_id: int | None

    @classmethod
    def from_row(cls, row: Row) -> ReleasedChapter:
        """Decode a row of the released-chapter queries."""
        return cls(**dict(row))


@dataclass(frozen=True)
class ReadableStory:
    """A story with at least one readable chapter, and one channel it was posted in."""

    story_id: int
    title: str
    rating: str | None
    first_chapter: int
    channel_id: int | None

    @classmethod
    def from_row(cls, row: Row) -> ReadableStory:
        """Decode a row of `READABLE_STORIES_SQL`."""
        return cls(**dict(row))


@dataclass(frozen=True)
class LatestNext:
    """A reader's latest progress in a guild, its story and the next readable page (if any)."""

    progress: ProgressRecord
    story: StoryRecord | None
    page: PagePosition | None
    early: EarlyAccessSetting | None = None  # the story's early access, if it has one
