"""The frozen records of server and user settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.stories.records import Row

MissedReleasePolicy = Literal["all", "latest"]
MISSED_RELEASE_POLICIES: tuple[str, ...] = ("all", "latest")


@dataclass(frozen=True)
class GuildSettings:
    """A server's settings; a server that never set anything gets the defaults."""

    guild_id: int
    timezone: str | None = None
    author_role_id: int | None = None
    missed_release_policy: MissedReleasePolicy = "all"
    language: str | None = None  # Discord locale of public posts; None: preferred_locale

    @classmethod
    def from_row(cls, row: Row) -> GuildSettings:
        """Decode a `guild_settings` row."""
        return cls(**dict(row))


@dataclass(frozen=True)
class UserSettings:
    """A user's personal settings (shared across servers)."""

    user_id: int
    timezone: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> UserSettings:
        """Decode a `user_settings` row."""
        return cls(**dict(row))
