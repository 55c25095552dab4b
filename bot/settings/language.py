"""The language of a server's public posts: `/settings language` (an override of the
server's Discord locale, `preferred_locale`)."""

from __future__ import annotations

from bot.actor import Actor
from bot.errors import InvalidInput
from bot.i18n.locale import SUPPORTED
from bot.settings.repository import SettingsRepository
from bot.storage import Database
from bot.stories.policy import require_manager

# What `/settings language` accepts: the translated locales, English, or "server" (no override).
FOLLOW_SERVER = "server"
CHOICES: tuple[str, ...] = (FOLLOW_SERVER, "en-US", *SUPPORTED)


class ServerLanguages:
    """Read and set a server's public-post language."""

    def __init__(self, db: Database) -> None:
        self.settings = SettingsRepository(db)

    async def get(self, guild_id: int) -> str | None:
        """The server's chosen locale, or None to follow its Discord locale."""
        return (await self.settings.get_guild(guild_id)).language

    async def set(self, actor: Actor, code: str) -> str | None:
        """Choose a locale (Manage Server only); `server` clears the override."""
        require_manager(actor)
        if code not in CHOICES:
            raise InvalidInput(
                "Unknown language “{code}”.",
                hint="Pick one from the list.",
                params={"code": code},
            )
        language = None if code == FOLLOW_SERVER else code
        await self.settings.set_guild(actor.guild_id, language=language)
        return language
