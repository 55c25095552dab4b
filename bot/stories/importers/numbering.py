"""Numbers before chapter titles: a download's numbering, or part of the author's title.

FanFicFare's `add_chapter_numbers` writes every chapter title as "<position>. <title>" ("1.
Prologue", "4. Chapter 3"). The importers already read a bare "N. " before a title as numbering
(kept in `Chapter.structure`, not in the title); this pass, run on the finished chapter list,
decides what the number was from the whole story:

- every chapter carries its own position ("1.", "2.", … "n."): the download's numbering. What
  remains is the source's heading, so a remaining "Chapter 3" is the chapter's label (title
  None), as a bare "Chapter 3" heading is in every other importer.
- a single chapter carries a number that is not its position ("3. Chapter 3" as chapter 4): it
  is not numbering but the author's title, and goes back into it.

Anything else (a roman "IV.", numbering from a book's own contents) stays as the importers read it.
"""

from __future__ import annotations

import re

from bot.stories.importers.titles import split_label
from bot.stories.model import Chapter, Story

_ARABIC = re.compile(r"^(\d{1,4})\.?$")


def settle_title_numbers(story: Story) -> None:
    """Apply the rules above to `story.chapters` (in place, numbered 1..n)."""
    numbered = [(chapter, _number(chapter)) for chapter in story.chapters]
    marked = [(chapter, n) for chapter, n in numbered if n is not None]
    if len(story.chapters) > 1 and all(n == chapter.number for chapter, n in numbered):
        for chapter in story.chapters:
            _label_from_title(chapter)
    elif len(marked) == 1 and marked[0][1] != marked[0][0].number:
        _restore_number(*marked[0])


def _number(chapter: Chapter) -> int | None:
    """The arabic number read off the chapter's heading as numbering, if any."""
    for words in chapter.structure:
        match = _ARABIC.match(words.strip())
        if match:
            return int(match[1])
    return None


def _label_from_title(chapter: Chapter) -> None:
    """ "Chapter 3" left after the numbering is the source's label, not a title."""
    if chapter.label is None and chapter.title:
        label, title = split_label(chapter.title)
        if label is not None:
            chapter.label, chapter.title = label, title


def _restore_number(chapter: Chapter, number: int) -> None:
    """Put a number that was the author's back in front of the title it came with."""
    words = next(w for w in chapter.structure if _ARABIC.match(w.strip()))
    chapter.structure.remove(words)
    chapter.title = f"{number}. {chapter.title}" if chapter.title else f"{number}."
