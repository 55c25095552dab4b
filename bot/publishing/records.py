"""The frozen records of schedules, releases and their history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.stories.records import ChannelMode, Row

ReleaseStatus = Literal["pending", "posting", "done", "failed"]
RELEASE_STATUSES: tuple[str, ...] = ("pending", "posting", "done", "failed")


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
    def from_row(cls, row: Row) -> ScheduleRecord:
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
    # The process holding the release while it posts, and until when (renewed per page).
    claimed_by: str | None = None
    lease_until: int | None = None

    @classmethod
    def from_row(cls, row: Row) -> ReleaseRecord:
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
    def from_row(cls, row: Row) -> ReleaseEventRecord:
        """Decode a `release_events` row."""
        return cls(**dict(row))
