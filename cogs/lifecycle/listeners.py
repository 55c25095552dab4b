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

from bot.events import SchedulePaused, StoryChannelLost
from bot.i18n import SOURCE, Speaker
from bot.publishing.notes import RELEASE_NOTES
from cogs.event_order import InOrder
from cogs.lifecycle.stale_buttons import answer_if_stale

if TYPE_CHECKING:
    from bot.client import ChapterBot

log = logging.getLogger(__name__)

# The outbox subscribers' names: stored in rows, keep them stable.
OWNER_DM = "lifecycle.owner_dm"
FAILURE_DM = "lifecycle.failure_dm"
SERVERS = "servers"  # the one key of the server events' turns


def channel_lost_text(event: StoryChannelLost, t: Speaker = SOURCE) -> str:
    """The owner's DM: which story, what happened, and the fix (in the server's language)."""
    return t.gettext(
        "“{title}” can't be posted: its channel ({channel}) was deleted, so its schedules are "
        "paused. Choose a new channel with `/settings channel`, then `/schedule resume`.",
        title=escape_markdown(event.title),
        channel=f"<#{event.channel_id}>",
    )


def schedule_paused_text(event: SchedulePaused, t: Speaker = SOURCE) -> str:
    """The owner's DM after a scheduled release failed: which story, why, and the fix.

    The error is the release's recorded reason, said again in `t`'s language.
    """
    return t.gettext(
        "“{title}”: chapter {number} could not be posted ({error}), so its schedules are "
        "paused. `/doctor` shows what to fix; then `/schedule resume`.",
        title=escape_markdown(event.title),
        number=event.chapter_number,
        error=escape_markdown(RELEASE_NOTES.say(event.error, t)),
    )


class LifecycleListeners(commands.Cog):
    """Server removal and return, channels and threads deleted, as seen on the gateway."""

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot
        # A quick GUILD_DELETE then GUILD_CREATE (or READY's check, then a GUILD_CREATE) must
        # be applied in that order (see cogs.event_order); READY's check spans every server,
        # so all of them share one turn.
        self._in_order = InOrder()

    async def cog_load(self) -> None:
        """Subscribe the owner DM; arm the purges a previous run left waiting."""
        services = self.bot.services
        services.outbox.subscribe(StoryChannelLost, OWNER_DM, self._channel_lost)
        services.outbox.subscribe(SchedulePaused, FAILURE_DM, self._schedule_paused)
        await services.lifecycle.recover()

    async def cog_unload(self) -> None:
        """Drop the subscription."""
        self.bot.services.outbox.unsubscribe(OWNER_DM)
        self.bot.services.outbox.unsubscribe(FAILURE_DM)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Servers the bot was removed from while it was down are treated as removed now."""
        # The guild cache holds every guild of READY, the unavailable ones (an outage) too,
        # and each GUILD_CREATE since: asked live, a server re-added meanwhile is not lost.
        async with self._in_order.turn(SERVERS):
            removed = await self.bot.services.lifecycle.removed_while_offline(
                lambda guild_id: self.bot.get_guild(guild_id) is not None,
                ours=self.bot.settings.shards.owns,  # only this process's shards
            )
        if removed:
            log.info("removed while offline from %d server(s): %s", len(removed), removed)

    @commands.Cog.listener()
    async def on_component_interaction(self, interaction: discord.Interaction[ChapterBot]) -> None:
        """A click on a button nothing handles any more (old version, gone view) is answered."""
        # The view store is discord.py's router for component clicks; it has no public getter.
        if await answer_if_stale(interaction, self.bot._connection._view_store):
            data = dict(interaction.data or {})
            log.info("answered a stale button click (custom_id %r)", data.get("custom_id"))

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from the server (kicked, banned, or the server deleted)."""
        async with self._in_order.turn(SERVERS):
            await self.bot.services.lifecycle.guild_removed(guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Added to a server: back before its purge, everything resumes."""
        async with self._in_order.turn(SERVERS):
            await self.bot.services.lifecycle.guild_present(guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A server seen at connect: the bot may have been re-added while it was down."""
        async with self._in_order.turn(SERVERS):
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

    async def _channel_lost(self, event: StoryChannelLost) -> None:
        """Tell the owner their story's channel is gone."""
        voice = await self.bot.server_voice(event.guild_id)
        await self._tell_owner(event.owner_id, event.story_id, channel_lost_text(event, voice))

    async def _schedule_paused(self, event: SchedulePaused) -> None:
        """Tell the owner a scheduled release failed and the story is paused."""
        voice = await self.bot.server_voice(event.guild_id)
        text = schedule_paused_text(event, voice)
        await self._tell_owner(event.owner_id, event.story_id, text)

    async def _tell_owner(self, owner_id: int, story_id: int, text: str) -> None:
        """DM the owner once; closed DMs are not retried (`/doctor` still explains)."""
        try:
            user = self.bot.get_user(owner_id) or await self.bot.fetch_user(owner_id)
            await user.send(text)
        except (discord.Forbidden, discord.NotFound):
            log.info("could not DM the owner of story %s", story_id)


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(LifecycleListeners(bot))
