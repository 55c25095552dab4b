"""The reader's components as plain discord.py items: what they look like and their custom_ids.

A leaf module: `cogs.reading.messages` builds replies from these, and the persistent
`DynamicItem`s of `cogs.reading.views` (which route clicks by custom_id and import the
messages) wrap the same builders — so neither of those two modules imports the other's users.

A button is first a `ButtonSpec` (label, style, custom_id): the `DynamicItem`s make discord.py
items of them, while replies send them as ready-made component objects (`ButtonRows`), because
building three discord.py items for every `/next` answer cost more than the page lookup.

A custom_id is untrusted input when it comes back: the `*_TEMPLATE` patterns only accept bounded
digit strings, and every handler re-checks everything through `bot.reading.service`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import discord

from bot.i18n import SOURCE, Speaker
from bot.reading.records import ReleasedChapter

_ID = r"\d{1,19}"  # a snowflake or row id
_NUM = r"\d{1,6}"  # a chapter, page or offset
LABEL_LIMIT = 80
BUTTONS_PER_ROW = 5  # Discord's limit per action row

READ_TEMPLATE = rf"cb:read:(?P<story>{_ID}):(?P<chapter>{_NUM})"
MARK_TEMPLATE = rf"cb:mark:(?P<story>{_ID}):(?P<chapter>{_NUM})"
NAV_TEMPLATE = rf"cb:(?P<dir>next|back):(?P<story>{_ID}):(?P<chapter>{_NUM}):(?P<page>{_NUM})"
CHAPTERS_TEMPLATE = rf"cb:chapters:(?P<story>{_ID}):(?P<offset>{_NUM})"
PICK_TEMPLATE = rf"cb:pick:(?P<story>{_ID}):(?P<offset>{_NUM})"
FORGET_TEMPLATE = rf"cb:forget:(?P<action>yes|no):(?P<user>{_ID})"


def fit_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """A button or option label cut to Discord's limit."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    """A reader button as data: what it shows and the custom_id its click carries back."""

    label: str
    style: discord.ButtonStyle
    custom_id: str
    disabled: bool = False

    def item(self) -> discord.ui.Button:
        """The button as a discord.py item (what a `DynamicItem` wraps)."""
        return discord.ui.Button(
            label=self.label, style=self.style, custom_id=self.custom_id, disabled=self.disabled
        )

    def payload(self) -> dict[str, Any]:
        """The button as Discord's component object."""
        return {
            "type": discord.ComponentType.button.value,
            "style": self.style.value,
            "label": self.label,
            "custom_id": self.custom_id,
            "disabled": self.disabled,
        }


class ButtonRows(discord.ui.View):
    """Reader buttons sent as ready-made component objects, in rows of five.

    Finished from the start, so discord.py sends its components but never stores it: clicks
    reach the `DynamicItem`s the reading cog registers, by custom_id, like any reader button.

    It skips `View.__init__` on purpose: that makes a future on the loop, reads 16 random bytes
    from the OS and walks the class's items — per `/next` answer, for a view that is never
    stored or dispatched. What discord.py asks of a view it sends (`to_components`,
    `has_components_v2`, `is_finished`, `is_dispatchable`, `timeout`) is answered here;
    `tests/cogs/test_reader_buttons.py` sends one through discord.py to keep that true.
    """

    def __init__(self, *specs: ButtonSpec) -> None:
        self._children: list[discord.ui.Item[Any]] = []  # what BaseView's repr and helpers read
        self._rows = [
            {
                "type": discord.ComponentType.action_row.value,
                "components": [spec.payload() for spec in specs[i : i + BUTTONS_PER_ROW]],
            }
            for i in range(0, len(specs), BUTTONS_PER_ROW)
        ]

    def to_components(self) -> list[dict[str, Any]]:
        """The rows as built (discord.py calls this when it sends the view)."""
        return self._rows

    def has_components_v2(self) -> bool:
        """Plain action rows of buttons."""
        return False

    def is_finished(self) -> bool:
        """Always: nothing waits for a click on this view itself."""
        return True

    def is_dispatchable(self) -> bool:
        """Never: clicks are routed to the registered `DynamicItem`s by custom_id."""
        return False

    def stop(self) -> None:
        """Nothing to stop."""

    def walk_children(self) -> Iterator[discord.ui.Item[Any]]:
        """No discord.py items: the buttons exist only as component objects."""
        return iter(())

    @property
    def children(self) -> list[discord.ui.Item[Any]]:
        """No discord.py items (see `walk_children`)."""
        return []

    @property
    def timeout(self) -> float | None:
        """No timeout: the view is never stored."""
        return None

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        """Ignored, for the same reason."""


def read_spec(
    story_id: int, chapter: int, label: str | None = None, t: Speaker = SOURCE
) -> ButtonSpec:
    """`📖 Read from here`: opens the reader at page 1 of a chapter."""
    return ButtonSpec(
        fit_label(label or t.gettext("📖 Read from here")),
        discord.ButtonStyle.primary,
        f"cb:read:{story_id}:{chapter}",
    )


def read_button(
    story_id: int, chapter: int, label: str | None = None, t: Speaker = SOURCE
) -> discord.ui.Button:
    """`read_spec` as a discord.py item."""
    return read_spec(story_id, chapter, label, t).item()


def mark_button(story_id: int, chapter: int, t: Speaker = SOURCE) -> discord.ui.Button:
    """`✓ Mark read` for a whole released chapter."""
    return discord.ui.Button(
        label=t.gettext("✓ Mark read"),
        style=discord.ButtonStyle.secondary,
        custom_id=f"cb:mark:{story_id}:{chapter}",
    )


def nav_spec(
    direction: str,
    story_id: int,
    chapter: int,
    page: int,
    disabled: bool = False,
    t: Speaker = SOURCE,
) -> ButtonSpec:
    """`◀ Back` (direction "back") or `Next ▶` ("next") from (chapter, page)."""
    forward = direction == "next"
    return ButtonSpec(
        t.gettext("Next ▶") if forward else t.gettext("◀ Back"),
        discord.ButtonStyle.primary if forward else discord.ButtonStyle.secondary,
        f"cb:{direction}:{story_id}:{chapter}:{page}",
        disabled,
    )


def nav_button(
    direction: str, story_id: int, chapter: int, page: int, disabled: bool = False
) -> discord.ui.Button:
    """`nav_spec` as a discord.py item."""
    return nav_spec(direction, story_id, chapter, page, disabled).item()


def chapters_spec(
    story_id: int,
    offset: int,
    label: str | None = None,
    disabled: bool = False,
    t: Speaker = SOURCE,
) -> ButtonSpec:
    """`Chapters`: the chapter picker from `offset` (also the picker's Earlier/Later)."""
    return ButtonSpec(
        label or t.gettext("Chapters"),
        discord.ButtonStyle.secondary,
        f"cb:chapters:{story_id}:{offset}",
        disabled,
    )


def chapters_button(
    story_id: int, offset: int, label: str | None = None, disabled: bool = False
) -> discord.ui.Button:
    """`chapters_spec` as a discord.py item."""
    return chapters_spec(story_id, offset, label, disabled).item()


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
