"""The frozen dataclasses repositories return: one per table row, decoded into Python types.

Timestamps are unix seconds (UTC) as ints; Discord ids are ints; JSON lists become tuples.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Literal

from bot.story.model import Block
from bot.story.serialize import blocks_from_json

StoryStyle = Literal["text", "embed"]
ChannelMode = Literal["messages", "thread", "forum"]
AuthorRole = Literal["owner", "coauthor"]
MissedReleasePolicy = Literal["all", "latest"]
ReleaseStatus = Literal["pending", "posting", "done", "failed"]

STORY_STYLES: tuple[str, ...] = ("text", "embed")
CHANNEL_MODES: tuple[str, ...] = ("messages", "thread", "forum")
MISSED_RELEASE_POLICIES: tuple[str, ...] = ("all", "latest")
RELEASE_STATUSES: tuple[str, ...] = ("pending", "posting", "done", "failed")


def _json_list(text: str) -> tuple[str, ...]:
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
    def from_row(cls, row: sqlite3.Row) -> StoryRecord:
        """Decode a `stories` row."""
        fields = dict(row)
        for name in ("warnings", "tags", "source_authors"):
            fields[name] = _json_list(fields[name])
        fields["silent"] = bool(fields["silent"])
        fields["paused"] = bool(fields["paused"])
        return cls(**fields)


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

    @property
    def blocks(self) -> list[Block]:
        """The chapter body, decoded."""
        return blocks_from_json(self.body)

    @property
    def released(self) -> bool:
        """True once the chapter has been posted."""
        return self.released_at is not None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ChapterRecord:
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
    def from_row(cls, row: sqlite3.Row) -> PageRecord:
        """Decode a `pages` row."""
        return cls(**dict(row))


@dataclass(frozen=True)
class AuthorRecord:
    """A user who may manage a story, as its owner or a co-author."""

    story_id: int
    user_id: int
    role: AuthorRole

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuthorRecord:
        """Decode a `story_authors` row."""
        return cls(**dict(row))


@dataclass(frozen=True)
class GuildSettings:
    """A server's settings; a server that never set anything gets the defaults."""

    guild_id: int
    timezone: str | None = None
    author_role_id: int | None = None
    missed_release_policy: MissedReleasePolicy = "all"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> GuildSettings:
        """Decode a `guild_settings` row."""
        return cls(**dict(row))


@dataclass(frozen=True)
class UserSettings:
    """A user's personal settings (shared across servers)."""

    user_id: int
    timezone: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> UserSettings:
        """Decode a `user_settings` row."""
        return cls(**dict(row))


@dataclass(frozen=True)
class ScheduleRecord:
    """A release plan for a story; `rule` is the normalised repeat rule (None = one-off)."""

    id: int
    story_id: int
    created_by: int
    next_run_at: int | None
    rule: str | None
    timezone: str
    chapters_per_run: int
    channel_id: int | None
    active: bool
    created_at: int
    last_run_at: int | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ScheduleRecord:
        """Decode a `schedules` row."""
        fields = dict(row)
        fields["active"] = bool(fields["active"])
        return cls(**fields)


@dataclass(frozen=True)
class ReleaseRecord:
    """One chapter going out to one channel, and how that went."""

    id: int
    story_id: int
    schedule_id: int | None
    chapter_id: int
    due_at: int
    channel_id: int
    channel_mode: ChannelMode
    thread_id: int | None
    status: ReleaseStatus
    attempts: int
    last_error: str | None
    started_at: int | None
    finished_at: int | None
    header_message_id: int | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ReleaseRecord:
        """Decode a `releases` row."""
        return cls(**dict(row))


@dataclass(frozen=True)
class ReleaseEventRecord:
    """One entry in a release's history."""

    id: int
    release_id: int
    at: int
    outcome: str
    detail: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ReleaseEventRecord:
        """Decode a `release_events` row."""
        return cls(**dict(row))
