"""What an import did with the file, for the replies of `/story upload` and `/story update`:
the skipped parts, the word account (a warning for lost words) and text to check."""

from __future__ import annotations

import discord
from discord.utils import escape_markdown

from bot.i18n import Speaker
from bot.stories.authoring import PreparedStory
from bot.stories.importers.matter import skipped_summary
from bot.stories.importers.text_checks import text_problems
from bot.text import clip


def add_import_report(embed: discord.Embed, t: Speaker, prepared: PreparedStory) -> None:
    """The fields both replies share: what was skipped, where the words went, what to check."""
    skipped = skipped_summary(prepared.story.skipped, t=t)
    if skipped:
        embed.add_field(
            name=t.gettext("Skipped (not posted)"),
            value=escape_markdown(skipped),
            inline=False,
        )
    add_word_account(embed, t, prepared)
    problems = text_problems(prepared.story, t)
    if problems:
        fix = t.gettext("Fix the file and `/story update` it.")
        embed.add_field(
            name=t.gettext("⚠️ Check the text"),
            value=clip("; ".join(problems) + ". " + fix, 1024),
            inline=False,
        )


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
