"""Split rendered chapters into pages that each fit one Discord message and render on their own.

How a chapter is cut:

1. A *cut* is a gap between words (whitespace plus the style markers and `> ` quote prefix
   touching it), or, only inside a word too long for any page, a position within that word.
   A cut inside a word never leaves the next page starting with what Discord would read as a
   header, quote or list marker (those are escaped only at word starts).
   A page from cut `b` to cut `a` is `reopen(b) + text[b:a] + close(a)`: the styles open at `b`
   are reopened (and `> ` re-added inside a quote) and those open at `a` are closed, so every
   page renders on its own; the gap itself (separators, spaces) is dropped.
2. Packing pages backwards from the chapter's end, as full as they go, gives for every k the
   earliest position from which the rest fits in k pages, and so the fewest pages possible.
3. Going forwards, each page ends at the best cut that still keeps that fewest count: the last
   paragraph boundary leaving it at least 80 % as full as it could be, else the last sentence
   end or hard line break doing so, else the last word that fits.

Only the few hundred characters around each page end are ever searched, so paginating is
proportional to the number of pages, not to the text's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

from bot.stories.model import Story
from bot.stories.render import RenderedChapter, render_story
from bot.stories.textcuts import CutFinder

STYLE_LIMITS = {"text": 2000, "embed": 4096}
MIN_LIMIT = 40  # room for `> `, five styles opened and closed, and a few characters
FILL = 0.8  # a page may end at a nicer boundary when that leaves it this full


def paginate(rendered: RenderedChapter, limit: int) -> list[str]:
    """Cut a rendered chapter into pages of at most `limit` characters each."""
    if limit < MIN_LIMIT:
        raise ValueError(f"page limit {limit} is below the minimum of {MIN_LIMIT}")
    text = rendered.text
    if len(text) <= limit:
        return [text] if text else []
    finder = CutFinder(rendered, limit)
    starts = _latest_starts(finder)
    pages: list[str] = []
    begin = 0
    for remaining in range(len(starts) - 1, -1, -1):
        if remaining == 0:
            end, following = len(text), len(text)
        else:
            end, following = _choose_end(finder, begin, starts[remaining - 1])
        pages.append(finder.page(begin, end))
        begin = following
    return pages


def paginate_story(
    story: Story, style: str = "text", chapter_word: str = "Chapter"
) -> list[list[str]]:
    """Pages per chapter for `style` ("text" or "embed"); story warnings go on chapter 1.

    `chapter_word` heads chapters whose source gives no label (the server's language)."""
    limit = style_limit(style)
    rendered = render_story(story, chapter_word=chapter_word)
    return [paginate(chapter, limit) for chapter in rendered]


def style_limit(style: str) -> int:
    """The page limit of a posting style, or ValueError naming the valid ones."""
    try:
        return STYLE_LIMITS[style]
    except KeyError:
        raise ValueError(f"unknown style {style!r}; use one of {sorted(STYLE_LIMITS)}") from None


def lower_bound(chapters: Sequence[RenderedChapter], limit: int) -> int:
    """The fewest pages any paginator could need: sum of ceil(chars / limit) over chapters."""
    return sum(ceil(ch.chars / limit) for ch in chapters)


def _latest_starts(finder: CutFinder) -> list[int]:
    """Pack backwards: element k-1 is the earliest start from which the rest fits in k pages."""
    starts: list[int] = []
    end = len(finder.text)
    while True:
        start, previous_end = finder.earliest_start(end)
        starts.append(start)
        if start == 0:
            return starts
        end = previous_end


def _choose_end(finder: CutFinder, begin: int, next_at_least: int) -> tuple[int, int]:
    """The best `(end, next_begin)` for a page starting at `begin` that keeps the page count."""
    far_end, far_next = finder.furthest_end(begin)
    threshold = FILL * finder.cost(begin, far_end)
    paragraph = finder.last_paragraph_gap(begin, far_end, threshold)
    if paragraph is not None and paragraph[1] >= next_at_least:
        return paragraph
    for end, following, kind in finder.gaps_backwards(begin, far_end, threshold):
        if following < next_at_least:
            break
        if kind != "word":
            return end, following
    return far_end, far_next
