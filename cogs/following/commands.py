"""Following: `/follow`, `/unfollow`, `/following`, `/dms`, `/settings follow-dm`, 🔔, release DMs.

The `🔔 Follow` button is a chapter-post decoration (`bot.decorations`); release DMs are planned
by a durable outbox subscriber of `chapter_released` (so the work is recorded in the release's
own transaction) and sent by `cogs.following.delivery.DmSender`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown

from bot.events import ChapterReleased, EarlyAccessOpened
from bot.i18n import N_, Speaker
from cogs.common import STORY_HELP, actor_of, resolve_story, story_autocomplete
from cogs.following.access import channel_facts
from cogs.following.delivery import DmSender, plan, plan_early
from cogs.following.views import DmReadButton, FollowButton
from cogs.i18n import speaker_of

if TYPE_CHECKING:
    from bot.client import ChapterBot

PLAN_DMS = "following.plan_dms"  # the outbox subscriber's name: stored in rows, keep stable
PLAN_EARLY_DMS = "following.plan_early_dms"  # likewise, for early access opening
DECORATION = "following"
DECORATION_ORDER = 30  # after the reader's and feedback's buttons
SWEEP_S = 5.0  # retries whose pause ended are picked up this often
CLOSED_NOTE = N_("DMs closed — open your DMs and use /follow again")


@app_commands.describe(story=STORY_HELP, on="on: release DMs for this story; off: none")
@app_commands.autocomplete(story=story_autocomplete)
async def follow_dm(interaction: discord.Interaction, story: str, on: Literal["on", "off"]) -> None:
    """Authors: whether followers get a DM when this story releases chapters."""
    record = await resolve_story(interaction, story)
    bot: ChapterBot = interaction.client  # type: ignore[assignment]
    await bot.services.following.set_follow_dm(actor_of(interaction), record, on == "on")
    t = speaker_of(interaction)
    title = escape_markdown(record.title)
    text = (
        t.gettext("✅ “{title}”: followers get a DM on each release.", title=title)
        if on == "on"
        else t.gettext("✅ “{title}”: no release DMs.", title=title)
    )
    await interaction.response.send_message(text, ephemeral=True)


FOLLOW_DM = app_commands.Command(
    name="follow-dm", description="Whether followers get a DM on each release", callback=follow_dm
)


class FollowingCog(commands.Cog, name="Following"):
    """Readers follow stories and get one DM per release."""

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot
        self.service = bot.services.following
        self.sender = DmSender(bot)
        self._sweep: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Register the buttons, the decoration, the outbox subscriber and `/settings`."""
        self.bot.add_dynamic_items(FollowButton, DmReadButton)
        self.bot.decorations.add(
            DECORATION, lambda story, chapter: [FollowButton(story)], order=DECORATION_ORDER
        )
        self.bot.services.outbox.subscribe(ChapterReleased, PLAN_DMS, self._plan)
        self.bot.services.outbox.subscribe(EarlyAccessOpened, PLAN_EARLY_DMS, self._plan_early)
        self.bot.settings_extensions.add(self.bot.tree, FOLLOW_DM)
        self.bot.stats_extensions.add(DECORATION, self._stats_line)
        self._sweep = asyncio.get_running_loop().create_task(self._every(), name="follow-sweep")

    async def cog_unload(self) -> None:
        """Forget all of it and stop sending."""
        self.bot.remove_dynamic_items(FollowButton, DmReadButton)
        self.bot.decorations.remove(DECORATION)
        self.bot.services.outbox.unsubscribe(PLAN_DMS)
        self.bot.services.outbox.unsubscribe(PLAN_EARLY_DMS)
        self.bot.settings_extensions.remove(self.bot.tree, FOLLOW_DM.name)
        self.bot.stats_extensions.remove(DECORATION)
        await self.drain()

    async def drain(self) -> None:
        """On shutdown: stop the sweep and the sender (unsent deliveries wait for next start)."""
        if self._sweep is not None:
            self._sweep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweep
            self._sweep = None
        await self.sender.stop()

    async def _every(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            self.sender.kick()
            await asyncio.sleep(SWEEP_S)

    async def _stats_line(self, story_id: int, t: Speaker) -> str:
        counts = await self.service.counts(story_id)
        line = t.gettext("followers: {followers}", followers=t.number(counts.followers))
        if counts.dms_closed:
            line += " " + t.ngettext("({n} DMs closed)", "({n} DMs closed)", counts.dms_closed)
        return line

    async def _plan(self, event: ChapterReleased) -> None:
        await plan(self.bot, event, self.sender.bucket)
        self.sender.kick()

    async def _plan_early(self, event: EarlyAccessOpened) -> None:
        await plan_early(self.bot, event, self.sender.bucket)
        self.sender.kick()

    # -- commands ---------------------------------------------------------------------------

    @app_commands.command(name="follow", description="Get a DM when a story releases chapters")
    @app_commands.describe(story=STORY_HELP)
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.guild_only()
    async def follow(self, interaction: discord.Interaction, story: str) -> None:
        """Follow a story you can see (following again re-opens closed DMs)."""
        record = await resolve_story(interaction, story)
        member = interaction.user
        assert interaction.guild is not None and isinstance(member, discord.Member)
        facts = channel_facts(interaction.guild, member, record)
        new = await self.service.follow(member.id, record, facts)
        title, t = escape_markdown(record.title), speaker_of(interaction)
        text = (
            t.gettext(
                "🔔 You follow **{title}**: I'll DM you when new chapters are out.", title=title
            )
            if new
            else t.gettext(
                "🔔 You already follow **{title}**; I'll try your DMs again.", title=title
            )
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="unfollow", description="Stop following a story")
    @app_commands.describe(story=STORY_HELP)
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.guild_only()
    async def unfollow(self, interaction: discord.Interaction, story: str) -> None:
        """Stop following a story."""
        record = await resolve_story(interaction, story)
        was = await self.service.unfollow(interaction.user.id, record)
        title, t = escape_markdown(record.title), speaker_of(interaction)
        text = (
            t.gettext("🔕 You no longer follow **{title}**.", title=title)
            if was
            else t.gettext("You don't follow **{title}**.", title=title)
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="following", description="The stories you follow in this server")
    @app_commands.guild_only()
    async def following(self, interaction: discord.Interaction) -> None:
        """Each followed story with its next release, and where DMs failed."""
        actor, t = actor_of(interaction), speaker_of(interaction)
        lines = []
        for item in await self.service.following(actor.guild_id, actor.user_id):
            line = f"• **{escape_markdown(item.title)}**"
            line += (
                t.gettext(" — next release {when}", when=f"<t:{item.next_release_at}:R>")
                if item.next_release_at
                else t.gettext(" — no release scheduled")
            )
            if item.dms_closed:
                line += f"\n  ⚠️ {t.gettext(CLOSED_NOTE)}"
            lines.append(line)
        text = (
            "\n".join(lines)
            if lines
            else t.gettext("You don't follow any story here. Try `/follow`.")
        )
        await interaction.response.send_message(text[:2000], ephemeral=True)

    @app_commands.command(name="dms", description="Turn all DMs from the bot in this server on/off")
    @app_commands.describe(state="off: no DMs from me about this server; on: DMs again")
    @app_commands.guild_only()
    async def dms(self, interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        """`/dms off` stops release DMs for every followed story in this server."""
        actor = actor_of(interaction)
        await self.service.set_dms(actor.guild_id, actor.user_id, state == "on")
        t = speaker_of(interaction)
        text = (
            t.gettext("✅ I'll DM you about stories you follow here.")
            if state == "on"
            else t.gettext("✅ No more DMs from me about this server. `/dms on` to undo.")
        )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(FollowingCog(bot))
