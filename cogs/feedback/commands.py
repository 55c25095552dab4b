"""Feedback: reaction listeners, `/stats`, and wiring notes, digests and auto-react in.

The `/settings reactions|auto-react|feedback-channel|digest` subcommands live in
`cogs/feedback/settings.py` and are added to the settings cog's `/settings` group; delivering
notes and digests and adding reactions under new chapters live in `cogs/feedback/delivery.py`.
Auto-react is a durable subscriber of `chapter_released` (through the outbox); the
`💬 Feedback` button is a chapter-post decoration.
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown

from bot.events import ChapterReleased, StoryDeleted
from bot.feedback.chart import draw_stats_chart
from bot.feedback.service import NoteTarget
from bot.feedback.stats import stats_text, story_stats
from bot.i18n import Speaker
from cogs.common import STORY_HELP, actor_of, resolve_story, story_autocomplete
from cogs.event_order import InOrder
from cogs.feedback.delivery import (
    add_story_reactions,
    arm_digest,
    auto_react,
    deliver_pending,
    disarm_digest,
)
from cogs.feedback.settings import attach_feedback_settings, detach_feedback_settings
from cogs.feedback.views import FeedbackButton
from cogs.i18n import speaker_of

if TYPE_CHECKING:
    from bot.client import ChapterBot

__all__ = ["FeedbackCog", "add_story_reactions", "setup"]

log = logging.getLogger(__name__)

CHART_NAME = "stats.png"
AUTO_REACT = "feedback.auto_react"  # the outbox subscriber's name: stored in rows, keep stable
DECORATION = "feedback"
DECORATION_ORDER = 20  # after the reader's buttons


class FeedbackCog(commands.Cog, name="Feedback"):
    """Reactions, notes, statistics and digests for authors."""

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot
        self.service = bot.services.feedback
        # A reaction added and at once removed is applied in that order (see cogs.event_order).
        self._reactions_in_order = InOrder()

    async def cog_load(self) -> None:
        """Register the button, subscribe to events, add the settings, arm the digest jobs."""
        self.bot.add_dynamic_items(FeedbackButton)
        self.bot.decorations.add(
            DECORATION, lambda story, chapter: [FeedbackButton(story, chapter)],
            order=DECORATION_ORDER,
        )  # fmt: skip
        services = self.bot.services
        services.outbox.subscribe(ChapterReleased, AUTO_REACT, self._auto_react)
        services.bus.subscribe(StoryDeleted, self._story_deleted)
        attach_feedback_settings(self.bot)
        for settings in await self.service.digest_schedule():
            arm_digest(self.bot, settings)

    async def cog_unload(self) -> None:
        """Forget the button, the subscriptions and the digest jobs."""
        self.bot.remove_dynamic_items(FeedbackButton)
        self.bot.decorations.remove(DECORATION)
        detach_feedback_settings(self.bot)
        services = self.bot.services
        services.outbox.unsubscribe(AUTO_REACT)
        services.bus.unsubscribe(StoryDeleted, self._story_deleted)
        for job in self.bot.scheduler.get_jobs():
            if job.id.startswith("digest:"):
                job.remove()

    async def _auto_react(self, event: ChapterReleased) -> None:
        await auto_react(self.bot, event)

    async def _story_deleted(self, event: StoryDeleted) -> None:
        disarm_digest(self.bot, event.story_id)

    # -- reactions --------------------------------------------------------------------------

    def _ignored(self, user_id: int, guild_id: int | None, member: discord.Member | None) -> bool:
        """The bot's own reactions, other bots' and DM reactions are not readers' feedback."""
        if guild_id is None or (self.bot.user is not None and user_id == self.bot.user.id):
            return True
        if member is not None:
            return member.bot
        cached = self.bot.get_user(user_id)
        return cached is not None and cached.bot

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """Record a reader's reaction on a page the bot posted (cached message or not)."""
        if self._ignored(payload.user_id, payload.guild_id, payload.member):
            return
        async with self._reactions_in_order.turn(_reaction_key(payload)):
            await self.service.reaction_added(
                payload.guild_id, payload.message_id, payload.user_id, str(payload.emoji)
            )

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """Record a reaction as removed (only reactions recorded as added can be removed)."""
        if self._ignored(payload.user_id, payload.guild_id, None):
            return
        async with self._reactions_in_order.turn(_reaction_key(payload)):
            await self.service.reaction_removed(
                payload.guild_id, payload.message_id, payload.user_id, str(payload.emoji)
            )

    # -- /stats -----------------------------------------------------------------------------

    @app_commands.command(name="stats", description="Readers, retention, reactions and notes")
    @app_commands.describe(story=STORY_HELP)
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction, story: str) -> None:
        """Authors only: the story's statistics and a chart, ephemeral."""
        record = await resolve_story(interaction, story)
        stats = await story_stats(self.service, actor_of(interaction), record)
        await interaction.response.defer(ephemeral=True, thinking=True)
        t = speaker_of(interaction)
        notice = await self._pending_notice(record.id, t)
        extra = await self.bot.stats_extensions.lines(record.id, t)  # other features' lines
        embed = discord.Embed(
            title=f"📊 {escape_markdown(record.title)[:240]}",
            description="\n".join([stats_text(stats, t=t), *extra])[:4096],
            colour=discord.Colour.blurple(),
        )
        kwargs: dict[str, Any] = {"embed": embed, "ephemeral": True}
        if stats.chapters:
            chart = await asyncio.to_thread(draw_stats_chart, stats, t)
            embed.set_image(url=f"attachment://{CHART_NAME}")
            kwargs["file"] = discord.File(io.BytesIO(chart.png), filename=CHART_NAME)
        if notice:
            kwargs["content"] = notice
        await interaction.followup.send(**kwargs)

    async def _pending_notice(self, story_id: int, t: Speaker) -> str | None:
        """Retry waiting notes; tell the authors once about notes that still reach nobody."""
        pending = await self.service.pending_notes(story_id)
        if not pending:
            return None
        story = await self.service.stories.get(story_id)
        if story is None:
            return None
        settings = await self.service.settings(story_id)
        authors = await self.service.author_ids(story_id)
        target = NoteTarget(story, None, authors, settings.feedback_channel_id)
        await deliver_pending(self.bot, story_id, target)
        waiting = await self.service.tell_pending(story_id)
        if not waiting:
            return None
        return t.ngettext(
            "📬 {n} reader note is waiting for you: I could not DM the author(s) and the story"
            " has no feedback channel. Open your DMs to server members, or choose a channel with"
            " `/settings feedback-channel`; I'll deliver it then.",
            "📬 {n} reader notes are waiting for you: I could not DM the author(s) and the story"
            " has no feedback channel. Open your DMs to server members, or choose a channel with"
            " `/settings feedback-channel`; I'll deliver them then.",
            waiting,
        )


def _reaction_key(payload: discord.RawReactionActionEvent) -> tuple[int, int, str]:
    return (payload.message_id, payload.user_id, str(payload.emoji))


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(FeedbackCog(bot))
