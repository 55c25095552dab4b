"""Buttons and pickers of the `/story` commands: chapter preview, delete confirmation, upload reply.

Every click re-checks in the database who may do what: a view only remembers ids, never rights.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.app_errors import report_error
from bot.i18n import N_, Speaker
from bot.stories.authoring import Authoring, ChapterPreview
from bot.stories.records import StoryRecord
from bot.text import clip
from cogs.common import GuardedItem, actor_of, chapterbot, stories_of
from cogs.i18n import speaker_of
from cogs.stories.choices import CHOICE_ITEMS, CHOICES_LABEL, UploadChoicesButton

PREVIEW_TIMEOUT_S = 15 * 60
SELECT_LIMIT = 25  # Discord's cap on a select menu's options
WINDOW = SELECT_LIMIT - 2  # room for the "earlier" and "later" entries
LABEL_LIMIT = 100


def service_of(interaction: discord.Interaction) -> Authoring:
    """The bot's authoring use cases."""
    return chapterbot(interaction).services.authoring


async def story_by_id(interaction: discord.Interaction, story_id: int) -> StoryRecord:
    """A story of this guild by id, or `NotFound` (it may have been deleted since)."""
    return await stories_of(interaction).in_guild(interaction.guild_id, story_id)


# -- chapter preview -------------------------------------------------------------------------


class PreviewView(discord.ui.View):
    """An author's ephemeral preview: ◀ ▶ through a chapter's pages, and a chapter picker."""

    def __init__(
        self, story: StoryRecord, preview: ChapterPreview, t: Speaker, page: int = 0
    ) -> None:
        super().__init__(timeout=PREVIEW_TIMEOUT_S)
        self.t = t  # the author's language (an ephemeral preview has one viewer)
        self.story_id, self.style = story.id, story.style
        self.preview, self.page = preview, page
        self.window = self._window_of(preview.chapter.number)
        self.prev_button = _button("◀", "preview:prev", self._turn(-1))
        self.position = discord.ui.Button(label="…", custom_id="preview:page", disabled=True)
        self.next_button = _button("▶", "preview:next", self._turn(+1))
        self.picker: discord.ui.Select = discord.ui.Select(
            custom_id="preview:chapter", placeholder=t.gettext("Jump to a chapter…"), row=1
        )
        self.picker.callback = self._picked  # type: ignore[method-assign]
        for item in (self.prev_button, self.position, self.next_button, self.picker):
            self.add_item(item)
        self._refresh()

    def message_kwargs(self) -> dict[str, Any]:
        """The current page exactly as it will be posted: message content or embed description."""
        pages = self.preview.pages
        text = pages[self.page].content if pages else self.t.gettext("(empty chapter)")
        if self.style == "embed":
            return {"content": None, "embed": discord.Embed(description=text), "view": self}
        return {"content": text, "embed": None, "view": self}

    def _window_of(self, number: int) -> int:
        index = self.preview.chapter_numbers.index(number)
        return (index // WINDOW) * WINDOW

    def _refresh(self) -> None:
        total = len(self.preview.pages)
        chapter = self.preview.chapter
        self.position.label = self.t.gettext(
            "Ch. {number} · page {page}/{pages}",
            number=chapter.number,
            page=self.page + 1,
            pages=max(total, 1),
        )
        self.prev_button.disabled = self.page <= 0
        self.next_button.disabled = self.page >= total - 1
        self.picker.options = self._chapter_options()

    def _chapter_options(self) -> list[discord.SelectOption]:
        numbers, titles = self.preview.chapter_numbers, self.preview.chapter_titles
        if len(numbers) <= SELECT_LIMIT:
            shown = range(len(numbers))
        else:
            shown = range(self.window, min(self.window + WINDOW, len(numbers)))
        options = []
        if len(numbers) > SELECT_LIMIT and self.window > 0:
            start = max(0, self.window - WINDOW)
            label = self.t.gettext(
                "⏪ Chapters {first}–{last}", first=numbers[start], last=numbers[self.window - 1]
            )
            options.append(_nav_option(label, start))
        for i in shown:
            label = (
                self.t.gettext("Chapter {number}: {title}", number=numbers[i], title=titles[i])
                if titles[i]
                else self.t.gettext("Chapter {number}", number=numbers[i])
            )
            options.append(
                discord.SelectOption(
                    label=clip(label, LABEL_LIMIT),
                    value=f"ch:{numbers[i]}",
                    default=numbers[i] == self.preview.chapter.number,
                )
            )
        after = self.window + WINDOW
        if len(numbers) > SELECT_LIMIT and after < len(numbers):
            last = min(after + WINDOW, len(numbers)) - 1
            label = self.t.gettext(
                "Chapters {first}–{last} ⏩", first=numbers[after], last=numbers[last]
            )
            options.append(_nav_option(label, after))
        return options

    def _turn(self, step: int) -> Callable[[discord.Interaction], Awaitable[None]]:
        async def turn(interaction: discord.Interaction) -> None:
            await self._reload(interaction, self.preview.chapter.number, self.page + step)

        return turn

    async def _picked(self, interaction: discord.Interaction) -> None:
        value = self.picker.values[0] if self.picker.values else ""
        kind, _, number = value.partition(":")
        if not (number.isascii() and number.isdigit() and len(number) <= 6):
            return  # not a value this picker offers (a forged one)
        if kind == "nav":
            self.window = min(int(number), len(self.preview.chapter_numbers) - 1)
            self._refresh()
            await interaction.response.edit_message(view=self)
        elif kind == "ch":
            await self._reload(interaction, int(number), 0)

    async def _reload(self, interaction: discord.Interaction, number: int, page: int) -> None:
        """Re-read the chapter (re-checking authorship) and show `page` of it."""
        story = await story_by_id(interaction, self.story_id)
        self.preview = await service_of(interaction).preview(actor_of(interaction), story, number)
        self.style = story.style
        self.page = max(0, min(page, len(self.preview.pages) - 1))
        if number != self.preview.chapter.number or not self._in_window(number):
            self.window = self._window_of(number)
        self._refresh()
        await interaction.response.edit_message(**self.message_kwargs())

    def _in_window(self, number: int) -> bool:
        index = self.preview.chapter_numbers.index(number)
        return self.window <= index < self.window + WINDOW

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Explain user errors; log bugs with an id."""
        await report_error(interaction, error)


def _button(
    label: str, custom_id: str, callback: Callable[[discord.Interaction], Awaitable[None]]
) -> discord.ui.Button:
    button: discord.ui.Button = discord.ui.Button(label=label, custom_id=custom_id)
    button.callback = callback  # type: ignore[method-assign]
    return button


def _nav_option(label: str, offset: int) -> discord.SelectOption:
    return discord.SelectOption(label=clip(label, LABEL_LIMIT), value=f"nav:{offset}")


async def send_preview(interaction: discord.Interaction, story: StoryRecord, number: int) -> None:
    """Answer with an ephemeral preview of chapter `number` (authors only)."""
    preview = await service_of(interaction).preview(actor_of(interaction), story, number)
    view = PreviewView(story, preview, speaker_of(interaction))
    await interaction.response.send_message(ephemeral=True, **view.message_kwargs())


# -- delete confirmation ---------------------------------------------------------------------


class DeleteConfirmView(discord.ui.View):
    """“Delete forever” / “Keep it”: the story goes only after an explicit confirmation."""

    def __init__(self, story: StoryRecord) -> None:
        super().__init__(timeout=PREVIEW_TIMEOUT_S)
        self.story_id, self.title = story.id, story.title

    @discord.ui.button(
        label=N_("Delete forever"),
        style=discord.ButtonStyle.danger,
        custom_id="story:delete:confirm",
    )
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        """Delete, re-checking the clicker may (owner or Manage Server)."""
        story = await story_by_id(interaction, self.story_id)
        await service_of(interaction).delete(actor_of(interaction), story)
        self.stop()
        text = speaker_of(interaction).gettext(
            "🗑️ Deleted “{title}”.", title=discord.utils.escape_markdown(story.title)
        )
        await interaction.response.edit_message(content=text, view=None)

    @discord.ui.button(
        label=N_("Keep it"), style=discord.ButtonStyle.secondary, custom_id="story:delete:cancel"
    )
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        """Leave the story alone."""
        self.stop()
        text = speaker_of(interaction).gettext("Nothing was deleted.")
        await interaction.response.edit_message(content=text, view=None)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Explain user errors; log bugs with an id."""
        await report_error(interaction, error)


# -- upload reply buttons (persistent: they work after a restart) -----------------------------


class PreviewChapterOne(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"cb:story:preview:(?P<id>[0-9]{1,20})",
):
    """“Preview chapter 1” under an upload summary."""

    def __init__(self, story_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=N_("Preview chapter 1"),
                emoji="👀",
                style=discord.ButtonStyle.primary,
                custom_id=f"cb:story:preview:{story_id}",
            )
        )
        self.story_id = story_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PreviewChapterOne:
        """Rebuild the button from its custom_id (untrusted: the story is re-checked on click)."""
        return cls(int(match["id"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        """Show the first chapter's preview to an author."""
        story = await story_by_id(interaction, self.story_id)
        await send_preview(
            interaction, story, await stories_of(interaction).first_chapter_number(story)
        )


class ScheduleHelp(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"cb:story:schedule:(?P<id>[0-9]{1,20})",
):
    """“Schedule” under an upload summary: the exact `/schedule add` usage for this story."""

    def __init__(self, story_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=N_("Schedule"),
                emoji="🗓️",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb:story:schedule:{story_id}",
            )
        )
        self.story_id = story_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ScheduleHelp:
        """Rebuild the button from its custom_id."""
        return cls(int(match["id"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        """Explain how to schedule this story (only to its authors)."""
        story = await story_by_id(interaction, self.story_id)
        await service_of(interaction).check_author(actor_of(interaction), story)
        text = schedule_usage(story, speaker_of(interaction))
        await interaction.response.send_message(text, ephemeral=True)


def schedule_usage(story: StoryRecord, t: Speaker) -> str:
    """How to set a channel and schedule `story`, as copyable commands (their names as the
    member's Discord shows them)."""
    channel = f"<#{story.channel_id}>" if story.channel_id else t.gettext("not set yet")
    return t.gettext(
        "🗓️ To release “{title}” (story id `{id}`):\n"
        "1. Pick its channel (now: {channel}): "
        "`/settings channel story:{id} channel:#your-channel`\n"
        "2. Schedule it: `/schedule add story:{id} when:friday 18:00 repeat:weekly`\n"
        "   or release the next chapter now: `/publish story:{id}`",
        title=discord.utils.escape_markdown(story.title),
        id=story.id,
        channel=channel,
    )


def upload_reply_view(story_id: int, choices_label: str = CHOICES_LABEL) -> discord.ui.View:
    """The buttons under an upload summary."""
    view = discord.ui.View(timeout=None)
    view.add_item(PreviewChapterOne(story_id))
    view.add_item(ScheduleHelp(story_id))
    view.add_item(UploadChoicesButton(story_id, choices_label))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    PreviewChapterOne,
    ScheduleHelp,
    *CHOICE_ITEMS,
)
