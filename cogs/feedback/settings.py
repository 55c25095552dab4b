"""The feedback subcommands of `/settings`: reactions, auto-react, feedback-channel, digest.

`/settings` is the settings cog's group (`cogs/settings/commands.py`). These commands are plain
functions turned into `app_commands.Command`s and registered by `attach_feedback_settings(bot)`
in `bot.settings_extensions` (`cogs/decorations.py`): added to the group at once if it is
loaded, else by the settings cog when it loads. They use the shared `bot.services.feedback` and the
delivery functions of `cogs/feedback/delivery.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.utils import escape_markdown

from bot.feedback.service import FeedbackService, NoteTarget
from cogs.common import STORY_HELP, actor_of, chapterbot, resolve_story, story_autocomplete
from cogs.feedback.delivery import arm_digest, deliver_pending

if TYPE_CHECKING:
    from bot.client import ChapterBot

# What the bot needs in a feedback channel to post notes as embeds.
_CHANNEL_NEEDS = ("view_channel", "send_messages", "embed_links")


def _service(interaction: discord.Interaction) -> FeedbackService:
    return chapterbot(interaction).services.feedback


def _title(text: str) -> str:
    return escape_markdown(text)


@app_commands.describe(story=STORY_HELP, emojis="Emojis separated by spaces (at most 10)")
@app_commands.autocomplete(story=story_autocomplete)
async def reactions(interaction: discord.Interaction, story: str, emojis: str) -> None:
    """Set the reactions readers are offered (and that /stats lists)."""
    record = await resolve_story(interaction, story)
    guild = interaction.guild
    guild_emojis = {e.id for e in guild.emojis} if guild is not None else set()
    chosen = await _service(interaction).set_reactions(
        actor_of(interaction), record, emojis, guild_emojis
    )
    await interaction.response.send_message(
        f"✅ Reactions for “{_title(record.title)}”: {' '.join(chosen)}", ephemeral=True
    )


@app_commands.describe(story=STORY_HELP, enabled="True: add the reactions under each chapter")
@app_commands.autocomplete(story=story_autocomplete)
async def auto_react(interaction: discord.Interaction, story: str, enabled: bool) -> None:
    """Turn on or off adding the reaction set under each chapter's last page."""
    record = await resolve_story(interaction, story)
    await _service(interaction).set_auto_react(actor_of(interaction), record, enabled)
    text = (
        "I'll add the story's reactions under the last page of each new chapter."
        if enabled
        else "I won't add reactions under new chapters."
    )
    await interaction.response.send_message(f"✅ “{_title(record.title)}”: {text}", ephemeral=True)


@app_commands.describe(
    story=STORY_HELP, channel="Where readers' notes go; leave empty to DM the authors"
)
@app_commands.autocomplete(story=story_autocomplete)
async def feedback_channel(
    interaction: discord.Interaction, story: str, channel: discord.TextChannel | None = None
) -> None:
    """Send readers' notes to an authors' channel instead of DMs (empty: back to DMs)."""
    record = await resolve_story(interaction, story)
    actor = actor_of(interaction)
    problem = _channel_problem(interaction, channel) if channel is not None else None
    service = _service(interaction)
    settings = await service.set_feedback_channel(
        actor, record, channel.id if channel else None, problem=problem
    )
    if channel is None:
        await interaction.response.send_message(
            f"✅ Notes on “{_title(record.title)}” will be sent to the authors by DM.",
            ephemeral=True,
        )
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    authors = await service.author_ids(record.id)
    delivered = await deliver_pending(
        chapterbot(interaction),
        record.id,
        NoteTarget(record, None, authors, settings.feedback_channel_id),
    )
    extra = f" {delivered} waiting note(s) were delivered there." if delivered else ""
    await interaction.followup.send(
        f"✅ Notes on “{_title(record.title)}” will be posted in {channel.mention}.{extra}",
        ephemeral=True,
    )


def _channel_problem(interaction: discord.Interaction, channel: discord.TextChannel) -> str | None:
    """Why notes can't go to `channel`: the member must see it, the bot must post embeds there."""
    member = interaction.user
    if isinstance(member, discord.Member) and not channel.permissions_for(member).view_channel:
        return f"You can't see {channel.mention}; pick a channel you can read."
    perms = channel.permissions_for(channel.guild.me)
    missing = [n.replace("_", " ").title() for n in _CHANNEL_NEEDS if not getattr(perms, n)]
    if missing:
        return f"I can't post notes in {channel.mention}: I'm missing {', '.join(missing)}."
    return None


@app_commands.describe(story=STORY_HELP, frequency="daily, weekly, or off")
@app_commands.autocomplete(story=story_autocomplete)
async def digest(
    interaction: discord.Interaction, story: str, frequency: Literal["daily", "weekly", "off"]
) -> None:
    """A DM to the authors with the period's new readers, reactions and notes."""
    record = await resolve_story(interaction, story)
    settings = await _service(interaction).set_digest(actor_of(interaction), record, frequency)
    arm_digest(chapterbot(interaction), settings)
    if frequency == "off":
        text = f"✅ No more digests for “{_title(record.title)}”."
    else:
        text = (
            f"✅ A {frequency} digest of “{_title(record.title)}” will be sent to the authors; "
            f"the first one <t:{settings.next_digest_at}:R>."
        )
    await interaction.response.send_message(text, ephemeral=True)


_COMMANDS = (
    ("reactions", "The reactions readers are offered on a story", reactions),
    ("auto-react", "Add a story's reactions under each chapter", auto_react),
    ("feedback-channel", "Where readers' notes on a story go", feedback_channel),
    ("digest", "A daily or weekly digest of a story's feedback", digest),
)


def attach_feedback_settings(bot: ChapterBot) -> None:
    """Register the feedback subcommands of `/settings` (added now or when that cog loads)."""
    commands = [
        app_commands.Command(name=name, description=description, callback=callback)
        for name, description, callback in _COMMANDS
    ]
    bot.settings_extensions.add(bot.tree, *commands)


def detach_feedback_settings(bot: ChapterBot) -> None:
    """Take the feedback subcommands out of `/settings`."""
    bot.settings_extensions.remove(bot.tree, *(name for name, _, _ in _COMMANDS))
