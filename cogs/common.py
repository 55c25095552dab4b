"""What every cog shares: who is asking, and the `story` option (autocomplete + lookup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.actor import Actor
from bot.app_errors import report_error
from bot.errors import UserError
from bot.i18n import N_
from bot.stories.lookup import StoryFinder
from bot.stories.records import StoryRecord

if TYPE_CHECKING:
    from bot.client import ChapterBot

# The description of every `story` option, so they all read the same.
STORY_HELP = "The story: pick from the list or type its title"


class GuildOnly(UserError):
    """A guild command was used in a DM."""


def chapterbot(interaction: discord.Interaction) -> ChapterBot:
    """The ChapterBot behind an interaction."""
    return interaction.client  # type: ignore[return-value]


def stories_of(interaction: discord.Interaction) -> StoryFinder:
    """The bot's story lookups."""
    return chapterbot(interaction).services.stories


def actor_of(interaction: discord.Interaction) -> Actor:
    """The invoking member as the domain sees them; refuses outside a server."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        raise GuildOnly(
            N_("This command only works in a server."), hint=N_("Run it in a server channel.")
        )
    member = interaction.user
    return Actor(
        user_id=member.id,
        guild_id=interaction.guild_id,
        manage_guild=member.guild_permissions.manage_guild,
        role_ids=frozenset(role.id for role in member.roles),
    )


async def story_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for `story` options: this guild's stories matching what was typed."""
    if interaction.guild_id is None:
        return []
    choices = await stories_of(interaction).choices(interaction.guild_id, current)
    return [app_commands.Choice(name=name, value=value) for name, value in choices]


async def resolve_story(interaction: discord.Interaction, typed: str) -> StoryRecord:
    """The story a `story` option names (an autocomplete id or a typed title) in this guild."""
    actor = actor_of(interaction)
    return await stories_of(interaction).find(actor.guild_id, typed)


class GuardedItem:
    """Mixin for DynamicItems: runs `handle` and shows errors ephemerally.

    Dynamic items are routed by custom_id without a view of ours, so no `on_error` would see
    their failures; user errors are explained and bugs logged with an id instead.
    """

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        """Run the handler; report failures instead of letting discord.py swallow them."""
        try:
            await self.handle(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def handle(self, interaction: discord.Interaction) -> None:
        """Do the work of the item."""
        raise NotImplementedError
