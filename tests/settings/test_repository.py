"""SettingsRepository: defaults for strangers, partial updates, clearing."""

from __future__ import annotations

import pytest

from bot.settings.records import GuildSettings, UserSettings
from bot.settings.repository import SettingsRepository
from bot.storage import Database


async def test_guild_settings_default_then_update_in_parts(db: Database) -> None:
    settings = SettingsRepository(db)
    assert await settings.get_guild(1) == GuildSettings(1, None, None, "all")
    await settings.set_guild(1, timezone="Europe/Paris")
    updated = await settings.set_guild(1, author_role_id=77, missed_release_policy="latest")
    assert updated == GuildSettings(1, "Europe/Paris", 77, "latest")
    assert await settings.get_guild(1) == updated
    cleared = await settings.set_guild(1, timezone=None, missed_release_policy=None)
    assert cleared == GuildSettings(1, None, 77, "all")
    assert await settings.get_guild(2) == GuildSettings(2)


async def test_guild_settings_reject_unknown_fields_and_policies(db: Database) -> None:
    settings = SettingsRepository(db)
    with pytest.raises(ValueError, match="unknown"):
        await settings.set_guild(1, prefix="!")
    with pytest.raises(ValueError, match="missed_release_policy"):
        await settings.set_guild(1, missed_release_policy="some")
    assert await db.fetch_value("SELECT count(*) FROM guild_settings") == 0


async def test_user_timezone_set_and_clear(db: Database) -> None:
    settings = SettingsRepository(db)
    assert await settings.get_user(5) == UserSettings(5, None)
    assert await settings.set_user_timezone(5, "Asia/Tokyo") == UserSettings(5, "Asia/Tokyo")
    assert await settings.get_user(5) == UserSettings(5, "Asia/Tokyo")
    await settings.set_user_timezone(5, None)
    assert await settings.get_user(5) == UserSettings(5, None)
