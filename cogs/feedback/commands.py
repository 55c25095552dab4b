"""Feedback: reaction listeners, `/stats`, note delivery, auto-react and digests.

The `/settings reactions|auto-react|feedback-channel|digest` subcommands live in
`cogs/_feedback_settings.py` and are added to the authoring cog's `/settings` group.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from apscheduler.triggers.date import DateTrigger
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown

from bot.feedback.chart import draw_stats_chart
from bot.feedback.repository import FeedbackSettings, NoteRecord
from bot.feedback.service import FeedbackService, NoteTarget, digest_text
from bot.feedback.stats import stats_text, story_stats
from cogs.common import STORY_HELP, actor_of, resolve_story, story_autocomplete
from cogs.feedback.settings import attach_feedback_settings
from cogs.feedback.views import FeedbackButton

if TYPE_CHECKING:
    from bot.client import ChapterBot

log = logging.getLogger(__name__)

ARCHIVED_THREAD = 50083
UNKNOWN_EMOJI = 10014
CHART_NAME = "stats.png"


async def add_story_reactions(message: discord.Message, emojis: Sequence[str]) -> int:
    """Add `emojis` under a posted message; returns how many were added.

    Never raises for Discord refusals: an archived thread, a missing permission or an emoji that
    no longer exists must not fail a release. Unknown emojis are skipped; anything else stops.
    """
    added = 0
    for emoji in emojis:
        try:
            await message.add_reaction(discord.PartialEmoji.from_str(emoji))
        except discord.HTTPException as exc:
            if exc.code == UNKNOWN_EMOJI:
                log.info("skipping unknown emoji %r on message %s", emoji, message.id)
                continue
            log.info("could not react on message %s (%s); stopping", message.id, exc)
            break
        added += 1
    return added


def auto_react_after_chapter(
    client: discord.Client, message: discord.Message, story_id: int
) -> None:
    """Publishing's hook after a chapter's last page is posted: add the story's reactions when
    auto-react is on, in the background so posting is never slowed or failed by it.
    """
    cog = client.get_cog("Feedback") if isinstance(client, commands.Bot) else None
    if isinstance(cog, FeedbackCog):
        cog.react_later(message, story_id)


def note_embed(
    note: NoteRecord, target: NoteTarget, sender: discord.abc.User | None
) -> discord.Embed:
    """A note as an embed (a note can be longer than a message: descriptions hold 4,096)."""
    title = escape_markdown(target.story.title)
    embed = discord.Embed(
        title=f"💬 Note on “{title[:200]}”, chapter {target.chapter_number}",
        description=note.text,
        colour=discord.Colour.blurple(),
        timestamp=datetime.fromtimestamp(note.created_at, UTC),
    )
    who = "an anonymous reader" if note.anonymous or sender is None else f"<@{sender.id}>"
    embed.add_field(name="From", value=who)
    return embed


class FeedbackCog(commands.Cog, name="Feedback"):
    """Reactions, notes, statistics and digests for authors."""

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot
        self.service = FeedbackService(bot.database)
        self._tasks: set[asyncio.Task[Any]] = set()

    async def cog_load(self) -> None:
        """Register the feedback button, add the settings subcommands, arm the digest jobs."""
        self.bot.add_dynamic_items(FeedbackButton)
        attach_feedback_settings(self.bot)
        for settings in await self.service.digest_schedule():
            self.arm_digest(settings)

    async def cog_unload(self) -> None:
        """Forget the button and the digest jobs."""
        self.bot.remove_dynamic_items(FeedbackButton)
        for job in self.bot.scheduler.get_jobs():
            if job.id.startswith("digest:"):
                job.remove()

    async def drain(self) -> None:
        """On shutdown: drop pending auto-reactions (they are a nicety, not a release step)."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

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
        await self.service.reaction_added(
            payload.guild_id, payload.message_id, payload.user_id, str(payload.emoji)
        )

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """Record a reaction as removed (only reactions recorded as added can be removed)."""
        if self._ignored(payload.user_id, payload.guild_id, None):
            return
        await self.service.reaction_removed(
            payload.guild_id, payload.message_id, payload.user_id, str(payload.emoji)
        )

    def react_later(self, message: discord.Message, story_id: int) -> None:
        """Add the story's auto-react set under `message` in the background."""
        task = asyncio.create_task(self._auto_react(message, story_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _auto_react(self, message: discord.Message, story_id: int) -> None:
        try:
            emojis = await self.service.auto_react_set(story_id)
            if emojis:
                await add_story_reactions(message, emojis)
        except Exception:
            log.exception("auto-react failed on message %s", message.id)

    # -- notes ------------------------------------------------------------------------------

    async def deliver_note(
        self, note: NoteRecord, target: NoteTarget, *, sender: discord.abc.User | None
    ) -> bool:
        """Send a note to the feedback channel if set, else to the authors' DMs.

        Returns False when it reached nobody: it stays pending, and `/stats` says so once.
        """
        embed = note_embed(note, target, sender)
        if target.channel_id is not None and await self._post(target.channel_id, embed):
            await self.service.delivered(note, "channel")
            return True
        reached = [a for a in target.author_ids if await self._dm(a, embed)]
        if reached:
            await self.service.delivered(note, "dm")
            return True
        return False

    async def deliver_pending(self, story_id: int, target: NoteTarget) -> int:
        """Try again to deliver a story's waiting notes; returns how many got through."""
        delivered = 0
        for note in await self.service.pending_notes(story_id):
            number = await self.service.chapter_number(note)
            note_target = NoteTarget(target.story, number, target.author_ids, target.channel_id)
            if await self.deliver_note(note, note_target, sender=self._user(note.author_user_id)):
                delivered += 1
        return delivered

    def _user(self, user_id: int | None) -> discord.abc.User | None:
        return None if user_id is None else discord.Object(user_id)  # type: ignore[return-value]

    async def _post(self, channel_id: int, embed: discord.Embed) -> bool:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return False
        try:
            await channel.send(embed=embed)
        except discord.HTTPException as exc:
            log.info("could not post a note in channel %s: %s", channel_id, exc)
            return False
        return True

    async def _dm(self, user_id: int, content: discord.Embed | str) -> bool:
        """DM a user; False when their DMs are closed or Discord refuses."""
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            if isinstance(content, discord.Embed):
                await user.send(embed=content)
            else:
                await user.send(content)
        except discord.HTTPException as exc:
            log.info("could not DM user %s: %s", user_id, exc)
            return False
        return True

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
        notice = await self._pending_notice(record.id)
        embed = discord.Embed(
            title=f"📊 {escape_markdown(record.title)[:240]}",
            description=stats_text(stats),
            colour=discord.Colour.blurple(),
        )
        kwargs: dict[str, Any] = {"embed": embed, "ephemeral": True}
        if stats.chapters:
            chart = await asyncio.to_thread(draw_stats_chart, stats)
            embed.set_image(url=f"attachment://{CHART_NAME}")
            kwargs["file"] = discord.File(io.BytesIO(chart.png), filename=CHART_NAME)
        if notice:
            kwargs["content"] = notice
        await interaction.followup.send(**kwargs)

    async def _pending_notice(self, story_id: int) -> str | None:
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
        await self.deliver_pending(story_id, target)
        waiting = await self.service.tell_pending(story_id)
        if not waiting:
            return None
        notes = "note is" if waiting == 1 else "notes are"
        return (
            f"📬 {waiting} reader {notes} waiting for you: I could not DM the author(s) and the "
            "story has no feedback channel. Open your DMs to server members, or choose a "
            "channel with `/settings feedback-channel`; I'll deliver them then."
        )

    # -- digests ----------------------------------------------------------------------------

    def arm_digest(self, settings: FeedbackSettings) -> None:
        """(Re)arm a story's digest job at its next time from the DB; remove it when off."""
        job_id = f"digest:{settings.story_id}"
        if settings.digest_frequency == "off" or settings.next_digest_at is None:
            if self.bot.scheduler.get_job(job_id) is not None:
                self.bot.scheduler.remove_job(job_id)
            return
        now = datetime.now(UTC)
        run_at = max(now, datetime.fromtimestamp(settings.next_digest_at, UTC))
        self.bot.scheduler.add_job(
            self.digest_job,
            DateTrigger(run_date=run_at),
            id=job_id,
            args=[settings.story_id],
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    async def digest_job(self, story_id: int) -> None:
        """Send a story's digest to its authors by DM, then arm the next one."""
        await self.bot.wait_until_ready()
        digest = await self.service.run_digest(story_id)
        if digest is None:
            return
        text = digest_text(digest)
        reached = [a for a in await self.service.author_ids(story_id) if await self._dm(a, text)]
        settings = await self.service.settings(story_id)
        if not reached and settings.feedback_channel_id is not None:
            channel = self.bot.get_channel(settings.feedback_channel_id)
            if isinstance(channel, discord.abc.Messageable):
                try:
                    await channel.send(text)
                except discord.HTTPException as exc:
                    log.info("could not post the digest of story %s: %s", story_id, exc)
        self.arm_digest(settings)


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(FeedbackCog(bot))
