"""The upload reply's “Skipped parts & chapters” button and its two pickers.

The button opens, for the story's authors, an ephemeral message with one picker turning a
skipped part into a chapter and one dropping a chapter. All three are persistent items (their
custom ids carry the story id), so they keep working after a restart; each use re-checks the
author in the database through `bot.stories.upload_choices`, where the rules live.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.actor import Actor
from bot.i18n import Speaker
from bot.i18n.catalog import N_
from bot.stories.records import StoryRecord
from bot.stories.upload_choices import STARTED, Rearranged, UploadChoices, UploadOptions
from bot.text import clip
from cogs.common import GuardedItem, actor_of, chapterbot, stories_of
from cogs.i18n import chapter_word, speaker_of

SELECT_LIMIT = 25  # Discord's cap on a select menu's options
LABEL_LIMIT = 100
CHOICES_LABEL = N_("Skipped parts & chapters")


def choices_of(interaction: discord.Interaction) -> UploadChoices:
    """The bot's upload-choice use cases."""
    return chapterbot(interaction).services.upload_choices


async def _story(interaction: discord.Interaction, story_id: int) -> StoryRecord:
    return await stories_of(interaction).in_guild(interaction.guild_id, story_id)


def _picked(interaction: discord.Interaction) -> str:
    values = (interaction.data or {}).get("values") or [""]  # type: ignore[union-attr]
    return str(values[0])


class UploadChoicesButton(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"cb:story:choices:(?P<id>[0-9]{1,20})",
):
    """“Skipped parts & chapters” under an upload summary."""

    def __init__(self, story_id: int, label: str = CHOICES_LABEL) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="🧩",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb:story:choices:{story_id}",
            )
        )
        self.story_id = story_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> UploadChoicesButton:
        """Rebuild the button from its custom_id (the story is re-checked on click)."""
        return cls(int(match["id"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        """Show the pickers to an author of the story."""
        story = await _story(interaction, self.story_id)
        options = await choices_of(interaction).options(actor_of(interaction), story)
        t = speaker_of(interaction)
        await interaction.response.send_message(
            ephemeral=True, **choices_message(t, story, options)
        )


class _Picker(GuardedItem):
    """What the two pickers share: rebuilt from the story id in their custom_id; a pick is
    applied through the use cases, then the choices are shown again under a note."""

    story_id: int

    def __init__(self, story_id: int, select: discord.ui.Select) -> None:
        super().__init__(select)  # type: ignore[call-arg]  # the DynamicItem after this mixin
        self.story_id = story_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Any:
        """Rebuild the picker from its custom_id."""
        return cls(int(match["id"]))  # type: ignore[call-arg]

    async def handle(self, interaction: discord.Interaction) -> None:
        """Apply the pick, then show the updated choices with what was done."""
        story = await _story(interaction, self.story_id)
        choices, actor = choices_of(interaction), actor_of(interaction)
        picked = int(_picked(interaction) or 0)
        done = await self._apply(choices, actor, story, picked, await chapter_word(interaction))
        t = speaker_of(interaction)
        note = "✅ " + self._note(t, done)
        options = await choices.options(actor, story)
        await interaction.response.edit_message(**choices_message(t, story, options, note))

    async def _apply(
        self, choices: UploadChoices, actor: Actor, story: StoryRecord, picked: int, word: str
    ) -> Rearranged:
        raise NotImplementedError

    def _note(self, t: Speaker, done: Rearranged) -> str:
        raise NotImplementedError


class RestorePart(
    _Picker,
    discord.ui.DynamicItem[discord.ui.Select],
    template=r"cb:story:restore:(?P<id>[0-9]{1,20})",
):
    """The picker turning a skipped part into a chapter."""

    def __init__(self, story_id: int, select: discord.ui.Select | None = None) -> None:
        super().__init__(
            story_id, select or discord.ui.Select(custom_id=f"cb:story:restore:{story_id}")
        )

    async def _apply(
        self, choices: UploadChoices, actor: Actor, story: StoryRecord, picked: int, word: str
    ) -> Rearranged:
        return await choices.restore(actor, story, picked, chapter_word=word)

    def _note(self, t: Speaker, done: Rearranged) -> str:
        return t.gettext(
            "“{part}” is now chapter {number} of {count}.",
            part=discord.utils.escape_markdown(done.title),
            number=done.number,
            count=done.chapters,
        )


class DropChapter(
    _Picker,
    discord.ui.DynamicItem[discord.ui.Select],
    template=r"cb:story:drop:(?P<id>[0-9]{1,20})",
):
    """The picker dropping a chapter (it becomes a skipped part)."""

    def __init__(self, story_id: int, select: discord.ui.Select | None = None) -> None:
        super().__init__(
            story_id, select or discord.ui.Select(custom_id=f"cb:story:drop:{story_id}")
        )

    async def _apply(
        self, choices: UploadChoices, actor: Actor, story: StoryRecord, picked: int, word: str
    ) -> Rearranged:
        return await choices.drop(actor, story, picked, chapter_word=word)

    def _note(self, t: Speaker, done: Rearranged) -> str:
        return t.gettext(
            "Chapter {number} (“{title}”) is now a skipped part; {count} chapters are left.",
            number=done.number,
            title=discord.utils.escape_markdown(done.title),
            count=done.chapters,
        )


def choices_message(
    t: Speaker, story: StoryRecord, options: UploadOptions, note: str | None = None
) -> dict[str, Any]:
    """The ephemeral message: what the pickers do, and the pickers (none once it started)."""
    title = discord.utils.escape_markdown(story.title)
    lines = [note] if note else []
    view = discord.ui.View(timeout=None)
    if options.started:
        lines.append(t.gettext(STARTED, title=title))
        return {"content": "\n".join(lines), "view": view}
    lines.append(
        t.gettext(
            "Before “{title}” starts going out, you can turn a skipped part into a chapter or "
            "drop a chapter. Chapters are renumbered and their pages rendered again.",
            title=title,
        )
    )
    if options.parts:
        select = discord.ui.Select(
            custom_id=f"cb:story:restore:{story.id}",
            placeholder=t.gettext("Turn a skipped part into a chapter…"),
            options=[
                discord.SelectOption(
                    label=clip(f"{part.title} ({part.words:,})", LABEL_LIMIT),
                    value=str(part.id),
                    description=clip(part.reason, LABEL_LIMIT),
                )
                for part in options.parts[:SELECT_LIMIT]
            ],
        )
        view.add_item(RestorePart(story.id, select))
    if len(options.chapters) > 1:
        shown = list(options.chapters)
        if len(shown) > SELECT_LIMIT:  # the first and last chapters are the likely ones
            shown = shown[: SELECT_LIMIT - 5] + shown[-5:]
        select = discord.ui.Select(
            custom_id=f"cb:story:drop:{story.id}",
            placeholder=t.gettext("Drop a chapter…"),
            options=[
                discord.SelectOption(
                    label=clip(
                        " · ".join(
                            str(p) for p in (chapter.number, chapter.label, chapter.title) if p
                        ),
                        LABEL_LIMIT,
                    ),
                    value=str(chapter.number),
                )
                for chapter in shown
            ],
        )
        view.add_item(DropChapter(story.id, select))
    return {"content": "\n".join(lines), "view": view}


CHOICE_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    UploadChoicesButton,
    RestorePart,
    DropChapter,
)
