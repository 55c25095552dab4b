"""Split an AO3 work into chapters, with each chapter's summary, notes and end notes.

In AO3's HTML download, `div#chapters` holds, per chapter, a `div.meta.group` (the
`h2.heading` "Chapter 1: Title" plus "Chapter Summary"/"Chapter Notes" quotes), the body in
`div.userstuff`, and an optional `div.meta` of "Chapter End Notes". A single-chapter work has
just the body. EPUBs made from that HTML are split by their table of contents instead, and
`pull_chapter_notes` then lifts the same notes out of each chapter's flow.
"""

from __future__ import annotations

import re
from typing import Any

from bot.stories.accounting import leftover_text
from bot.stories.importers.ao3 import labelled_quotes
from bot.stories.importers.html_blocks import Anchor, Item, blocks_of, element_text, flow
from bot.stories.importers.markup import classes, visible_text
from bot.stories.importers.titles import ao3_title
from bot.stories.model import BlockQuote, Chapter, Paragraph

_NOTE_FIELDS = {
    "chapter summary": "summary",
    "summary": "summary",
    "chapter notes": "notes",
    "notes": "notes",
    "chapter end notes": "end_notes",
    "end notes": "end_notes",
    # Our own export's label for the story's end notes, after its last chapter.
    "work end notes": "work_end_notes",
}
# AO3's cross-references to notes printed elsewhere; they point nowhere once imported.
_NOTE_POINTER = re.compile(
    r"^\(?see the end of the (?:chapter|work) for (?:more )?(?:notes|end notes)\.?\)?$", re.I
)
# AO3's credit for a chapter written by some of a work's co-authors.
_CHAPTER_BYLINE = re.compile(r"^chapter by\s+(?P<names>\S.*)$", re.I)


def split_names(text: str) -> list[str]:
    """Names from a credit line: "A, B and C" / "A & B" -> ["A", "B", "C"]."""
    parts = re.split(r"\s*(?:,|&|\band\b)\s*", text.strip())
    return [part.strip() for part in parts if part.strip()]


def ao3_chapters(root: Any) -> list[Chapter]:
    """The chapters in the `div#chapters` of an AO3 HTML download (empty if there is none)."""
    chapters: list[Chapter] = []
    for container in root.iter("{*}div"):
        if container.get("id") == "chapters":
            for child in container:
                if isinstance(child.tag, str):
                    _take(child, chapters)
    return chapters


def pull_chapter_notes(items: list[Item]) -> tuple[list[Item], dict[str, str]]:
    """Remove AO3 note labels and their quotes from a chapter's flow; return both parts.

    The notes map uses the `Chapter` field names: "summary", "notes", "end_notes"; "labels"
    holds the labels and pointers taken out, one per line.
    """
    kept: list[Item] = []
    notes: dict[str, str] = {}
    labels: list[str] = []
    index = 0
    while index < len(items):
        item = items[index]
        if isinstance(item, Paragraph):
            text = item.text.strip()
            key = _NOTE_FIELDS.get(text.rstrip(":").strip().lower())
            following = _next_block(items, index + 1)
            if key and following is not None and isinstance(items[following], BlockQuote):
                notes.setdefault(key, items[following].text)
                labels.append(text)
                kept.extend(items[index + 1 : following])  # anchors between the two stay
                index = following + 1
                continue
            if key and following is not None and _is_pointer(items[following]):
                labels.append(text)
                index += 1  # a label whose note is printed elsewhere ("See the end...")
                continue
            byline = _CHAPTER_BYLINE.match(text)
            if byline and not _has_text(kept):
                notes.setdefault("authors", byline["names"])
                labels.append(text)
                index += 1
                continue
            if _NOTE_POINTER.match(text):
                labels.append(text)
                index += 1
                continue
        kept.append(item)
        index += 1
    if labels:
        notes["labels"] = "\n".join(labels)
    return kept, notes


def _is_pointer(item: Item) -> bool:
    return isinstance(item, Paragraph) and bool(_NOTE_POINTER.match(item.text.strip()))


def _has_text(items: list[Item]) -> bool:
    return any(isinstance(item, Paragraph | BlockQuote) for item in items)


def _take(child: Any, chapters: list[Chapter]) -> None:
    names = classes(child)
    heading = None if "userstuff" in names else _chapter_heading(child)
    if heading is not None:
        chapter = Chapter(number=len(chapters) + 1, title=ao3_title(element_text(heading)))
        chapter.authors = _chapter_byline(child)
        quotes = labelled_quotes(child)
        chapter.summary = quotes.get("chapter summary") or quotes.get("summary")
        chapter.notes = quotes.get("chapter notes") or quotes.get("notes")
        kept = (chapter.title, *chapter.authors, chapter.summary, chapter.notes)
        _labels(chapter, child, kept)
        chapters.append(chapter)
        return
    if "meta" in names or (child.get("id") or "").startswith("endnotes"):
        quotes = labelled_quotes(child)
        end_notes = quotes.get("chapter end notes") or quotes.get("end notes")
        if end_notes:
            _current(chapters).end_notes = end_notes
        _labels(_current(chapters), child, (end_notes,))
        return
    # The body (`div.userstuff`), or stray markup AO3 would have put in it.
    _current(chapters).blocks.extend(blocks_of(flow(child)))


def _labels(chapter: Chapter, meta: Any, kept: tuple[str | None, ...]) -> None:
    """Keep AO3's labels in a chapter's meta block ("Chapter 1:", "Chapter Notes", "See the end
    of the chapter for more notes") as the chapter's structure words."""
    left = leftover_text(visible_text(meta), kept)
    if left:
        chapter.structure.append(left)


def _chapter_byline(meta: Any) -> list[str]:
    """Names in a chapter's "Chapter by X" line (`p.byline`), if it has one."""
    for el in meta.iter("{*}p", "{*}div"):
        if "byline" in classes(el):
            match = _CHAPTER_BYLINE.match(element_text(el))
            if match:
                return split_names(match["names"])
    return []


def _chapter_heading(el: Any) -> Any | None:
    """The `h2.heading` of a chapter's `div.meta.group` (or that bare `h2`), if `el` is one."""
    for h2 in el.iter("{*}h2"):
        if "heading" in classes(h2):
            return h2
    return None


def _current(chapters: list[Chapter]) -> Chapter:
    if not chapters:
        chapters.append(Chapter(number=1))
    return chapters[-1]


def _next_block(items: list[Item], start: int) -> int | None:
    for index in range(start, len(items)):
        if not isinstance(items[index], Anchor):
            return index
    return None
