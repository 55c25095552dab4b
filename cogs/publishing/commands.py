"""`/publish`, `/schedule ...` and `/doctor`: thin adapters over `bot.publishing`."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.actor import Actor
from bot.publishing import manage
from bot.publishing.calendar_png import draw_calendar
from bot.publishing.doctor import diagnose
from bot.publishing.planner import Target, resolve_target
from bot.publishing.policy import PublisherFacts, require_may_publish
from bot.publishing.service import PublishingService
from bot.scheduling import RepeatRule, discord_timestamp, preview_repeat, preview_when, say_rule
from bot.stories.policy import require_author
from bot.stories.records import StoryRecord
from cogs.common import STORY_HELP, actor_of, resolve_story, story_autocomplete
from cogs.i18n import speaker_of
from cogs.publishing.messages import (
    diagnosis_text,
    result_line,
)
from cogs.publishing.schedule_text import calendar_words, history_text, schedule_list_text

if TYPE_CHECKING:
    from bot.client import ChapterBot

CHANNEL_HELP = "Post here instead of the story's channel (this time only)"
PostTarget = discord.TextChannel | discord.ForumChannel
CALENDAR_NAME = "schedule-calendar.png"
PROGRESS_EVERY_S = 1.5  # edits of the progress line are throttled to stay well within limits
WHEN_EXAMPLES = ("in 2 hours", "tomorrow 18:00", "friday 6pm", "2026-12-01 18:00",
                 "24.12.2026 18h", "18:00 CET")  # fmt: skip
REPEAT_EXAMPLES = ("daily", "weekly", "every friday 18:00", "every 2 days", "0 18 * * 5",
                   "weekdays 9am", "every other friday 18:00", "first friday of every month 18:00",
                   "monthly")  # fmt: skip
WHEN_HELP = "First run: `friday 18:00`, `24.12.2026 18h`, `in two hours`, `18:00 CET`, `tonight`"
REPEAT_HELP = (
    "Optional: `fridays 18:00`, `weekdays 9am`, `every other friday 18:00`, `monthly`, cron"
)


def _target(story: StoryRecord, channel: PostTarget | None) -> Target:
    kind = "forum" if isinstance(channel, discord.ForumChannel) else "text"
    return resolve_target(story, channel.id if channel else None, kind)


def check_member(interaction: discord.Interaction, story: StoryRecord, target: Target) -> None:
    """Refuse unless the member may post in the target and mention the story's notify role."""
    guild, member = interaction.guild, interaction.user
    if guild is None or not isinstance(member, discord.Member):
        return
    channel = guild.get_channel(target.channel_id)
    if channel is None:
        return  # the domain reports a missing channel with more context
    perms = channel.permissions_for(member)
    role = guild.get_role(story.notify_role_id) if story.notify_role_id else None
    require_may_publish(
        PublisherFacts(
            channel_id=channel.id,
            can_post=perms.view_channel and perms.send_messages,
            notify_role_id=role.id if role is not None else None,
            role_mentionable=role is None or role.mentionable,
            mention_everyone=perms.mention_everyone,
        )
    )


class ProgressLine:
    """Edits the command's reply with `Posting chapter 3: 12/30`, at most every 1.5 s."""

    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction
        self.t = speaker_of(interaction)
        self.last = 0.0

    async def __call__(self, chapter: int, done: int, total: int) -> None:
        """Report one more page posted."""
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        with contextlib.suppress(discord.HTTPException):
            await self.interaction.edit_original_response(
                content=self.t.gettext(
                    "Posting chapter {chapter}: {done}/{total}",
                    chapter=chapter,
                    done=done,
                    total=total,
                )
            )


class Publishing(commands.Cog):
    """Posting chapters now and on schedule; diagnosis."""

    schedule = app_commands.Group(
        name="schedule", description="Plan when chapters go out", guild_only=True
    )

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot
        self.service: PublishingService | None = None
        self._recovery: asyncio.Task[None] | None = None

    @property
    def svc(self) -> PublishingService:
        """The publishing service (created in cog_load)."""
        assert self.service is not None
        return self.service

    async def cog_load(self) -> None:
        """Requeue interrupted releases now; once ready, arm timers then post what was missed."""
        self.service = self.bot.services.publishing
        await self.service.prepare()
        self._recovery = asyncio.create_task(self.service.recover(), name="publishing-recovery")

    async def drain(self) -> None:
        """Stop taking work and let the page being posted finish."""
        if self.service is not None:
            await self.service.drain()
        if self._recovery is not None and not self._recovery.done():
            self._recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._recovery

    def _now(self) -> datetime:
        """The use cases' clock (the machine's, unless a test moved it)."""
        return datetime.fromtimestamp(self.svc.clock(), UTC)

    def _default_zone(self) -> str:
        return self.bot.settings.default_timezone

    async def _zone(self, interaction: discord.Interaction) -> ZoneInfo:
        return await manage.zone_for(self.svc, actor_of(interaction), self._default_zone())

    # -- /publish -------------------------------------------------------------------------------

    @app_commands.command(name="publish", description="Release the next chapters now")
    @app_commands.guild_only()
    @app_commands.describe(
        story=STORY_HELP, chapters="How many chapters (default 1)", channel=CHANNEL_HELP
    )
    @app_commands.autocomplete(story=story_autocomplete)
    async def publish(
        self,
        interaction: discord.Interaction,
        story: str,
        chapters: app_commands.Range[int, 1, 100] = 1,
        channel: PostTarget | None = None,
    ) -> None:
        """Queue the chapters, then post them while showing progress."""
        record, actor, target = await self._authorised_target(interaction, story, channel)
        releases = await manage.publish_now(self.svc, record, actor, chapters, target)
        await interaction.response.defer(ephemeral=True, thinking=True)
        progress = ProgressLine(interaction)
        results = await manage.post_in_order(self.svc, releases, progress)
        lines = [result_line(r, progress.t) for r in results]
        with contextlib.suppress(discord.HTTPException):
            await interaction.edit_original_response(content="\n".join(lines)[:2000])

    # -- /schedule ------------------------------------------------------------------------------

    async def _authorised_target(
        self, interaction: discord.Interaction, story: str, channel: PostTarget | None
    ) -> tuple[StoryRecord, Actor, Target]:
        """The story, its author asking, and where it goes: refuses anyone who may not post."""
        record = await resolve_story(interaction, story)
        actor = actor_of(interaction)
        await require_author(self.svc.stories, record, actor)
        target = _target(record, channel)
        check_member(interaction, record, target)
        return record, actor, target

    async def _preview_choices(
        self,
        interaction: discord.Interaction,
        current: str,
        preview: Callable[..., str],
        examples: Sequence[str],
    ) -> list[app_commands.Choice[str]]:
        """Autocomplete showing how the typed text (or each example) is understood."""
        zone, now = await self._zone(interaction), self._now()
        typed = current.strip()[:100]
        options = (typed,) if typed else examples
        # The command reads slash dates in the author's locale; the preview must say the same.
        locale = str(interaction.locale)
        return [
            app_commands.Choice(name=preview(text, zone, now, locale=locale), value=text)
            for text in options
        ]

    # Option descriptions (Discord allows 100 characters) show the wider language of issue 15.
    @schedule.command(name="add", description="Schedule the next chapters (once or repeating)")
    @app_commands.describe(
        story=STORY_HELP,
        when=WHEN_HELP,
        repeat=REPEAT_HELP,
        chapters="Chapters per run (default 1)",
        channel=CHANNEL_HELP,
    )
    @app_commands.autocomplete(story=story_autocomplete)
    async def schedule_add(
        self,
        interaction: discord.Interaction,
        story: str,
        when: str,
        repeat: str | None = None,
        chapters: app_commands.Range[int, 1, 100] = 1,
        channel: PostTarget | None = None,
    ) -> None:
        """Store the schedule and show when it runs."""
        record, actor, target = await self._authorised_target(interaction, story, channel)
        zone = await self._zone(interaction)
        request = manage.ScheduleRequest(
            when, repeat, chapters, channel.id if channel else None, str(interaction.locale)
        )
        created = await manage.add_schedule(
            self.svc, record, actor, request, target, zone=zone, now=self._now()
        )
        first = datetime.fromtimestamp(created.next_run_at or 0, UTC)
        t = speaker_of(interaction)
        then = ""
        if created.rule:
            rule = say_rule(RepeatRule.from_text(created.rule), zone, first, t)
            then = t.gettext(", then {rule}", rule=rule)
        await interaction.response.send_message(
            "🗓️ "
            + t.ngettext(
                "Schedule #{id} for “{title}”: first run {first} ({relative}){then}; "
                "{n} chapter per run in {channel}.",
                "Schedule #{id} for “{title}”: first run {first} ({relative}){then}; "
                "{n} chapters per run in {channel}.",
                created.chapters_per_run,
                id=created.id,
                title=discord.utils.escape_markdown(record.title),
                first=discord_timestamp(first, "F"),
                relative=discord_timestamp(first, "R"),
                then=then,
                channel=f"<#{target.channel_id}>",
            ),
            ephemeral=True,
        )

    @schedule_add.autocomplete("when")
    async def _when_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        when = functools.partial(preview_when, speaker=speaker_of(interaction))
        return await self._preview_choices(interaction, current, when, WHEN_EXAMPLES)

    @schedule_add.autocomplete("repeat")
    async def _repeat_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        repeat = functools.partial(preview_repeat, speaker=speaker_of(interaction))
        return await self._preview_choices(interaction, current, repeat, REPEAT_EXAMPLES)

    @schedule.command(name="list", description="Schedules of a story, or of the whole server")
    @app_commands.describe(story=STORY_HELP)
    @app_commands.autocomplete(story=story_autocomplete)
    async def schedule_list(
        self, interaction: discord.Interaction, story: str | None = None
    ) -> None:
        """List schedules with their next run."""
        actor = actor_of(interaction)
        record = await resolve_story(interaction, story) if story else None
        listed = await manage.list_schedules(self.svc, actor.guild_id, record)
        t = speaker_of(interaction)
        # The text list answers at once and stays (screen readers); the picture follows.
        await interaction.response.send_message(schedule_list_text(listed, t), ephemeral=True)
        if not listed:
            return
        zone = await self._zone(interaction)
        days = await manage.schedule_calendar(self.svc, listed, zone, self._now())
        caption = t.gettext("Next 4 weeks ({zone})", zone=zone.key)
        png = await asyncio.to_thread(draw_calendar, days, caption, calendar_words(t))
        with contextlib.suppress(discord.HTTPException):  # the list already answered
            await interaction.followup.send(
                file=discord.File(io.BytesIO(png), filename=CALENDAR_NAME), ephemeral=True
            )

    @schedule.command(name="cancel", description="Delete a schedule")
    @app_commands.describe(id="The schedule's number, from /schedule list")
    async def schedule_cancel(self, interaction: discord.Interaction, id: int) -> None:
        """Delete one schedule."""
        story = await manage.cancel_schedule(self.svc, actor_of(interaction), id)
        title = discord.utils.escape_markdown(story.title)
        text = speaker_of(interaction).gettext(
            "🗑️ Schedule #{id} of “{title}” is cancelled.", id=id, title=title
        )
        await interaction.response.send_message(text, ephemeral=True)

    @schedule.command(name="pause", description="Pause a story's schedules")
    @app_commands.describe(story=STORY_HELP)
    @app_commands.autocomplete(story=story_autocomplete)
    async def schedule_pause(self, interaction: discord.Interaction, story: str) -> None:
        """Pause: runs that fall due wait until resumed."""
        record = await resolve_story(interaction, story)
        await manage.set_paused(self.svc, record, actor_of(interaction), True)
        text = speaker_of(interaction).gettext(
            "⏸️ “{title}” is paused; runs that fall due wait for `/schedule resume` "
            "(then the server's missed-release setting applies).",
            title=discord.utils.escape_markdown(record.title),
        )
        await interaction.response.send_message(text, ephemeral=True)

    @schedule.command(name="resume", description="Resume a paused story's schedules")
    @app_commands.describe(story=STORY_HELP)
    @app_commands.autocomplete(story=story_autocomplete)
    async def schedule_resume(self, interaction: discord.Interaction, story: str) -> None:
        """Resume: the next run on each schedule's grid posts again."""
        record = await resolve_story(interaction, story)
        await manage.set_paused(self.svc, record, actor_of(interaction), False)
        text = speaker_of(interaction).gettext(
            "▶️ “{title}” is publishing again.", title=discord.utils.escape_markdown(record.title)
        )
        await interaction.response.send_message(text, ephemeral=True)

    @schedule.command(name="history", description="Every release attempt of a story")
    @app_commands.describe(story=STORY_HELP)
    @app_commands.autocomplete(story=story_autocomplete)
    async def schedule_history(self, interaction: discord.Interaction, story: str) -> None:
        """Show release attempts and their outcomes, newest first."""
        record = await resolve_story(interaction, story)
        entries = await manage.release_history(self.svc, record, actor_of(interaction))
        text = history_text(record, entries, speaker_of(interaction))
        await interaction.response.send_message(text, ephemeral=True)

    # -- /doctor --------------------------------------------------------------------------------

    @app_commands.command(name="doctor", description="Why a story was or will not be posted")
    @app_commands.guild_only()
    @app_commands.describe(story="A story (default: every story you author here)")
    @app_commands.autocomplete(story=story_autocomplete)
    async def doctor(self, interaction: discord.Interaction, story: str | None = None) -> None:
        """Diagnose one story, or each story the member may manage."""
        actor = actor_of(interaction)
        if story:
            record = await resolve_story(interaction, story)
            await require_author(self.svc.stories, record, actor)
            records = [record]
        else:
            stories = self.svc.stories
            records = await (
                stories.list_for_guild(actor.guild_id)
                if actor.manage_guild
                else stories.list_for_author(actor.guild_id, actor.user_id)
            )
        t = speaker_of(interaction)
        if not records:
            await interaction.response.send_message(
                t.gettext("You have no stories here."), ephemeral=True
            )
            return
        parts = [diagnosis_text(await diagnose(self.svc, r), t) for r in records[:10]]
        await interaction.response.send_message("\n\n".join(parts)[:2000], ephemeral=True)


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Publishing(bot))
