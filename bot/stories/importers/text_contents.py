"""A plain-text book's own table of contents, used to find its chapter headings.

Gutenberg and FanFicFare .txt files list their chapters under a `Contents` / `TABLE OF CONTENTS`
line, then repeat each entry as the chapter's heading, in the same order, with other spacing,
case or wrapping ("Stave   I: Marley's Ghost" -> "STAVE I:  MARLEY'S GHOST"; a long title
wrapped over two lines). Whatever the heading looks like - bare numerals, all-caps titles,
indented lines - the contents say which lines are headings. So:

1. Entries are the short lines after the contents line, up to a gap of three blank lines.
2. Each entry, in order, is looked for in the text after the previous match, as the first one
   to three lines of a paragraph (compared by letters and digits only, ignoring case).
3. Matching stops at the first entry not found (a dedication after the list is not an entry);
   with fewer than two matches the contents are not trusted and nothing changes.

The contents lines that matched are removed from the text and reported as skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.stories.importers.text_blocks import RawParagraph
from bot.stories.model import Skipped

_CONTENTS = re.compile(r"^(?:table of )?contents\.?$", re.I)
_ENTRY_WORDS = 16
_END_GAP = 3
_MAX_ENTRY_LINES = 3
_MIN_MATCHES = 2


@dataclass(frozen=True)
class ContentsSplit:
    """Paragraphs without the contents list, and which of them open with a chapter heading."""

    paragraphs: list[RawParagraph]
    headings: dict[int, int]  # paragraph index -> number of heading lines at its start
    skipped: Skipped | None


def split_by_contents(paragraphs: list[RawParagraph]) -> ContentsSplit:
    """Find the book's contents list and mark the paragraphs that repeat its entries."""
    start = next(
        (i for i, p in enumerate(paragraphs) if len(p.lines) == 1 and _CONTENTS.match(p.lines[0])),
        None,
    )
    if start is None:
        return ContentsSplit(paragraphs, {}, None)
    entries = _entries(paragraphs, start + 1)  # (paragraph index, line index, text)
    headings: dict[int, int] = {}
    search_from = start + 1
    last_entry: tuple[int, int] | None = None
    for index, line, text in entries:
        found = _find(paragraphs, _key(text), max(search_from, index + 1))
        if found is None:
            break
        headings[found[0]] = found[1]
        search_from = found[0] + 1
        last_entry = (index, line)
    if len(headings) < _MIN_MATCHES or last_entry is None:
        return ContentsSplit(paragraphs, {}, None)
    return _without_contents(paragraphs, start, last_entry, headings)


def _entries(paragraphs: list[RawParagraph], first: int) -> list[tuple[int, int, str]]:
    entries: list[tuple[int, int, str]] = []
    for index in range(first, len(paragraphs)):
        paragraph = paragraphs[index]
        if entries and paragraph.gap_before >= _END_GAP:
            break
        if any(len(line.split()) > _ENTRY_WORDS for line in paragraph.lines):
            break
        entries += [(index, n, line) for n, line in enumerate(paragraph.lines)]
    return entries


def _find(paragraphs: list[RawParagraph], key: str, start: int) -> tuple[int, int] | None:
    if not key:
        return None
    for index in range(start, len(paragraphs)):
        lines = paragraphs[index].lines
        for count in range(1, min(_MAX_ENTRY_LINES, len(lines)) + 1):
            if _key(" ".join(lines[:count])) == key:
                return index, count
    return None


def _without_contents(
    paragraphs: list[RawParagraph],
    start: int,
    last_entry: tuple[int, int],
    headings: dict[int, int],
) -> ContentsSplit:
    end_index, end_line = last_entry
    removed = [paragraphs[start].lines[0]]
    for index in range(start + 1, end_index + 1):
        lines = paragraphs[index].lines
        removed += lines[: end_line + 1] if index == end_index else lines
    tail = paragraphs[end_index].lines[end_line + 1 :]
    kept = paragraphs[:start]
    if tail:
        kept.append(RawParagraph(tail, paragraphs[end_index].gap_before))
    shift = len(kept) - (end_index + 1)
    kept += paragraphs[end_index + 1 :]
    moved = {index + shift: count for index, count in headings.items()}
    words = sum(len(line.split()) for line in removed)
    contents = Skipped("table of contents", "table of contents", words, "\n".join(removed))
    return ContentsSplit(kept, moved, contents)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())
