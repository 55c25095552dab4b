"""Discord's side of translation: the command tree's translator and a reply's `Speaker`.

`CommandTranslator` gives every command, group, option and choice its localized name and
description from the same gettext catalogs as the replies (`bot.i18n`). Names are looked up
in the "command name" context, so a word used both as a name and in prose may differ.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import SUPPORTED, Catalogs, Speaker, choose_locale
from bot.stories.render import ChapterWords

# The translator locations whose text is a name under Discord's naming rules.
NAME_LOCATIONS = frozenset(
    {
        app_commands.TranslationContextLocation.command_name,
        app_commands.TranslationContextLocation.group_name,
        app_commands.TranslationContextLocation.parameter_name,
    }
)
NAME_CONTEXT = "command name"


class CommandTranslator(app_commands.Translator):
    """Localized names/descriptions for the synced commands; None where a catalog lacks one."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The text for `locale`, or None (Discord then shows the English default)."""
        if locale.value not in SUPPORTED:
            return None
        speaker = self.catalogs.speaker(locale.value)
        message = string.message
        if context.location in NAME_LOCATIONS:
            text = speaker.pgettext(NAME_CONTEXT, message)
        else:
            text = speaker.gettext(message)
        return text if text != message else None


def speaker_of(interaction: discord.Interaction) -> Speaker:
    """The voice for a reply: the user's Discord language when chapterbot speaks it."""
    catalogs: Catalogs = interaction.client.catalogs  # type: ignore[attr-defined]
    return catalogs.speaker(choose_locale(str(interaction.locale)))


def relabel(view: discord.ui.View, speaker: Speaker) -> discord.ui.View:
    """Translate the English labels of a view's buttons (labels that are story text, such as
    a chapter title, have no catalog entry and stay as they are)."""
    for child in view.children:
        # A persistent DynamicItem wraps the button that carries the label.
        item = getattr(child, "item", child)
        label = getattr(item, "label", None)
        if isinstance(label, str) and label:
            item.label = speaker.gettext(label)
    return view


async def chapter_word(interaction: discord.Interaction) -> ChapterWords:
    """The server's word heading a chapter whose source gives no label ("Chapitre 3"), with
    the labels of its summary and notes ("Résumé :") in the same language."""
    if interaction.guild_id is None:
        return ChapterWords()
    voice = interaction.client.server_voice  # type: ignore[attr-defined]
    return chapter_words(await voice(interaction.guild_id))


def chapter_words(speaker: Speaker) -> ChapterWords:
    """The public chrome of a posted chapter in `speaker`'s language."""
    return ChapterWords(
        speaker.pgettext("chapter heading", "Chapter"),
        summary=speaker.pgettext("chapter notes", "Summary:"),
        notes=speaker.pgettext("chapter notes", "Notes:"),
        end_notes=speaker.pgettext("chapter notes", "End notes:"),
    )


def guild_speaker(catalogs: Catalogs, guild: discord.Guild | None, override: str | None) -> Speaker:
    """The voice of a public post: `/settings language`, else the server's preferred locale."""
    preferred = str(guild.preferred_locale) if guild is not None else None
    return catalogs.speaker(choose_locale(override, preferred))
