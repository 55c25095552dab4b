"""The story model every importer produces and the renderer consumes.

Text is kept as written (curly quotes, dashes, ellipses); markup for Discord is added only by the
renderer, so the model stays a faithful, format-neutral picture of the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A run of text sharing one set of inline styles; "\\n" inside `text` is a hard line break."""

    text: str
    italic: bool = False
    bold: bool = False
    underline: bool = False
    strike: bool = False

    def same_style(self, other: Span) -> bool:
        """True when both spans carry exactly the same inline styles."""
        return (self.italic, self.bold, self.underline, self.strike) == (
            other.italic,
            other.bold,
            other.underline,
            other.strike,
        )


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of styled spans. Hard line breaks (verse) live inside the spans as "\\n"."""

    spans: tuple[Span, ...]

    @property
    def text(self) -> str:
        """The paragraph's plain text."""
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True)
class SceneBreak:
    """A break between scenes (`* * *`, a wide blank gap, `<hr>`...)."""


@dataclass(frozen=True)
class BlockQuote:
    """A quoted passage made of paragraphs."""

    paragraphs: tuple[Paragraph, ...]

    @property
    def text(self) -> str:
        """The quote's plain text, paragraphs separated by blank lines."""
        return "\n\n".join(p.text for p in self.paragraphs)


Block = Paragraph | SceneBreak | BlockQuote


@dataclass
class Chapter:
    """One chapter: its position, the source's own label, title, credits, notes and body.

    `label` is only what the source prints ("Chapter 40", "Stave One", "Prologue"), never made
    up; `number` is the position. `authors` credits a chapter written by some of the story's
    co-authors (AO3's "Chapter by X").
    """

    number: int
    title: str | None = None
    label: str | None = None
    authors: list[str] = field(default_factory=list)
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None
    blocks: list[Block] = field(default_factory=list)
    # Labels read as structure and not posted ("Chapter Notes:", "See the end of the chapter
    # for more notes"), kept only so the upload can account for their words.
    structure: list[str] = field(default_factory=list, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The body's plain text, blocks separated by blank lines (scene breaks omitted)."""
        return "\n\n".join(b.text for b in self.blocks if not isinstance(b, SceneBreak))

    @property
    def word_count(self) -> int:
        """Words in the body."""
        return len(self.text.split())


@dataclass(frozen=True)
class Skipped:
    """A part of the source that is not posted (licence, contents, title page...), and why.

    `text` is the part's own text, kept so the upload can account for every word of the source
    and so the author can turn the part into a chapter after all; `front` says whether it came
    before the story (a title page, contents) or after it (a licence, a colophon);
    `after_chapter`, when known, how many of the story's chapters came before it in the source
    (a part between chapters 2 and 3 has 2), so it can go back exactly there.
    """

    title: str
    reason: str
    words: int
    text: str = field(default="", compare=False, repr=False)
    front: bool = field(default=True, compare=False)
    after_chapter: int | None = field(default=None, compare=False)


@dataclass
class Story:
    """A whole story as imported: metadata plus its chapters in reading order."""

    title: str
    authors: list[str] = field(default_factory=list)
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None
    rating: str | None = None
    warnings: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    source_format: str = "txt"
    chapters: list[Chapter] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Words the source uses only to mark structure, read as such and not posted: a metadata
    # field's name ("Title:", "Author:"), the "by" of a byline.
    structure: list[str] = field(default_factory=list, compare=False, repr=False)
    # The readable text the importer read (all of it, before anything is cut), produced on
    # demand: counting its words costs time the plain import and pagination must not pay.
    source_text: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    @property
    def word_count(self) -> int:
        """Words in all chapter bodies."""
        return sum(c.word_count for c in self.chapters)


def plain_paragraph(text: str) -> Paragraph:
    """A paragraph of one unstyled span (a convenience for importers and tests)."""
    return Paragraph((Span(text),))
