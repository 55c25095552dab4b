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
from bot.i18n import Speaker
from cogs.common import STORY_HELP, actor_of, chapterbot, resolve_story, story_autocomplete
from cogs.feedback.delivery import arm_digest, deliver_pending
from cogs.i18n import speaker_of

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
    text = speaker_of(interaction).gettext(
        "✅ Reactions for “{title}”: {emojis}", title=_title(record.title), emojis=" ".join(chosen)
    )
    await interaction.response.send_message(text, ephemeral=True)


@app_commands.describe(story=STORY_HELP, enabled="True: add the reactions under each chapter")
@app_commands.autocomplete(story=story_autocomplete)
async def auto_react(interaction: discord.Interaction, story: str, enabled: bool) -> None:
    """Turn on or off adding the reaction set under each chapter's last page."""
    record = await resolve_story(interaction, story)
    await _service(interaction).set_auto_react(actor_of(interaction), record, enabled)
    t = speaker_of(interaction)
    title = _title(record.title)
    text = (
        t.gettext(
            "✅ “{title}”: I'll add the story's reactions under the last page of each new chapter.",
            title=title,
        )
        if enabled
        else t.gettext("✅ “{title}”: I won't add reactions under new chapters.", title=title)
    )
    await interaction.response.send_message(text, ephemeral=True)


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
    t = speaker_of(interaction)
    # The problem is worded here, in the member's language (it names Discord permissions).
    problem = _channel_problem(interaction, channel, t) if channel is not None else None
    service = _service(interaction)
    settings = await service.set_feedback_channel(
        actor, record, channel.id if channel else None, problem=problem
    )
    if channel is None:
        text = t.gettext(
            "✅ Notes on “{title}” will be sent to the authors by DM.", title=_title(record.title)
        )
        await interaction.response.send_message(text, ephemeral=True)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    authors = await service.author_ids(record.id)
    delivered = await deliver_pending(
        chapterbot(interaction),
        record.id,
        NoteTarget(record, None, authors, settings.feedback_channel_id),
    )
    text = t.gettext(
        "✅ Notes on “{title}” will be posted in {channel}.",
        title=_title(record.title),
        channel=channel.mention,
    )
    if delivered:
        text += " " + t.ngettext(
            "{n} waiting note was delivered there.",
            "{n} waiting notes were delivered there.",
            delivered,
        )
    await interaction.followup.send(text, ephemeral=True)


def _channel_problem(
    interaction: discord.Interaction, channel: discord.TextChannel, t: Speaker
) -> str | None:
    """Why notes can't go to `channel`: the member must see it, the bot must post embeds there."""
    member = interaction.user
    if isinstance(member, discord.Member) and not channel.permissions_for(member).view_channel:
        return t.gettext(
            "You can't see {channel}; pick a channel you can read.", channel=channel.mention
        )
    perms = channel.permissions_for(channel.guild.me)
    # Discord's permission names, as its settings show them in English.
    missing = [n.replace("_", " ").title() for n in _CHANNEL_NEEDS if not getattr(perms, n)]
    if missing:
        return t.gettext(
            "I can't post notes in {channel}: I'm missing {permissions}.",
            channel=channel.mention,
            permissions=", ".join(missing),
        )
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
    t = speaker_of(interaction)
    title = _title(record.title)
    first = f"<t:{settings.next_digest_at}:R>"
    if frequency == "off":
        text = t.gettext("✅ No more digests for “{title}”.", title=title)
    elif frequency == "daily":
        text = t.gettext(
            "✅ A daily digest of “{title}” will be sent to the authors; the first one {first}.",
            title=title,
            first=first,
        )
    else:
        text = t.gettext(
            "✅ A weekly digest of “{title}” will be sent to the authors; the first one {first}.",
            title=title,
            first=first,
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
