"""Server and user settings. A missing row simply means "all defaults"."""

from __future__ import annotations

from typing import Any

from bot.settings.records import MISSED_RELEASE_POLICIES, GuildSettings, UserSettings
from bot.storage.repository import Repository, columns, upsert_sql

_GUILD_COLUMNS = columns(GuildSettings)
_USER_COLUMNS = columns(UserSettings)
_GUILD_SQL = f"SELECT {_GUILD_COLUMNS} FROM guild_settings WHERE guild_id = :guild_id"
GUILD_FIELDS = frozenset({"timezone", "author_role_id", "missed_release_policy", "language"})


class SettingsRepository(Repository):
    """Read and change guild and user settings."""

    async def get_guild(self, guild_id: int) -> GuildSettings:
        """A server's settings (defaults if it never set any)."""
        row = await self.db.fetch_one(_GUILD_SQL, {"guild_id": guild_id})
        return GuildSettings(guild_id) if row is None else GuildSettings.from_row(row)

    async def set_guild(self, guild_id: int, **fields: Any) -> GuildSettings:
        """Change some of a server's settings (None clears one back to its default)."""
        unknown = set(fields) - GUILD_FIELDS
        if unknown:
            raise ValueError(f"unknown guild settings {sorted(unknown)}")
        if not fields:
            return await self.get_guild(guild_id)
        if fields.get("missed_release_policy", "all") is None:
            fields["missed_release_policy"] = "all"  # the column's default; it is NOT NULL
        policy = fields.get("missed_release_policy", "all")
        if policy not in MISSED_RELEASE_POLICIES:
            raise ValueError(f"missed_release_policy must be one of {MISSED_RELEASE_POLICIES}")
        # Column names come from GUILD_FIELDS only; values are bound parameters.
        async with self.db.transaction() as tx:
            await tx.execute(
                upsert_sql("guild_settings", ("guild_id",), fields),
                {"guild_id": guild_id, **fields},
            )
            row = await tx.fetch_one(_GUILD_SQL, {"guild_id": guild_id})
        assert row is not None
        return GuildSettings.from_row(row)

    async def get_user(self, user_id: int) -> UserSettings:
        """A user's settings (defaults if they never set any)."""
        row = await self.db.fetch_one(
            f"SELECT {_USER_COLUMNS} FROM user_settings WHERE user_id = :user_id",
            {"user_id": user_id},
        )
        return UserSettings(user_id) if row is None else UserSettings.from_row(row)

    async def set_user_timezone(self, user_id: int, timezone: str | None) -> UserSettings:
        """Set (or with None, clear) a user's time zone."""
        async with self.db.transaction() as tx:
            await tx.execute(
                upsert_sql("user_settings", ("user_id",), ("timezone",)),
                {"user_id": user_id, "timezone": timezone},
            )
        return UserSettings(user_id, timezone)
