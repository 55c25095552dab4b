"""The heading an exported chapter carries, chosen so our own importers read it back.

"Chapter 40: Midnight, Forecastle" keeps the source's label and title; a chapter with only a
title is headed by its title; a chapter with neither gets its bare position ("3"), which the
importers read as numbering, not as a title or a label.
"""

from __future__ import annotations

from bot.stories.model import Chapter


def chapter_heading(chapter: Chapter) -> str:
    """The heading text for `chapter` in an exported file."""
    label = " ".join((chapter.label or "").split())
    title = " ".join((chapter.title or "").split())
    if label and title:
        return f"{label}: {title}"
    return label or title or str(chapter.number)
