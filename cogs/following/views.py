"""The persistent `🔔 Follow` button under chapter posts and the `Read ▶` button in release DMs.

Both are `DynamicItem`s: their custom_ids carry what they need and are untrusted.
`cb:follow:<story>` re-checks the story's guild and the clicker's view of its channel;
`cb:fread:<guild>:<story>:<ch>` is clicked in DMs, so it carries the guild: the reader is
checked as that guild's member by the reader the reading cog registers (`bot.chapter_opener`),
so progress is the same as in the server.
"""

from __future__ import annotations

import re

import discord
from discord.utils import escape_markdown

from bot.errors import NotFound
from bot.following.service import FollowingService
from bot.i18n import N_, SOURCE, Speaker
from cogs.common import GuardedItem, actor_of, chapterbot
from cogs.following.access import channel_facts
from cogs.i18n import speaker_of

FOLLOW_TEMPLATE = r"cb:follow:(?P<story>\d{1,19})"
DM_READ_TEMPLATE = r"cb:fread:(?P<guild>\d{1,19}):(?P<story>\d{1,19}):(?P<chapter>\d{1,6})"


def service_of(interaction: discord.Interaction) -> FollowingService:
    """The bot's following use cases."""
    return chapterbot(interaction).services.following


def _gone() -> NotFound:
    return NotFound("That story is not available any more.")


class FollowButton(
    GuardedItem, discord.ui.DynamicItem[discord.ui.Button], template=FOLLOW_TEMPLATE
):
    """`🔔 Follow`: toggles following the story; the answer is ephemeral."""

    def __init__(self, story_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=N_("🔔 Follow"),  # relabelled in the server's language when posted
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb:follow:{story_id}",
            )
        )
        self.story_id = story_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> FollowButton:
        """Rebuild from a clicked custom_id."""
        return cls(int(match["story"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        """Follow or unfollow, and say which (with the button to undo it)."""
        actor = actor_of(interaction)
        service = service_of(interaction)
        story = await service.stories.get(self.story_id)
        if story is None or story.guild_id != actor.guild_id or interaction.guild is None:
            raise _gone()
        member = interaction.user
        assert isinstance(member, discord.Member)
        facts = channel_facts(interaction.guild, member, story)
        now_following = await service.toggle(actor.user_id, story, facts)
        title, t = escape_markdown(story.title), speaker_of(interaction)
        text = (
            t.gettext(
                "🔔 You follow **{title}**: I'll DM you when new chapters are out.", title=title
            )
            if now_following
            else t.gettext("🔕 You no longer follow **{title}**.", title=title)
        )
        view = discord.ui.View(timeout=None)
        view.add_item(
            discord.ui.Button(
                label=t.gettext(N_("🔕 Unfollow") if now_following else N_("🔔 Follow")),
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb:follow:{story.id}",
            )
        )
        view.stop()  # routed by this DynamicItem: nothing to keep in discord.py's view store
        await interaction.response.send_message(text, view=view, ephemeral=True)


def read_button(
    guild_id: int, story_id: int, chapter: int, t: Speaker = SOURCE
) -> discord.ui.Button:
    """`Read ▶` in a release DM: the chapter's first page, right there."""
    return discord.ui.Button(
        label=t.gettext("Read ▶"),
        style=discord.ButtonStyle.primary,
        custom_id=f"cb:fread:{guild_id}:{story_id}:{chapter}",
    )


class DmReadButton(
    GuardedItem, discord.ui.DynamicItem[discord.ui.Button], template=DM_READ_TEMPLATE
):
    """`Read ▶` under a release DM (also works in a server, as the server's reader)."""

    def __init__(self, guild_id: int, story_id: int, chapter: int) -> None:
        super().__init__(read_button(guild_id, story_id, chapter))
        self.guild_id, self.story_id, self.chapter = guild_id, story_id, chapter

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> DmReadButton:
        """Rebuild from a clicked custom_id."""
        return cls(int(match["guild"]), int(match["story"]), int(match["chapter"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        """Serve page 1 of the chapter as the guild's member would read it (reading's opener)."""
        await chapterbot(interaction).chapter_opener.open(
            interaction, self.guild_id, self.story_id, self.chapter
        )
