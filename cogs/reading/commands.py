"""Reader commands: `/next`, `/read`, `/progress`, `/catchup`, `/forget-me`.

Thin adapters over `bot.reading.service`; the messages live in `cogs.reading.messages` and the
persistent buttons in `cogs.reading.views`, whose dynamic items are registered here. A page is
recorded once it was delivered, through the reading service's write-behind buffer (in memory
right after the answer, in the database about a second later); the bot closes that service at
shutdown, which writes what is still buffered.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.reading.service import CaughtUp, DirectMessagesClosed, PageView
from cogs.i18n import speaker_of
from cogs.reading.dm_open import open_as_member
from cogs.reading.messages import (
    catchup_message,
    caught_up_message,
    page_footer,
    page_message,
    picker_message,
    progress_message,
    starters_message,
)
from cogs.reading.views import (
    DYNAMIC_ITEMS,
    chapter_post_view,
    forget_view,
    reader_of,
    send_new,
    send_page,
    service_of,
    unstored,
)

DM_CLOSED_CODE = 50007


async def readable_story_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Only stories with released pages this reader may read here (no unreleased titles)."""
    choices = await service_of(interaction).choices(reader_of(interaction), current)
    return [app_commands.Choice(name=name, value=value) for name, value in choices]


class Reading(commands.Cog):
    """Reading stories at your own pace; progress is kept per reader and story."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the persistent reader buttons (they survive restarts) for chapter posts."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        decorations = self.bot.decorations  # type: ignore[attr-defined]
        decorations.add("reading", lambda s, c: chapter_post_view(s, c).children, order=10)
        self.bot.chapter_opener.set(open_as_member)  # type: ignore[attr-defined]

    async def cog_unload(self) -> None:
        """Forget the persistent buttons."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.decorations.remove("reading")  # type: ignore[attr-defined]
        self.bot.chapter_opener.set(None)  # type: ignore[attr-defined]

    @app_commands.command(name="next", description="Read your next page")
    @app_commands.describe(
        story="The story (default: the one you read last here)",
        dm="Send the page to your direct messages",
    )
    @app_commands.autocomplete(story=readable_story_autocomplete)
    @app_commands.guild_only()
    async def next_page(
        self, interaction: discord.Interaction, story: str | None = None, dm: bool = False
    ) -> None:
        """Show the next page ephemerally (or by DM), "caught up", or stories to start."""
        service, reader = service_of(interaction), reader_of(interaction)
        t = speaker_of(interaction)
        # A page counts as read once it was delivered: recorded after the answer went out, so
        # an answer Discord refused moves nobody on, and the write-behind flush this may start
        # never runs while the answer is on its way.
        result = await service.next_page(reader, story, record=False)
        if isinstance(result, PageView):
            if dm:
                await self._send_dm(interaction, result)
                return
            await send_page(interaction, reader, result)
        elif isinstance(result, CaughtUp):
            await send_new(interaction, caught_up_message(result, t))
        else:
            await send_new(interaction, starters_message(result, t))

    async def _send_dm(self, interaction: discord.Interaction, page: PageView) -> None:
        """Deliver the page by DM, then record it; closed DMs get instructions."""
        t = speaker_of(interaction)
        payload = page_message(page, t)
        try:
            await interaction.user.send(
                content=payload["content"], embeds=payload["embeds"], view=unstored(payload["view"])
            )
        except discord.Forbidden as error:
            if error.code != DM_CLOSED_CODE:
                raise
            raise DirectMessagesClosed(
                "I can't send you direct messages.",
                hint=(
                    "Allow them for this server: right-click the server icon ▸ Privacy Settings"
                    " ▸ turn on Direct Messages, then run `/next dm:True` again. Or read here"
                    " with `/next`."
                ),
            ) from error
        await service_of(interaction).record_read(reader_of(interaction), page)
        await interaction.response.send_message(
            t.gettext("📬 Sent {where} of your story to your DMs.", where=page_footer(page, t)),
            ephemeral=True,
        )

    @app_commands.command(name="read", description="Jump to any released chapter and page")
    @app_commands.describe(story="The story", chapter="Chapter number", page="Page in the chapter")
    @app_commands.autocomplete(story=readable_story_autocomplete)
    @app_commands.guild_only()
    async def read(
        self,
        interaction: discord.Interaction,
        story: str,
        chapter: app_commands.Range[int, 1, 100000] | None = None,
        page: app_commands.Range[int, 1, 100000] | None = None,
    ) -> None:
        """Open the reader at (chapter, page); with no chapter, show the chapter picker."""
        service, reader = service_of(interaction), reader_of(interaction)
        record = await service.resolve(reader, story)
        if chapter is None:
            listing = await service.chapters(reader, record.id)
            await send_new(interaction, picker_message(listing, speaker_of(interaction)))
            return
        shown = await service.read_at(reader, record.id, chapter, page or 1, record=False)
        await send_page(interaction, reader, shown)

    @app_commands.command(name="progress", description="Where you are in every story you started")
    @app_commands.guild_only()
    async def progress(self, interaction: discord.Interaction) -> None:
        """List the reader's stories here with progress bars and what's new."""
        lines = await service_of(interaction).progress_summary(reader_of(interaction))
        await send_new(interaction, progress_message(lines, speaker_of(interaction)))

    @app_commands.command(name="catchup", description="Chapters released since you last read")
    @app_commands.describe(story="The story")
    @app_commands.autocomplete(story=readable_story_autocomplete)
    @app_commands.guild_only()
    async def catchup(self, interaction: discord.Interaction, story: str) -> None:
        """List new chapters with a button for each."""
        catch = await service_of(interaction).catch_up(reader_of(interaction), story)
        await send_new(interaction, catchup_message(catch, speaker_of(interaction)))

    @app_commands.command(
        name="forget-me",
        description="Delete your reading progress, history and reactions in this server",
    )
    @app_commands.guild_only()
    async def forget_me(self, interaction: discord.Interaction) -> None:
        """Ask for confirmation; the button does the deleting."""
        await interaction.response.send_message(
            speaker_of(interaction).gettext(
                "This deletes your reading progress, reading history, chapter marks and reactions "
                "in this server, and nothing else. It cannot be undone."
            ),
            view=forget_view(interaction.user.id),
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    await bot.add_cog(Reading(bot))
