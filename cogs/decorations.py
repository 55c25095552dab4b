"""What goes under a chapter's last page when it is posted: buttons other features contribute.

Publishing posts pages; reading and feedback want their buttons under each chapter. Rather than
the poster importing those features, each feature registers a factory here when its cog loads
(`bot.decorations.add(...)`), and the publishing port asks for the view at post time. Features
that react after posting (reactions, notifications) subscribe to `chapter_released` instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.errors import NotFound
from bot.i18n import SOURCE, Speaker

DecorationFactory = Callable[[int, int], Sequence[discord.ui.Item[Any]]]
"""`factory(story_id, chapter_number)`: the items one feature puts under a chapter."""


class ChapterDecorations:
    """The registry of chapter-post decorations, ordered by `order` then name."""

    def __init__(self) -> None:
        self._factories: dict[str, tuple[int, DecorationFactory]] = {}

    def add(self, name: str, factory: DecorationFactory, *, order: int = 100) -> None:
        """Register (or replace) a feature's decoration; lower `order` comes first."""
        self._factories[name] = (order, factory)

    def remove(self, name: str) -> None:
        """Forget a feature's decoration (its cog unloaded)."""
        self._factories.pop(name, None)

    def items(self, story_id: int, chapter_number: int) -> list[discord.ui.Item[Any]]:
        """Every registered item for a chapter, in order."""
        found: list[discord.ui.Item[Any]] = []
        for _, factory in sorted(self._factories.values(), key=lambda entry: entry[0]):
            found.extend(factory(story_id, chapter_number))
        return found

    def view(self, story_id: int, chapter_number: int) -> discord.ui.View | None:
        """A persistent view of every item for a chapter, or None when nobody registered any."""
        items = self.items(story_id, chapter_number)
        if not items:
            return None
        view = discord.ui.View(timeout=None)
        for item in items:
            view.add_item(item)
        return view


class SettingsExtensions:
    """Subcommands other features add to the settings cog's `/settings` group.

    Whichever loads last completes the group: a feature registers its commands here (and they
    are added at once if the group exists); the settings cog adds what is registered when it
    loads. Neither imports the other.
    """

    def __init__(self) -> None:
        self._commands: dict[str, discord.app_commands.Command[Any, ..., Any]] = {}

    def add(self, tree: discord.app_commands.CommandTree[Any], *commands: Any) -> None:
        """Register subcommands and attach them if `/settings` is already there."""
        for command in commands:
            self._commands[command.name] = command
        self.attach(tree)

    def remove(self, tree: discord.app_commands.CommandTree[Any], *names: str) -> None:
        """Forget subcommands (their cog unloaded) and take them out of `/settings`."""
        group = tree.get_command("settings")
        for name in names:
            self._commands.pop(name, None)
            if isinstance(group, discord.app_commands.Group):
                group.remove_command(name)

    def attach(self, tree: discord.app_commands.CommandTree[Any]) -> bool:
        """Add every registered subcommand to `/settings`; False if that group isn't loaded."""
        group = tree.get_command("settings")
        if not isinstance(group, discord.app_commands.Group):
            return False
        for command in self._commands.values():
            group.add_command(command, override=True)
        return True


ChapterOpener = Callable[[discord.Interaction, int, int, int], Awaitable[None]]
"""`opener(interaction, guild_id, story_id, chapter)`: answer with the chapter's first page."""


class ChapterOpeners:
    """How other features open the reader at a chapter, e.g. from a button in a DM.

    The reading cog sets the opener when it loads; a feature such as following calls `open`
    without importing the reading cog (the guild id says as which server's member to read).
    """

    def __init__(self) -> None:
        self._opener: ChapterOpener | None = None

    def set(self, opener: ChapterOpener | None) -> None:
        """Register (or, with None, forget) the reader's opener."""
        self._opener = opener

    async def open(
        self, interaction: discord.Interaction, guild_id: int, story_id: int, chapter: int
    ) -> None:
        """Answer `interaction` with page 1 of `chapter`, read as a member of `guild_id`."""
        if self._opener is None:
            raise NotFound("Reading is not available right now.", hint="Try again in a minute.")
        await self._opener(interaction, guild_id, story_id, chapter)


StatsLine = Callable[[int, Speaker], Awaitable[str | None]]
"""`line(story_id, speaker)`: one line a feature adds to `/stats`, in the speaker's language
(None: nothing to say)."""


class StatsExtensions:
    """Lines other features add to the feedback cog's `/stats` (e.g. following's followers)."""

    def __init__(self) -> None:
        self._lines: dict[str, StatsLine] = {}

    def add(self, name: str, line: StatsLine) -> None:
        """Register (or replace) a feature's line."""
        self._lines[name] = line

    def remove(self, name: str) -> None:
        """Forget a feature's line (its cog unloaded)."""
        self._lines.pop(name, None)

    async def lines(self, story_id: int, speaker: Speaker = SOURCE) -> list[str]:
        """Every registered line for a story, by feature name, in `speaker`'s language."""
        found = []
        for name in sorted(self._lines):
            line = await self._lines[name](story_id, speaker)
            if line:
                found.append(line)
        return found
