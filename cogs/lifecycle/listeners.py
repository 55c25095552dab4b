"""Translate the gateway's server events into `ServerLifecycle` calls; nothing else.

discord.py turns GUILD_DELETE without `unavailable` into `on_guild_remove` and an outage
(`unavailable: true`) into `on_guild_unavailable`, which is deliberately not listened to.
GUILD_CREATE is `on_guild_join` for a server the bot (re)joined while connected and
`on_guild_available` for one it was in at connect, e.g. re-added while the bot was down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

if TYPE_CHECKING:
    from bot.client import ChapterBot


class LifecycleListeners(commands.Cog):
    """Server removal and return, as seen on the gateway."""

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Arm the purges a previous run left waiting."""
        await self.bot.services.lifecycle.recover()

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from the server (kicked, banned, or the server deleted)."""
        await self.bot.services.lifecycle.guild_removed(guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Added to a server: back before its purge, everything resumes."""
        await self.bot.services.lifecycle.guild_present(guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A server seen at connect: the bot may have been re-added while it was down."""
        await self.bot.services.lifecycle.guild_present(guild.id)


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(LifecycleListeners(bot))
