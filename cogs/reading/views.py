"""The reader's messages and buttons: the ephemeral reader, the chapter picker, chapter posts.

Every button here is a `DynamicItem` whose custom_id carries what it needs (story id, chapter,
page), so it keeps working after a restart and on messages posted long ago. Their look and
custom_ids come from `cogs.reading.buttons`, which the message builders use too. A custom_id is
untrusted input: the templates only accept bounded digit strings, and every handler goes back
to the database through `bot.reading.service`, which re-checks release, visibility and age rules.
A page a button shows is recorded as read once the answer was delivered.

`chapter_post_view(story_id, chapter_number)` holds the reader's buttons under the last page of
every posted chapter (`📖 Read from here` and `✓ Mark read`; the reading cog registers them as a
chapter-post decoration).
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord.utils import escape_markdown

import cogs.reading.buttons as buttons
from bot.errors import InvalidInput, NotAllowed
from bot.reading.service import ChapterListing, PageView, Reader, ReadingService
from cogs.common import GuardedItem, chapterbot
from cogs.i18n import speaker_of
from cogs.reading.messages import caught_up_message, page_message, picker_message
from cogs.reading.roles import member_roles, roles_in_dms


def service_of(interaction: discord.Interaction) -> ReadingService:
    """The reading use cases on the bot's database."""
    return chapterbot(interaction).services.reading


def _age_restricted(channel: Any) -> bool:
    is_nsfw = getattr(channel, "is_nsfw", None)
    return bool(is_nsfw()) if callable(is_nsfw) else False


async def _never(channel_id: int) -> bool:
    return False


def reader_of(interaction: discord.Interaction) -> Reader:
    """The reader behind an interaction, with a channel check answered from Discord's cache."""
    guild = interaction.guild
    member = interaction.user
    if guild is None or not isinstance(member, discord.Member):
        return Reader(
            user_id=interaction.user.id,
            guild_id=None,
            can_view=_never,
            holds_role=roles_in_dms(chapterbot(interaction), interaction.user.id),
        )
    seen: dict[int, bool] = {}
    # Discord computed the member's permissions in the channel they asked from: where a page
    # sits there (a reader on the story's own channel, the common case), its yes needs no
    # computing here. Without that field (0) the full check below decides.
    here = interaction.channel_id
    if here is not None and interaction.permissions.view_channel:
        seen[here] = True

    async def can_view(channel_id: int) -> bool:
        if channel_id not in seen:
            seen[channel_id] = await _member_sees(guild, member, channel_id)
        return seen[channel_id]

    return Reader(
        user_id=member.id,
        guild_id=guild.id,
        can_view=can_view,
        age_ok=_age_restricted(interaction.channel),
        holds_role=member_roles(member),
    )


async def _member_sees(guild: discord.Guild, member: discord.Member, channel_id: int) -> bool:
    """Whether `member` can view the channel (a thread counts as its parent channel)."""
    channel: Any = guild.get_channel_or_thread(channel_id)
    if channel is None:
        # Archived threads are not cached; ask Discord once.
        try:
            channel = await guild.fetch_channel(channel_id)
        except discord.HTTPException:
            return False
    if getattr(channel, "guild", None) is None or channel.guild.id != guild.id:
        return False
    if isinstance(channel, discord.Thread):
        channel = channel.parent or guild.get_channel(channel.parent_id)
        if channel is None:
            return False
    return bool(channel.permissions_for(member).view_channel)


def chapter_post_view(story_id: int, chapter_number: int) -> discord.ui.View:
    """The persistent buttons publishing attaches to the last page of each posted chapter."""
    view = discord.ui.View(timeout=None)
    view.add_item(ReadFromHere(story_id, chapter_number))
    view.add_item(MarkRead(story_id, chapter_number))
    return view


def forget_view(user_id: int) -> discord.ui.View:
    """Confirm / cancel buttons for `/forget-me`."""
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetButton("yes", user_id))
    view.add_item(ForgetButton("no", user_id))
    return unstored(view)


def unstored(view: discord.ui.View | None) -> discord.ui.View | None:
    """`view` made so that sending it leaves nothing behind in discord.py, if it can be.

    discord.py keeps every view it sends in its view store (an ephemeral reply's for 15 minutes,
    with a timeout task each: ~6 KB per `/next`). Clicks on `DynamicItem`s are routed by their
    custom_id without any stored view, so a view made only of them is stopped before sending:
    its components go out the same, and discord.py skips storing a finished view.
    """
    if view is not None and all(
        isinstance(item, discord.ui.DynamicItem) or not item.is_dispatchable()
        for item in view.walk_children()
    ):
        view.stop()
    return view


# -- replying -----------------------------------------------------------------------------------


def _private(interaction: discord.Interaction) -> bool:
    """True when the clicked message is the reader's own (ephemeral, or in DMs)."""
    message = interaction.message
    return interaction.guild_id is None or (message is not None and message.flags.ephemeral)


async def show(interaction: discord.Interaction, payload: dict[str, Any]) -> None:
    """Update the clicked reader message in place, or open a new ephemeral reader."""
    if _private(interaction):
        await interaction.response.edit_message(**_for_edit(payload))
    else:
        await interaction.response.send_message(**_for_send(payload), ephemeral=True)


def _for_edit(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "content": payload.get("content"),
        "embeds": payload.get("embeds", []),
        "view": unstored(payload.get("view")),
    }


def _for_send(payload: dict[str, Any]) -> dict[str, Any]:
    sent: dict[str, Any] = {"embeds": payload.get("embeds", [])}
    if payload.get("content"):
        sent["content"] = payload["content"]
    if payload.get("view") is not None:
        sent["view"] = unstored(payload["view"])
    return sent


async def show_page(interaction: discord.Interaction, reader: Reader, page: PageView) -> None:
    """Show a page in the reader (see `show`), then record it: only a delivered page is read."""
    await show(interaction, page_message(page, speaker_of(interaction)))
    await service_of(interaction).record_read(reader, page)


async def send_page(interaction: discord.Interaction, reader: Reader, page: PageView) -> None:
    """Answer a slash command with a page (ephemeral), then record it (as `show_page`)."""
    await send_new(interaction, page_message(page, speaker_of(interaction)))
    await service_of(interaction).record_read(reader, page)


async def send_public(interaction: discord.Interaction, payload: dict[str, Any]) -> None:
    """Answer with a new, non-ephemeral message (in DMs only the reader sees it anyway)."""
    await interaction.response.send_message(**_for_send(payload))


async def send_new(interaction: discord.Interaction, payload: dict[str, Any]) -> None:
    """Answer a slash command with an ephemeral message."""
    await interaction.response.send_message(**_for_send(payload), ephemeral=True)


# -- dynamic items ------------------------------------------------------------------------------


class ReadFromHere(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=buttons.READ_TEMPLATE,
):
    """`📖 Read from here`: opens the reader at page 1 of a chapter."""

    def __init__(self, story_id: int, chapter: int, *, label: str = "📖 Read from here") -> None:
        super().__init__(buttons.read_button(story_id, chapter, label))
        self.story_id, self.chapter = story_id, chapter

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ReadFromHere:
        """Rebuild from a clicked custom_id."""
        return cls(int(match["story"]), int(match["chapter"]), label=item.label or "📖")

    async def handle(self, interaction: discord.Interaction) -> None:
        """Show the chapter's first page."""
        reader = reader_of(interaction)
        page = await service_of(interaction).read_at(
            reader, self.story_id, self.chapter, 1, record=False
        )
        await show_page(interaction, reader, page)


class MarkRead(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=buttons.MARK_TEMPLATE,
):
    """`✓ Mark read`: marks a whole released chapter read."""

    def __init__(self, story_id: int, chapter: int) -> None:
        super().__init__(buttons.mark_button(story_id, chapter))
        self.story_id, self.chapter = story_id, chapter

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> MarkRead:
        """Rebuild from a clicked custom_id."""
        return cls(int(match["story"]), int(match["chapter"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        """Mark the chapter read and confirm privately."""
        title, added = await service_of(interaction).mark_read(
            reader_of(interaction), self.story_id, self.chapter
        )
        t = speaker_of(interaction)
        text = (
            "✓ Marked chapter {chapter} of **{title}** as read."
            if added
            else "✓ Already marked chapter {chapter} of **{title}** as read."
        )
        await interaction.response.send_message(
            t.gettext(text, chapter=self.chapter, title=escape_markdown(title)), ephemeral=True
        )


class PageNav(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=buttons.NAV_TEMPLATE,
):
    """`◀ Back` / `Next ▶`: the page before or after (chapter, page)."""

    def __init__(
        self, direction: str, story_id: int, chapter: int, page: int, disabled: bool = False
    ) -> None:
        super().__init__(buttons.nav_button(direction, story_id, chapter, page, disabled))
        forward = direction == "next"
        self.forward, self.story_id, self.chapter, self.page = forward, story_id, chapter, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PageNav:
        """Rebuild from a clicked custom_id."""
        return cls(match["dir"], int(match["story"]), int(match["chapter"]), int(match["page"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        """Show the neighbouring page, or "caught up"."""
        reader = reader_of(interaction)
        result = await service_of(interaction).step(
            reader, self.story_id, self.chapter, self.page, forward=self.forward, record=False
        )
        if isinstance(result, PageView):
            await show_page(interaction, reader, result)
        else:
            await show(interaction, caught_up_message(result, speaker_of(interaction)))


class ChaptersButton(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=buttons.CHAPTERS_TEMPLATE,
):
    """`Chapters`: the chapter picker from `offset` (also its Earlier/Later buttons)."""

    def __init__(
        self, story_id: int, offset: int, *, label: str = "Chapters", disabled: bool = False
    ) -> None:
        super().__init__(buttons.chapters_button(story_id, offset, label, disabled))
        self.story_id, self.offset = story_id, offset

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ChaptersButton:
        """Rebuild from a clicked custom_id."""
        return cls(int(match["story"]), int(match["offset"]), label=item.label or "Chapters")

    async def handle(self, interaction: discord.Interaction) -> None:
        """Show the picker."""
        listing = await service_of(interaction).chapters(
            reader_of(interaction), self.story_id, self.offset
        )
        await show(interaction, picker_message(listing, speaker_of(interaction)))


class ChapterSelect(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Select],
    template=buttons.PICK_TEMPLATE,
):
    """The chapter picker's select menu; choosing a chapter opens it at page 1."""

    def __init__(self, listing: ChapterListing | None = None, *, story_id: int = 0) -> None:
        story = listing.story_id if listing else story_id
        offset = listing.offset if listing else 0
        chapters = listing.chapters if listing else []
        super().__init__(buttons.chapter_select(story, offset, chapters))
        self.story_id = story

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> ChapterSelect:
        """Rebuild from a used custom_id (the options come from the message)."""
        select = cls(story_id=int(match["story"]))
        select.item.options = item.options
        return select

    async def handle(self, interaction: discord.Interaction) -> None:
        """Open the chosen chapter."""
        values = self.item.values
        chosen = values[0] if values else ""
        if not (chosen.isascii() and chosen.isdigit()) or len(chosen) > 6:
            raise InvalidInput("That is not a chapter number.")
        reader = reader_of(interaction)
        page = await service_of(interaction).read_at(
            reader, self.story_id, int(chosen), 1, record=False
        )
        await show_page(interaction, reader, page)


class ForgetButton(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=buttons.FORGET_TEMPLATE,
):
    """`/forget-me`'s confirmation: only the member who asked may confirm, for this server."""

    def __init__(self, action: str, user_id: int) -> None:
        super().__init__(buttons.forget_button(action, user_id))
        self.yes, self.user_id = action == "yes", user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ForgetButton:
        """Rebuild from a clicked custom_id."""
        return cls(match["action"], int(match["user"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        """Delete (or not) the clicking member's data in this server."""
        if interaction.user.id != self.user_id or interaction.guild_id is None:
            raise NotAllowed("This confirmation is not yours.", hint="Run `/forget-me` yourself.")
        if not self.yes:
            cancelled = speaker_of(interaction).gettext("Cancelled: nothing was deleted.")
            await show(interaction, {"content": cancelled, "view": None})
            return
        deleted = await service_of(interaction).forget_me(interaction.guild_id, self.user_id)
        summary = ", ".join(
            f"{count} {table.replace('_', ' ')}" for table, count in deleted.items()
        )
        await show(
            interaction,
            {
                "content": speaker_of(interaction).gettext(
                    "🗑️ Done. Deleted your data in this server ({summary}).", summary=summary
                ),
                "view": None,
            },
        )


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    ReadFromHere,
    MarkRead,
    PageNav,
    ChaptersButton,
    ChapterSelect,
    ForgetButton,
)
