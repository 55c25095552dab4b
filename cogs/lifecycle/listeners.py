"""Translate the gateway's server and channel events into use-case calls; nothing else.

discord.py turns GUILD_DELETE without `unavailable` into `on_guild_remove` and an outage
(`unavailable: true`) into `on_guild_unavailable`, which is deliberately not listened to.
GUILD_CREATE is `on_guild_join` for a server the bot (re)joined while connected and
`on_guild_available` for one it was in at connect, e.g. re-added while the bot was down.
THREAD_DELETE is heard raw: the thread may not be cached.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands
from discord.utils import escape_markdown

from bot.events import StoryChannelLost

if TYPE_CHECKING:
    from bot.client import ChapterBot

log = logging.getLogger(__name__)

OWNER_DM = "lifecycle.owner_dm"  # the outbox subscriber's name: stored in rows, keep stable


def channel_lost_text(event: StoryChannelLost) -> str:
    """The owner's DM: which story, what happened, and the fix."""
    return (
        f"“{escape_markdown(event.title)}” can't be posted: its channel (<#{event.channel_id}>)"
        " was deleted, so its schedules are paused. Choose a new channel with"
        " `/settings channel`, then `/schedule resume`."
    )


class LifecycleListeners(commands.Cog):
    """Server removal and return, channels and threads deleted, as seen on the gateway."""

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Subscribe the owner DM; arm the purges a previous run left waiting."""
        services = self.bot.services
        services.outbox.subscribe(StoryChannelLost, OWNER_DM, self._tell_owner)
        await services.lifecycle.recover()

    async def cog_unload(self) -> None:
        """Drop the subscription."""
        self.bot.services.outbox.unsubscribe(OWNER_DM)

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

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A channel or forum was deleted."""
        await self.bot.services.target_loss.channel_deleted(channel.id)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A thread (or forum post) was deleted."""
        await self.bot.services.target_loss.thread_deleted(payload.thread_id)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A message was deleted: if it was a posted page, the release records it."""
        await self.bot.services.page_deletions.messages_deleted([payload.message_id])

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        """Messages were deleted in bulk (a moderator's purge)."""
        await self.bot.services.page_deletions.messages_deleted(sorted(payload.message_ids))

    async def _tell_owner(self, event: StoryChannelLost) -> None:
        """DM the owner once; closed DMs are not retried (`/doctor` still explains)."""
        try:
            user = self.bot.get_user(event.owner_id) or await self.bot.fetch_user(event.owner_id)
            await user.send(channel_lost_text(event))
        except (discord.Forbidden, discord.NotFound):
            log.info("could not DM the owner of story %s", event.story_id)


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(LifecycleListeners(bot))
