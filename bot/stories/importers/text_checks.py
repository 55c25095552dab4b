"""Text that still looks broken after decoding: mojibake and replacement characters.

The decoder repairs mixed UTF-8/Windows-1252 files line by line, but a file can arrive already
damaged (UTF-8 saved as cp1252 twice, bytes lost in a copy). Such text is imported as it is,
never silently: `text_problems` names what it found so the upload reply can warn the author.
"""

from __future__ import annotations

import re

from bot.errors import Translates
from bot.i18n import SOURCE
from bot.stories.model import Story

# UTF-8 bytes read as Windows-1252/Latin-1: "â€™" for ’, "Ã©" for é, "Â " for a no-break space.
_MOJIBAKE = re.compile(
    "â€[\u2122\u0153\u009d\u02dc\u201c\u201d\u2018\u2019\u2020\u2021\u2022\u2026\u00a6\u00a2\u00a1]"
    "|Ã[\u0080-\u00bf\u2018-\u201e\u2020-\u2122\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]"
    "|Â[\u00a0-\u00bf]"
)


def _texts(story: Story) -> list[str]:
    parts = [story.title, story.summary or "", story.notes or "", story.end_notes or ""]
    for chapter in story.chapters:
        parts += [chapter.title or "", chapter.label or "", chapter.notes or ""]
        parts += [chapter.summary or "", chapter.end_notes or "", chapter.text]
    return parts


def text_problems(story: Story, t: Translates = SOURCE) -> list[str]:
    """What looks broken in the imported text, one line per kind in `t`'s language; empty
    when all is well."""
    text = "\n".join(_texts(story))
    problems = []
    replaced = text.count("\ufffd")
    if replaced:
        problems.append(
            t.ngettext(
                "{n} unreadable character shown as �",
                "{n} unreadable characters shown as �",
                replaced,
            )
        )
    garbled = _MOJIBAKE.findall(text)
    if garbled:
        problems.append(
            t.ngettext(
                "{n} garbled character sequence such as “{sample}”",
                "{n} garbled character sequences such as “{sample}”",
                len(garbled),
                sample=garbled[0],
            )
        )
    return problems
