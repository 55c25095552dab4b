"""`/settings ...`: where a story posts and who it pings, personal and server settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown

from bot.i18n import SOURCE, SUPPORTED, Speaker
from bot.i18n.dates import local_time as localized_time
from bot.scheduling import describe_time, parse_zone, search_zones
from bot.scheduling.describe import zone_label
from bot.stories.authoring import ChannelFacts, ChannelKind
from cogs.common import STORY_HELP, actor_of, resolve_story, story_autocomplete
from cogs.i18n import speaker_of

if TYPE_CHECKING:
    from bot.client import ChapterBot

MANAGER_ONLY = app_commands.checks.has_permissions(manage_guild=True)


def channel_facts(
    channel: discord.TextChannel | discord.ForumChannel, member: discord.Member
) -> ChannelFacts:
    """What the domain needs to know about a channel: its kind, age restriction, and access."""
    kind: ChannelKind
    if isinstance(channel, discord.ForumChannel):
        kind = "forum"
    elif isinstance(channel, discord.TextChannel):
        kind = "announcement" if channel.is_news() else "text"
    else:
        kind = "other"
    perms = channel.permissions_for(member)
    return ChannelFacts(
        id=channel.id,
        kind=kind,
        nsfw=channel.is_nsfw(),
        member_can_post=perms.view_channel and perms.send_messages,
    )


def local_time(zone_name: str, t: Speaker = SOURCE) -> str:
    """The current time in a zone in `t`'s language, e.g. "Fri 27 Nov 2026 18:00 CET"."""
    zone = parse_zone(zone_name)
    now = datetime.now(UTC).astimezone(zone)
    if t.locale in SUPPORTED:
        return localized_time(now, zone, zone_label(now, zone), t.locale)
    return describe_time(now, zone)


async def zone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """IANA zone names matching what was typed."""
    return [app_commands.Choice(name=name, value=name) for name in search_zones(current, 25)]


def member_of(interaction: discord.Interaction) -> discord.Member:
    """The invoking member (guild-only commands always have one)."""
    actor_of(interaction)  # refuses outside a server
    return interaction.user  # type: ignore[return-value]


class SettingsCommands(commands.Cog):
    """The `/settings` command group."""

    settings = app_commands.Group(
        name="settings", description="Story, personal and server settings", guild_only=True
    )

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot
        self.service = bot.services.authoring

    # -- story scope (authors) --------------------------------------------------------------

    @settings.command(name="channel", description="Where a story's chapters are posted")
    @app_commands.describe(
        story=STORY_HELP,
        channel="A text or announcement channel, or a forum for forum mode",
        mode="messages: pages in the channel; thread: a thread per chapter; forum: a post each",
    )
    @app_commands.autocomplete(story=story_autocomplete)
    async def channel(
        self,
        interaction: discord.Interaction,
        story: str,
        channel: discord.TextChannel | discord.ForumChannel,
        mode: Literal["messages", "thread", "forum"] = "messages",
    ) -> None:
        """Set the story's channel after checking type, access and age restriction."""
        record = await resolve_story(interaction, story)
        facts = channel_facts(channel, member_of(interaction))
        updated = await self.service.set_channel(actor_of(interaction), record, facts, mode)
        t = speaker_of(interaction)
        modes = {
            "messages": t.gettext("✅ “{title}” will be posted in {channel} (messages mode)."),
            "thread": t.gettext("✅ “{title}” will be posted in {channel} (thread mode)."),
            "forum": t.gettext("✅ “{title}” will be posted in {channel} (forum mode)."),
        }
        text = modes[updated.channel_mode].format(
            title=escape_markdown(updated.title), channel=f"<#{updated.channel_id}>"
        )
        await interaction.response.send_message(text, ephemeral=True)

    @settings.command(name="notify-role", description="The role pinged when a chapter is out")
    @app_commands.describe(story=STORY_HELP, role="The role to ping; leave empty to ping nobody")
    @app_commands.autocomplete(story=story_autocomplete)
    async def notify_role(
        self, interaction: discord.Interaction, story: str, role: discord.Role | None = None
    ) -> None:
        """Set or clear the notify role; the member must be allowed to mention it."""
        record = await resolve_story(interaction, story)
        member = member_of(interaction)
        may_mention = role is None or role.mentionable or member.guild_permissions.mention_everyone
        updated = await self.service.set_notify_role(
            actor_of(interaction), record, role.id if role else None, may_mention=may_mention
        )
        title = escape_markdown(updated.title)
        t = speaker_of(interaction)
        text = (
            t.gettext(
                "✅ New chapters of “{title}” will ping {role}.",
                title=title,
                role=f"<@&{updated.notify_role_id}>",
            )
            if updated.notify_role_id
            else t.gettext("✅ New chapters of “{title}” will ping nobody.", title=title)
        )
        await interaction.response.send_message(text, ephemeral=True)

    @settings.command(name="silent", description="Post a story without notification sounds")
    @app_commands.describe(story=STORY_HELP, enabled="True: post silently")
    @app_commands.autocomplete(story=story_autocomplete)
    async def silent(self, interaction: discord.Interaction, story: str, enabled: bool) -> None:
        """Turn silent posting on or off."""
        record = await resolve_story(interaction, story)
        updated = await self.service.set_silent(actor_of(interaction), record, enabled)
        t = speaker_of(interaction)
        title = escape_markdown(updated.title)
        text = (
            t.gettext("✅ “{title}” will be posted silently.", title=title)
            if updated.silent
            else t.gettext("✅ “{title}” will be posted with notifications.", title=title)
        )
        await interaction.response.send_message(text, ephemeral=True)

    # -- personal ---------------------------------------------------------------------------

    @settings.command(name="timezone", description="Your time zone, for the times you type")
    @app_commands.describe(zone="An IANA zone such as Europe/Paris (start typing a city)")
    @app_commands.autocomplete(zone=zone_autocomplete)
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        """Set the invoking user's zone."""
        name = await self.service.set_user_timezone(actor_of(interaction), zone)
        t = speaker_of(interaction)
        text = t.gettext(
            "✅ Your time zone is now {zone} (it is {time} there).",
            zone=name,
            time=local_time(name, t),
        )
        await interaction.response.send_message(text, ephemeral=True)

    # -- server scope (Manage Server; the domain re-checks: admins can override defaults) ----

    @settings.command(name="server-timezone", description="The server's default time zone")
    @app_commands.describe(zone="An IANA zone such as Europe/Paris (start typing a city)")
    @app_commands.autocomplete(zone=zone_autocomplete)
    @MANAGER_ONLY
    async def server_timezone(self, interaction: discord.Interaction, zone: str) -> None:
        """Set the zone used for members who set none."""
        name = await self.service.set_server_timezone(actor_of(interaction), zone)
        t = speaker_of(interaction)
        text = t.gettext(
            "✅ This server's time zone is now {zone} (it is {time} there).",
            zone=name,
            time=local_time(name, t),
        )
        await interaction.response.send_message(text, ephemeral=True)

    @settings.command(name="missed-releases", description="After downtime: post all, or latest")
    @app_commands.describe(policy="all: post every missed release; latest: only the newest")
    @MANAGER_ONLY
    async def missed_releases(
        self, interaction: discord.Interaction, policy: Literal["all", "latest"]
    ) -> None:
        """Choose what happens to releases missed while the bot was down."""
        await self.service.set_missed_releases(actor_of(interaction), policy)
        t = speaker_of(interaction)
        text = (
            t.gettext("✅ After downtime I will post every missed release.")
            if policy == "all"
            else t.gettext("✅ After downtime I will post only the latest missed release.")
        )
        await interaction.response.send_message(text, ephemeral=True)

    @settings.command(name="author-role", description="Who may upload stories (empty: everyone)")
    @app_commands.describe(role="Only members with this role may upload; leave empty for all")
    @MANAGER_ONLY
    async def author_role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        """Restrict uploads to a role, or open them to everyone."""
        actor = actor_of(interaction)
        await self.service.set_author_role(actor, role.id if role else None)
        t = speaker_of(interaction)
        text = (
            t.gettext(
                "✅ Only members with {role} (or Manage Server) can upload stories now.",
                role=role.mention,
            )
            if role is not None and role.id != actor.guild_id
            else t.gettext("✅ Everyone can upload stories now.")
        )
        await interaction.response.send_message(text, ephemeral=True)

    @settings.command(name="language", description="The language of this server's public posts")
    @app_commands.describe(language="Chapter buttons and announcements; default: the server's")
    @app_commands.choices(
        # Languages are named in their own language; only the first choice is translated.
        language=[
            app_commands.Choice(name="Server's language (Discord setting)", value="server"),
            app_commands.Choice(name="English", value="en-US"),
            app_commands.Choice(name="Français", value="fr"),
            app_commands.Choice(name="Deutsch", value="de"),
            app_commands.Choice(name="Español", value="es-ES"),
            app_commands.Choice(name="Português do Brasil", value="pt-BR"),
        ]
    )
    @MANAGER_ONLY
    async def language(self, interaction: discord.Interaction, language: str) -> None:
        """Override (or follow again) the server's Discord locale for public posts."""
        chosen = await self.bot.server_languages.set(actor_of(interaction), language)
        t = speaker_of(interaction)
        text = (
            t.gettext("✅ Public posts follow the server's Discord language again.")
            if chosen is None
            else t.gettext("✅ Public posts are now in {language}.", language=chosen)
        )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(SettingsCommands(bot))
    # Other features' subcommands (feedback: reactions, auto-react, feedback-channel, digest).
    bot.settings_extensions.attach(bot.tree)
