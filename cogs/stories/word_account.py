"""The upload reply's word account: where the file's words went, and a warning for lost ones."""

from __future__ import annotations

import discord

from bot.i18n import Speaker
from bot.stories.authoring import PreparedStory


def number(value: int) -> str:
    """A count with thousands separators."""
    return f"{value:,}"


def add_word_account(embed: discord.Embed, t: Speaker, prepared: PreparedStory) -> None:
    """One line saying where the file's words went, and a warning when some went nowhere."""
    words = prepared.words
    if words is None:
        return
    story = prepared.story
    embed.add_field(
        name=t.gettext("Words in the file"),
        value=t.gettext(
            "{source} words read: {posted} posted as chapter text, {skipped} listed as skipped, "
            "the rest kept as titles, headings, notes and metadata.",
            source=number(words.source_words),
            posted=number(story.word_count),
            skipped=number(sum(part.words for part in story.skipped)),
        ),
        inline=False,
    )
    if words.unaccounted > 0:
        embed.add_field(
            name="⚠️ " + t.gettext("Words unaccounted for"),
            value=t.gettext(
                "{lost} of the file's {source} words are neither posted nor listed as skipped. "
                "Check the chapters with `/story preview` before scheduling.",
                lost=number(words.unaccounted),
                source=number(words.source_words),
            ),
            inline=False,
        )
