"""Render a chapter to Discord markdown blocks.

A chapter renders to these blocks, in order, joined by a blank line ("\\n\\n"):

1. the heading, bold: `**Chapter N: Title**`; `**Chapter N**` without a title (or
   `**Chapter N: <fallback_title>**` when the caller passes one); or just `**Title**` when the
   title already starts with "Chapter" (an EPUB's "Chapter 1. Loomings.") so it never reads
   "Chapter 1: Chapter 1. …";
2. the warnings line, e.g. `⚠️ Warnings: ||Graphic Depictions Of Violence||` (spoilered so a
   reader chooses to look; "No Archive Warnings Apply" warns of nothing, so it stays visible);
3. the chapter summary and notes as block quotes labelled **Summary:** / **Notes:** (in the
   server's language when the caller passes `ChapterWords`);
4. the body: paragraphs, block quotes (`> ` on every line) and scene breaks, drawn as `⁂` (an
   asterism: one character, unmistakably a separator, and free of markdown);
5. the end notes as a block quote labelled **End notes:**.

Besides the text, a `RenderedChapter` keeps where style markers and quotes are, so the paginator
can cut anywhere without re-parsing markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.stories.inline import (
    BOLD,
    QUOTE_PREFIX,
    SPOILER,
    Inline,
    Run,
    Transition,
    render_runs,
    span_mask,
)
from bot.stories.model import BlockQuote, Chapter, Paragraph, SceneBreak, Story

SCENE_BREAK = "⁂"
BLOCK_SEPARATOR = "\n\n"
NO_WARNINGS = "No Archive Warnings Apply"
WARNINGS_LABEL = "⚠️ Warnings: "
_QUOTE_PARAGRAPH_BREAK = "\n" + QUOTE_PREFIX + "\n" + QUOTE_PREFIX
_TITLE_IS_HEADING = re.compile(r"chapter\b", re.IGNORECASE)
_UNNUMBERED_PART = re.compile(
    r"(?:etymology|extracts|prologue|epilogue|interlude|preface|foreword|afterword)\b",
    re.IGNORECASE,
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")


class ChapterWords(str):
    """The server's word for "Chapter" (the string itself) and, in the same language, the
    labels of a chapter's summary, notes and end notes.

    A `str`, so every caller that passes a plain word (or the English default) keeps working
    and the word travels unchanged through the story commands to `render_chapter`.
    """

    summary: str
    notes: str
    end_notes: str

    def __new__(
        cls,
        chapter: str = "Chapter",
        *,
        summary: str = "Summary:",
        notes: str = "Notes:",
        end_notes: str = "End notes:",
    ) -> ChapterWords:
        """The word `chapter` with its note labels."""
        words = super().__new__(cls, chapter)
        words.summary, words.notes, words.end_notes = summary, notes, end_notes
        return words


@dataclass(frozen=True)
class RenderedChapter:
    """A chapter as Discord markdown: its blocks, their joined `text`, and marker positions."""

    number: int
    blocks: tuple[str, ...]
    text: str
    transitions: tuple[Transition, ...] = field(default=(), repr=False)
    quotes: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    @property
    def chars(self) -> int:
        """Length of the rendered text (Python `len`)."""
        return len(self.text)


def render_chapter(
    chapter: Chapter,
    *,
    warnings: Sequence[str] = (),
    include_heading: bool = True,
    fallback_title: str | None = None,
    chapter_word: str = "Chapter",
) -> RenderedChapter:
    """Render `chapter`; `warnings` go on its first page (the caller decides which chapters).

    `fallback_title` titles the heading of an untitled chapter (a one-shot's story title).
    """
    labels = chapter_word if isinstance(chapter_word, ChapterWords) else ChapterWords(chapter_word)
    builder = _Builder()
    if include_heading:
        heading = heading_text(chapter, fallback_title, chapter_word)
        builder.add(render_runs([(heading, BOLD)]))
    if warnings:
        builder.add(render_runs(warning_runs(warnings)))
    builder.add_note(labels.summary, chapter.summary)
    builder.add_note(labels.notes, chapter.notes)
    for block in chapter.blocks:
        if isinstance(block, SceneBreak):
            builder.add(Inline(SCENE_BREAK))
        elif isinstance(block, BlockQuote):
            builder.add_quote([_runs(p) for p in block.paragraphs])
        else:
            builder.add(render_runs(_runs(block)))
    builder.add_note(labels.end_notes, chapter.end_notes)
    return builder.build(chapter.number)


def render_story(
    story: Story, *, warnings_on_first: bool = True, chapter_word: str = "Chapter"
) -> list[RenderedChapter]:
    """Render every chapter; the story's warnings go on chapter 1 unless told otherwise.

    Each chapter renders exactly as `render_chapter(chapter, warnings=...)` would, so a chapter
    re-rendered on its own later gives the same pages.
    """
    return [
        render_chapter(
            ch,
            warnings=story.warnings if warnings_on_first and i == 0 else (),
            chapter_word=chapter_word,
        )
        for i, ch in enumerate(story.chapters)
    ]


def heading_text(
    chapter: Chapter, fallback_title: str | None = None, chapter_word: str = "Chapter"
) -> str:
    """The heading's plain text, e.g. "Chapter 3: The Storm", or the source's own label.

    A chapter with a `label` ("Chapter 40", "Stave One") is headed by it, never renumbered;
    `chapter_word` is the server's word for "Chapter" (a public post's language).
    """
    title = chapter.title or fallback_title
    title = " ".join(title.split()) if title else ""
    if chapter.label:
        label = " ".join(chapter.label.split())
        return f"{label}: {title}" if title else label
    if not title:
        return f"{chapter_word} {chapter.number}"
    if _TITLE_IS_HEADING.match(title) or _UNNUMBERED_PART.match(title):
        return title  # "Etymology", "Epilogue": parts a book never numbers
    return f"{chapter_word} {chapter.number}: {title}"


def warning_runs(warnings: Sequence[str]) -> list[Run]:
    """The warnings line as runs: real warnings spoilered, "No Archive Warnings Apply" not."""
    shown = [w for w in warnings if w.strip() == NO_WARNINGS]
    hidden = [w.strip() for w in warnings if w.strip() and w.strip() != NO_WARNINGS]
    runs: list[Run] = [(WARNINGS_LABEL + ", ".join(shown) + (", " if shown and hidden else ""), 0)]
    if hidden:
        runs.append((", ".join(hidden), SPOILER))
    return runs


def _runs(paragraph: Paragraph) -> list[Run]:
    return [(span.text, span_mask(span)) for span in paragraph.spans]


class _Builder:
    """Collects blocks and shifts their marker positions into chapter coordinates."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.transitions: list[Transition] = []
        self.quotes: list[tuple[int, int]] = []
        self.pos = 0

    def add(self, inline: Inline, *, quoted: bool = False) -> None:
        if not inline.text:
            return
        if self.blocks:
            self.pos += len(BLOCK_SEPARATOR)
        start = self.pos
        self.blocks.append(inline.text)
        self.transitions.extend(
            Transition(t.start + start, t.end + start, t.stack) for t in inline.transitions
        )
        self.pos += len(inline.text)
        if quoted:
            self.quotes.append((start, self.pos))

    def add_quote(self, paragraphs: list[list[Run]]) -> None:
        """Add a block quote: `> ` on every line, a quoted blank line between paragraphs."""
        rendered = [r for r in (render_runs(p, quoted=True) for p in paragraphs) if r.text]
        if not rendered:
            return
        parts, transitions, pos = [QUOTE_PREFIX], [], len(QUOTE_PREFIX)
        for i, inline in enumerate(rendered):
            if i:
                parts.append(_QUOTE_PARAGRAPH_BREAK)
                pos += len(_QUOTE_PARAGRAPH_BREAK)
            parts.append(inline.text)
            transitions.extend(
                Transition(t.start + pos, t.end + pos, t.stack) for t in inline.transitions
            )
            pos += len(inline.text)
        self.add(Inline("".join(parts), transitions), quoted=True)

    def add_note(self, label: str, note: str | None) -> None:
        """Add a plain-text note as a quote whose first line is its bold label."""
        if not note or not note.strip():
            return
        paragraphs: list[list[Run]] = [[(p, 0)] for p in _BLANK_LINE.split(note.strip())]
        paragraphs[0] = [(label, BOLD), ("\n", 0), *paragraphs[0]]
        self.add_quote(paragraphs)

    def build(self, number: int) -> RenderedChapter:
        return RenderedChapter(
            number=number,
            blocks=tuple(self.blocks),
            text=BLOCK_SEPARATOR.join(self.blocks),
            transitions=tuple(self.transitions),
            quotes=tuple(self.quotes),
        )
