"""Early access: `/settings early-access`, the opening timers' sweep and the `/stats` line.

Reading early is the reading cog's work (its reader carries the member's role check), and the
early DMs are the following cog's (a durable subscriber of `early_access_opened`); this cog
only lets authors set it up, keeps the timers armed and counts early readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown

from bot.i18n import Speaker
from cogs.common import STORY_HELP, actor_of, resolve_story, story_autocomplete
from cogs.i18n import speaker_of

if TYPE_CHECKING:
    from bot.client import ChapterBot

STATS_LINE = "early_access"


def setting_reply(t: Speaker, title: str, role_id: int | None, hours: int) -> str:
    """What `/settings early-access` answers, in the member's language."""
    if role_id is None:
        return t.gettext("✅ “{title}”: no early access.", title=title)
    return t.ngettext(
        "✅ “{title}”: members with {role} read each chapter {n} hour before its release.",
        "✅ “{title}”: members with {role} read each chapter {n} hours before its release.",
        hours,
        title=title,
        role=f"<@&{role_id}>",
    )


@app_commands.describe(
    story=STORY_HELP,
    role="Members with this role read early; leave empty to turn early access off",
    hours="How many hours before the release (0 turns early access off)",
)
@app_commands.autocomplete(story=story_autocomplete)
async def early_access(
    interaction: discord.Interaction,
    story: str,
    role: discord.Role | None = None,
    hours: int = 0,
) -> None:
    """Authors: members with a role read chapters some hours before their scheduled release."""
    record = await resolve_story(interaction, story)
    bot: ChapterBot = interaction.client  # type: ignore[assignment]
    setting = await bot.services.early_access.configure(
        actor_of(interaction), record, role.id if role else None, hours
    )
    text = setting_reply(
        speaker_of(interaction),
        escape_markdown(record.title),
        setting.role_id if setting else None,
        setting.hours if setting else 0,
    )
    await interaction.response.send_message(
        text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


EARLY_ACCESS = app_commands.Command(
    name="early-access",
    description="Let members with a role read chapters before their release",
    callback=early_access,
)


class EarlyAccessCog(commands.Cog, name="Early access"):
    """Authors give a role early access; the timers open it; `/stats` counts early readers."""

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot
        self.service = bot.services.early_access

    async def cog_load(self) -> None:
        """Register `/settings early-access` and the `/stats` line; start the timers' sweep."""
        self.bot.settings_extensions.add(self.bot.tree, EARLY_ACCESS)
        self.bot.stats_extensions.add(STATS_LINE, self._stats_line)
        self.service.start()

    async def cog_unload(self) -> None:
        """Forget all of it."""
        self.bot.settings_extensions.remove(self.bot.tree, EARLY_ACCESS.name)
        self.bot.stats_extensions.remove(STATS_LINE)
        self.service.stop()

    async def _stats_line(self, story_id: int, t: Speaker) -> str | None:
        """`early readers: Ch. 3: 2 · Ch. 4: 1`, for a story with early access (or early reads),
        in the language of the member asking for the stats."""
        await self.bot.services.reading.flush()  # reads shown a moment ago count
        counts = await self.service.early_readers(story_id)
        if not counts and await self.service.setting(story_id) is None:
            return None
        if not counts:
            return t.gettext("early readers: none yet")
        chapters = " · ".join(
            t.gettext("Ch. {number}: {readers}", number=number, readers=readers)
            for number, readers in counts
        )
        return t.gettext("early readers: {chapters}", chapters=chapters)


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(EarlyAccessCog(bot))
