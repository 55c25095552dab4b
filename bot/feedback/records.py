"""The frozen records of the feedback tables (reactions, notes, story_feedback)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

DigestFrequency = Literal["off", "daily", "weekly"]
DIGEST_FREQUENCIES: tuple[str, ...] = ("off", "daily", "weekly")
NoteChannel = Literal["dm", "channel"]
# A database row: read by column name (see bot.storage.database.Row).
Row = Mapping[str, Any]


@dataclass(frozen=True)
class PageRef:
    """Which story, chapter and page a posted Discord message is."""

    page_id: int
    chapter_id: int
    chapter_number: int
    story_id: int
    guild_id: int


@dataclass(frozen=True)
class FeedbackSettings:
    """A story's feedback settings; `reaction_set` None means the default set."""

    story_id: int
    reaction_set: tuple[str, ...] | None = None
    auto_react: bool = False
    feedback_channel_id: int | None = None
    digest_frequency: DigestFrequency = "off"
    last_digest_at: int | None = None
    next_digest_at: int | None = None

    @classmethod
    def from_row(cls, row: Row) -> FeedbackSettings:
        """Decode a `story_feedback` row."""
        fields = dict(row)
        raw = fields["reaction_set"]
        fields["reaction_set"] = None if raw is None else tuple(json.loads(raw))
        fields["auto_react"] = bool(fields["auto_react"])
        return cls(**fields)


@dataclass(frozen=True)
class ReactionRecord:
    """One reader's reaction with one emoji on one posted page (current state)."""

    id: int
    guild_id: int
    story_id: int
    chapter_id: int
    page_id: int
    message_id: int
    user_id: int
    emoji: str
    added_at: int
    removed_at: int | None

    @property
    def active(self) -> bool:
        """False once the reader took the reaction back."""
        return self.removed_at is None

    @classmethod
    def from_row(cls, row: Row) -> ReactionRecord:
        """Decode a `reactions` row."""
        return cls(**dict(row))


@dataclass(frozen=True)
class NoteRecord:
    """A private note to a story's authors; `author_user_id` is None for anonymous notes."""

    id: int
    guild_id: int
    story_id: int
    chapter_id: int | None
    author_user_id: int | None
    sender_hash: str
    anonymous: bool
    text: str
    created_at: int
    delivered_via: NoteChannel | None
    delivered_at: int | None
    pending: bool
    told_at: int | None

    @classmethod
    def from_row(cls, row: Row) -> NoteRecord:
        """Decode a `notes` row."""
        fields = dict(row)
        fields["anonymous"] = bool(fields["anonymous"])
        fields["pending"] = bool(fields["pending"])
        return cls(**fields)


@dataclass(frozen=True)
class ChapterReaders:
    """A released chapter's distinct readers, and how many of them also read the first chapter."""

    chapter_id: int
    number: int
    title: str | None
    readers: int
    from_first: int
