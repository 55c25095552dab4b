"""`/help`: the bot's commands grouped for readers, authors and server admins."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import N_, SOURCE, Speaker
from cogs.i18n import speaker_of

# Which top-level commands belong to which audience; commands not listed land in "More".
AUDIENCES: dict[str, tuple[str, ...]] = {
    N_("📖 Readers"): (
        "next",
        "read",
        "progress",
        "catchup",
        "forget-me",
        "follow",
        "unfollow",
        "following",
        "dms",
    ),
    N_("✍️ Authors"): ("story", "publish", "schedule", "stats", "doctor"),
    N_("🛠️ Server admins"): ("settings",),
}


# What `/schedule add` understands (bot/scheduling): shown so authors need not guess.
SCHEDULE_FORMS = (
    "**When:** `friday 18:00`, `next friday`, `tomorrow 6pm`, `24.12.2026 18:00`, "
    "`12/24/2026 6pm` (slash dates follow your Discord language: month first in en-US), "
    "`dec 24 18h`, `in two hours`, `in half an hour`, `tonight`, "
    "`noon`, `18:00 CET` / `UTC` / `+01:00` / `Europe/Paris`\n"
    "**Repeat:** `daily`, `fridays 18:00`, `weekdays 9am`, `weekends 10:00`, "
    "`every mon, wed, fri 18:00`, `every other friday 18:00`, `fortnightly`, `monthly`, "
    "`every 1st of the month 9am`, `on the last day of every month 20:00`, "
    "`first friday of every month 18:00`, `every 3 days`, `hourly`, cron `0 18 * * 5`\n"
    'Try any of them from a terminal: `chapterbot when "every other friday 18:00"`.'
)


def command_lines(
    command: app_commands.Command | app_commands.Group, t: Speaker = SOURCE
) -> list[str]:
    """One `/name — description` line per leaf command under `command` (names as synced)."""
    if isinstance(command, app_commands.Group):
        lines: list[str] = []
        for child in command.commands:
            lines.extend(command_lines(child, t))
        return lines
    # The user's client shows localized names; /help shows the same ones.
    parts = []
    walk: app_commands.Command | app_commands.Group | None = command
    while walk is not None:
        parts.append(t.pgettext("command name", walk.name))
        walk = walk.parent
    name = " ".join(reversed(parts))
    return [f"`/{name}` — {t.gettext(command.description)}"]


def help_embed(tree: app_commands.CommandTree, t: Speaker = SOURCE) -> discord.Embed:
    """Build the help embed from the commands actually registered, so it never drifts."""
    embed = discord.Embed(
        title="chapterbot",
        description=t.gettext("Stories posted chapter by chapter; read at your own pace."),
        colour=discord.Colour.blurple(),
    )
    commands_by_name = {c.name: c for c in tree.get_commands()}
    placed: set[str] = set()
    for audience, names in AUDIENCES.items():
        lines = [
            line
            for n in names
            if n in commands_by_name
            for line in command_lines(commands_by_name[n], t)
        ]
        placed.update(names)
        if lines:
            embed.add_field(name=t.gettext(audience), value=_fit("\n".join(lines)), inline=False)
    rest = [
        line
        for name, command in sorted(commands_by_name.items())
        if name not in placed
        for line in command_lines(command, t)
    ]
    if rest:
        embed.add_field(name=t.gettext("More"), value=_fit("\n".join(rest)), inline=False)
    if "schedule" in commands_by_name:
        embed.add_field(name=t.gettext("🗓️ Scheduling"), value=_fit(SCHEDULE_FORMS), inline=False)
    return embed


def _fit(text: str, limit: int = 1024) -> str:
    """Keep a field within Discord's 1,024-character limit, cutting at a line."""
    if len(text) <= limit:
        return text
    return text[: text.rfind("\n", 0, limit - 2)] + "\n…"


class Help(commands.Cog):
    """The `/help` command."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="help", description="What chapterbot can do, for readers and authors"
    )
    async def help(self, interaction: discord.Interaction) -> None:
        """Show the grouped command list, only to the asker."""
        embed = help_embed(self.bot.tree, speaker_of(interaction))
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    await bot.add_cog(Help(bot))
