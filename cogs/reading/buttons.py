"""The reader's components as plain discord.py items: what they look like and their custom_ids.

A leaf module: `cogs.reading.messages` builds replies from these, and the persistent
`DynamicItem`s of `cogs.reading.views` (which route clicks by custom_id and import the
messages) wrap the same builders — so neither of those two modules imports the other's users.

A custom_id is untrusted input when it comes back: the `*_TEMPLATE` patterns only accept bounded
digit strings, and every handler re-checks everything through `bot.reading.service`.
"""

from __future__ import annotations

import discord

from bot.i18n import SOURCE, Speaker
from bot.reading.records import ReleasedChapter

_ID = r"\d{1,19}"  # a snowflake or row id
_NUM = r"\d{1,6}"  # a chapter, page or offset
LABEL_LIMIT = 80

READ_TEMPLATE = rf"cb:read:(?P<story>{_ID}):(?P<chapter>{_NUM})"
MARK_TEMPLATE = rf"cb:mark:(?P<story>{_ID}):(?P<chapter>{_NUM})"
NAV_TEMPLATE = rf"cb:(?P<dir>next|back):(?P<story>{_ID}):(?P<chapter>{_NUM}):(?P<page>{_NUM})"
CHAPTERS_TEMPLATE = rf"cb:chapters:(?P<story>{_ID}):(?P<offset>{_NUM})"
PICK_TEMPLATE = rf"cb:pick:(?P<story>{_ID}):(?P<offset>{_NUM})"
FORGET_TEMPLATE = rf"cb:forget:(?P<action>yes|no):(?P<user>{_ID})"


def fit_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """A button or option label cut to Discord's limit."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_button(
    story_id: int, chapter: int, label: str | None = None, t: Speaker = SOURCE
) -> discord.ui.Button:
    """`📖 Read from here`: opens the reader at page 1 of a chapter."""
    return discord.ui.Button(
        label=fit_label(label or t.gettext("📖 Read from here")),
        style=discord.ButtonStyle.primary,
        custom_id=f"cb:read:{story_id}:{chapter}",
    )


def mark_button(story_id: int, chapter: int, t: Speaker = SOURCE) -> discord.ui.Button:
    """`✓ Mark read` for a whole released chapter."""
    return discord.ui.Button(
        label=t.gettext("✓ Mark read"),
        style=discord.ButtonStyle.secondary,
        custom_id=f"cb:mark:{story_id}:{chapter}",
    )


def nav_button(
    direction: str,
    story_id: int,
    chapter: int,
    page: int,
    disabled: bool = False,
    t: Speaker = SOURCE,
) -> discord.ui.Button:
    """`◀ Back` (direction "back") or `Next ▶` ("next") from (chapter, page)."""
    forward = direction == "next"
    return discord.ui.Button(
        label=t.gettext("Next ▶") if forward else t.gettext("◀ Back"),
        style=discord.ButtonStyle.primary if forward else discord.ButtonStyle.secondary,
        custom_id=f"cb:{direction}:{story_id}:{chapter}:{page}",
        disabled=disabled,
    )


def chapters_button(
    story_id: int,
    offset: int,
    label: str | None = None,
    disabled: bool = False,
    t: Speaker = SOURCE,
) -> discord.ui.Button:
    """`Chapters`: the chapter picker from `offset` (also the picker's Earlier/Later)."""
    return discord.ui.Button(
        label=label or t.gettext("Chapters"),
        style=discord.ButtonStyle.secondary,
        custom_id=f"cb:chapters:{story_id}:{offset}",
        disabled=disabled,
    )


def chapter_select(
    story_id: int, offset: int, chapters: list[ReleasedChapter], t: Speaker = SOURCE
) -> discord.ui.Select:
    """The picker's select menu of up to 25 chapters (a placeholder option when empty)."""
    options = [
        discord.SelectOption(
            label=fit_label(
                t.gettext("Chapter {number}", number=c.number)
                + (f": {c.title}" if c.title else ""),
                100,
            ),
            value=str(c.number),
        )
        for c in chapters
    ] or [discord.SelectOption(label="-", value="0")]
    return discord.ui.Select(
        custom_id=f"cb:pick:{story_id}:{offset}",
        placeholder=t.gettext("Jump to a chapter…"),
        options=options,
    )


def forget_button(action: str, user_id: int) -> discord.ui.Button:
    """`/forget-me`'s confirm ("yes") or cancel ("no") button for one member."""
    yes = action == "yes"
    return discord.ui.Button(
        label="Delete my reading data" if yes else "Cancel",
        style=discord.ButtonStyle.danger if yes else discord.ButtonStyle.secondary,
        custom_id=f"cb:forget:{action}:{user_id}",
    )


def reader_view(*items: discord.ui.Item[discord.ui.View]) -> discord.ui.View:
    """A view of reader components that leaves nothing behind in discord.py when sent.

    Clicks on these custom_ids are routed to the `DynamicItem`s the reading cog registers, never
    to this view; a finished view is sent the same but never stored, so it costs no 15-minute
    timeout task per reply (an ephemeral reply's view otherwise lives that long).
    """
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view
