"""Read plain text line by line: paragraphs, scene breaks, labels, bylines and styled spans.

Layout is judged once per file, because the same blank line means different things in different
files:

* **Paragraph layout** (the usual one): paragraphs are separated by blank lines, and lines inside
  a paragraph keep their breaks as "\\n" (verse keeps its lines). When the usual gap is one blank
  line, a gap of two or more is a scene break; when the usual gap is wider (a file that uses two
  blank lines everywhere), blank gaps never are.
* **Hard-wrapped prose** (Project Gutenberg style, lines broken at a fixed width): detected when
  nearly every line break inside a paragraph falls where the next word would not have fitted; such
  paragraphs are re-joined with spaces. Paragraphs that are not wrap-shaped (verse) keep "\\n".
* **One line per paragraph** (no blank lines between most paragraphs, long lines): every line is
  a paragraph, and a blank line between them is a scene break.

A line made only of symbols (`* * *`, `***`, `~~~`, `---`, `• • •`, `§`, `oOo`...) is a scene
break wherever it appears; a line of only quotes and sentence punctuation (`“…”`) is dialogue.
Line classifiers (titles, bylines, `Summary:`/`A/N:` labels) are strict on purpose: a line of
prose must never be taken for structure. Every step is linear in the size of the text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import pairwise

from bot.stories.model import Paragraph, Span

# Characters that are invisible but not whitespace to str.strip(); a line of them is blank.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_QUOTES = "\"'“”‘’«»„‚‹›`"
_SPEECH_PUNCT = set(".…!?,;:()[]" + _QUOTES)
_LETTER_BREAK = re.compile(r"(?:oO)+o?|(?:Oo)+O?|(?:xX)+x?|(?:Xx)+X?")


class Layout(Enum):
    """How a file lays out its paragraphs (see the module docstring)."""

    PARAGRAPHS = "paragraphs"
    LINES = "lines"


@dataclass(frozen=True)
class RawParagraph:
    """A run of non-blank lines (stripped) and how many blank lines came before it."""

    lines: tuple[str, ...]
    gap_before: int


@dataclass(frozen=True)
class LayoutInfo:
    """The layout of a file: its mode, the gap that means a scene break, and its wrap width."""

    layout: Layout
    break_gap: int | None
    wrap_width: int | None


def clean_line(line: str) -> str:
    """`line` without surrounding whitespace or invisible characters ("" for a blank line)."""
    return line.strip().strip(_INVISIBLE).strip()


def split_raw_paragraphs(text: str) -> list[RawParagraph]:
    """Group the lines of `text` into runs separated by blank lines."""
    paragraphs: list[RawParagraph] = []
    current: list[str] = []
    gap = 0
    for raw in text.split("\n"):
        line = clean_line(raw)
        if line:
            current.append(line)
            continue
        if current:
            paragraphs.append(RawParagraph(tuple(current), gap))
            current, gap = [], 0
        gap += 1
    if current:
        paragraphs.append(RawParagraph(tuple(current), gap))
    return paragraphs


def is_scene_break_line(line: str) -> bool:
    """True when `line` is a scene-break marker rather than text."""
    if len(line) > 160:  # checked first: most lines are long prose
        return False
    compact = "".join(line.split())
    if not compact or len(compact) > 80:
        return False
    if any(ch.isalnum() for ch in compact):
        return _LETTER_BREAK.fullmatch(compact) is not None and len(compact) >= 3
    # "“…”" or "?!" on its own is a beat of dialogue, not a divider; so is a lone "😂" (emoji
    # are kept as text: a row of them still looks like a divider when posted).
    if all(ch in _SPEECH_PUNCT or _is_emoji_part(ch) for ch in compact):
        return False
    return not any(ch in _QUOTES for ch in compact)


def _is_emoji_part(ch: str) -> bool:
    return ord(ch) >= 0x1F000 or ch in "\u200d\ufe0f\u20e3"


def detect_layout(paragraphs: Sequence[RawParagraph]) -> LayoutInfo:
    """Judge the file's layout from its paragraphs (the header already removed)."""
    lines = [line for p in paragraphs for line in p.lines]
    if not lines:
        return LayoutInfo(Layout.PARAGRAPHS, None, None)
    in_runs = [line for p in paragraphs if len(p.lines) > 1 for line in p.lines]
    long_lines = sum(1 for line in in_runs if len(line) > 100)
    if len(in_runs) >= 0.5 * len(lines) and long_lines >= 0.3 * len(in_runs) >= 1:
        return LayoutInfo(Layout.LINES, 1, None)
    gaps = Counter(p.gap_before for p in paragraphs[1:])
    usual_gap = gaps.most_common(1)[0][0] if gaps else 1
    # A file that marks its scene breaks (`* * *`) does not also mark them with blank runs:
    # there, a wider gap is only spacing around headings, letters or verse.
    marked = any(is_scene_break_line(line) for line in lines)
    break_gap = 2 if usual_gap == 1 and not marked else None
    return LayoutInfo(Layout.PARAGRAPHS, break_gap, _wrap_width(paragraphs))


def _wrap_width(paragraphs: Sequence[RawParagraph]) -> int | None:
    """The column a hard-wrapped file breaks at, or None when its line breaks are deliberate."""
    lengths = sorted(len(line) for p in paragraphs for line in p.lines)
    width = lengths[int(0.98 * (len(lengths) - 1))]
    if width > 100 or width < 30:
        return None
    pairs = [pair for p in paragraphs for pair in pairwise(p.lines)]
    if len(pairs) < 8:
        return None
    forced = sum(1 for a, b in pairs if _break_forced(a, b, width))
    return width if forced >= 0.85 * len(pairs) else None


def _break_forced(line: str, next_line: str, width: int) -> bool:
    """True when the next line's first word would not have fitted on `line`."""
    first_word = next_line.split(maxsplit=1)[0]
    return len(line) + 1 + len(first_word) > width


def paragraph_text(lines: Sequence[str], info: LayoutInfo) -> str:
    """The text of a paragraph's lines: re-joined if hard-wrapped, else with its line breaks."""
    width = info.wrap_width
    if width is not None and all(_break_forced(a, b, width) for a, b in pairwise(lines)):
        return " ".join(lines)
    return "\n".join(lines)


# Titles never end like a sentence, and never open like dialogue.
_SENTENCE_END = ".,;:!?…\"'”’»"
_LENIENT_END = ".,;:…\"'”’»"
_OPENING_QUOTES = "\"'“‘«„"


def looks_like_title(line: str, *, strict: bool = True) -> bool:
    """True for a short line that reads like a title rather than a sentence.

    `strict` also rejects a final `!` or `?`, which note lines ("Enjoy!") often end with.
    """
    text = line.strip()
    if not text or len(text) > 100 or len(text.split()) > 15:
        return False
    if text[-1] in (_SENTENCE_END if strict else _LENIENT_END) or text[0] in _OPENING_QUOTES:
        return False
    first_letter = next((ch for ch in text if ch.isalpha()), None)
    has_word = any(ch.isalnum() for ch in text)
    return has_word and not (first_letter is not None and first_letter.islower())


_LAST_BY = re.compile(r".*\s(?=by:?\s)", re.IGNORECASE | re.DOTALL)
_AUTHOR_SPLIT = re.compile(r"\s*,\s*(?:and\s+|&\s*)?|\s+and\s+|\s*&\s*", re.IGNORECASE)
_NOT_AUTHORS = ("a ", "an ", "the ", "my ", "his ", "her ", "their ")


def parse_byline(line: str) -> tuple[str, list[str]] | None:
    """Split a `Title by Author` line into the title and its authors, or None if it is not one."""
    text = " ".join(line.split())
    if len(text) > 200:
        return None
    # The last " by " separates title from authors, so "Stand by Me by Tess" keeps its title.
    head = _LAST_BY.match(text)
    if head is None:
        return None
    title = head.group(0).strip()
    rest = re.sub(r"^by:?\s+", "", text[head.end() :], flags=re.IGNORECASE)
    authors = parse_authors(rest)
    if not title or not authors or not looks_like_title(title, strict=False):
        return None
    return title, authors


def parse_authors(text: str) -> list[str]:
    """Authors from `A & B`, `A and B` or `A, B`; empty when `text` does not read like names."""
    text = text.strip()
    if not text or len(text) > 120 or text[-1] in _SENTENCE_END:
        return []
    if text.lower().startswith(_NOT_AUTHORS):
        return []
    names = [name.strip() for name in _AUTHOR_SPLIT.split(text) if name.strip()]
    if not names or any(len(name) > 60 or len(name.split()) > 5 for name in names):
        return []
    return names


def byline_authors(line: str) -> list[str]:
    """The authors on a separate `by Author` line, or [] when the line is not a byline."""
    text = " ".join(line.split())
    match = re.fullmatch(r"(?:written\s+)?by:?\s+(.+)", text, re.IGNORECASE)
    return parse_authors(match.group(1)) if match else []


# Labels that open a block of notes or metadata, tried in order (longest phrases first).
_LABEL_PATTERNS: tuple[tuple[str, str], ...] = (
    ("chapter_summary", r"chapter\s+summary"),
    ("chapter_notes", r"chapter\s+notes?|beginning\s+notes?"),
    ("end_notes", r"(?:chapter\s+)?end\s+notes?|final\s+notes?"),
    ("summary", r"(?:story\s+)?summary"),
    ("notes", r"(?:story\s+)?notes?"),
    ("annotation", r"author[’']?s?\s+notes?|disclaimers?"),
    ("rating", r"rating|rated"),
    ("warnings", r"(?:archive\s+|content\s+|trigger\s+)?warnings?"),
    ("tags", r"(?:additional\s+)?tags|fandoms?|characters|relationships?|pairings?|genres?"),
    ("language", r"language"),
    ("authors", r"authors?|written\s+by"),
)
_LABEL = re.compile(
    r"[(\[]?\s*(?:"
    + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _LABEL_PATTERNS)
    + r")\s*:\s*(?P<value>.*)",
    re.IGNORECASE,
)
# "A/N" is distinctive enough to need no colon ("A/N - thanks!"); bare "AN" needs one and capitals.
_AUTHOR_NOTE = re.compile(r"[(\[]?\s*(?:(?i:a/n)|AN(?=\s*:))\s*[:\-–—.]?\s*(?P<value>.*)")
# Section labels name a block and are dropped from its text; the others are part of the note.
SECTION_KINDS = frozenset({"summary", "chapter_summary", "notes", "chapter_notes", "end_notes"})
NOTE_KINDS = frozenset({"notes", "chapter_notes", "end_notes", "annotation"})
META_KINDS = frozenset({"rating", "warnings", "tags", "language", "authors"})


@dataclass(frozen=True)
class Label:
    """A labelled line such as `Summary: ...` or `A/N: ...`: its kind and the text after it."""

    kind: str
    value: str

    @property
    def is_section(self) -> bool:
        """True when the label only names the block (and is left out of the stored text)."""
        return self.kind in SECTION_KINDS


def match_label(line: str) -> Label | None:
    """The note or metadata label that `line` starts with, or None."""
    text = line.strip()
    note = _AUTHOR_NOTE.match(text)
    if note:
        return Label("annotation", note.group("value").strip())
    match = _LABEL.match(text)
    if match is None:
        return None
    kind = next(kind for kind, _ in _LABEL_PATTERNS if match.group(kind) is not None)
    return Label(kind, match.group("value").strip())


# Emphasis in plain text, recognised only when paired on word boundaries: the opening marker
# follows a non-word character and precedes a non-space, the closing one mirrors that. Inner text
# may not contain the marker, so each match attempt stops at the next marker (linear overall).
# Each branch starts with its marker (the "not after a word" check is a lookbehind placed after
# it) so the regex engine can skip straight to the next `*` or `_`: four times faster.
_EMPHASIS = re.compile(
    r"\*\*\*(?<![\w*]\*\*\*)(?=[^\s*])(?P<bold_italic>[^*]+?)(?<=[^\s*])\*\*\*(?![\w*])"
    r"|\*\*(?<![\w*]\*\*)(?=[^\s*])(?P<bold>(?:[^*]|\*(?!\*))+?)(?<=[^\s*])\*\*(?![\w*])"
    r"|\*(?<![\w*]\*)(?=[^\s*])(?P<italic>[^*]+?)(?<=[^\s*])\*(?![\w*])"
    r"|__(?<!\w__)(?=[^\s_])(?P<bold_u>[^_]+?)(?<=[^\s_])__(?!\w)"
    r"|_(?<!\w_)(?=[^\s_])(?P<italic_u>[^_]+?)(?<=[^\s_])_(?!\w)"
)


def parse_inline(text: str) -> tuple[Span, ...]:
    """Spans for `text`, turning paired `*italic*`, `_italic_` and `**bold**` into styles."""
    if "*" not in text and "_" not in text:
        return (Span(text),)
    spans = tuple(Span(t, italic=i, bold=b) for t, i, b in _styled(text, italic=False, bold=False))
    return spans or (Span(text),)


def _styled(text: str, *, italic: bool, bold: bool) -> list[tuple[str, bool, bool]]:
    """(text, italic, bold) runs; plain tuples because building a Span per match is slow."""
    runs: list[tuple[str, bool, bool]] = []
    pos = 0
    for match in _EMPHASIS.finditer(text):
        if match.start() > pos:
            runs.append((text[pos : match.start()], italic, bold))
        kind = match.lastgroup or ""
        inner = match.group(kind)
        if kind == "bold_italic":
            runs.append((inner, True, True))
        elif kind.startswith("bold") and ("*" in inner or "_" in inner):
            runs.extend(_styled(inner, italic=italic, bold=True))
        elif kind.startswith("bold"):
            runs.append((inner, italic, True))
        else:
            runs.append((inner, True, bold))
        pos = match.end()
    if pos < len(text):
        runs.append((text[pos:], italic, bold))
    return runs


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Join neighbouring spans of the same style and drop empty ones."""
    merged: list[Span] = []
    texts: list[str] = []
    for span in spans:
        if not span.text:
            continue
        if merged and merged[-1].same_style(span):
            texts.append(span.text)
            continue
        _flush(merged, texts)
        merged.append(span)
        texts = [span.text]
    _flush(merged, texts)
    return tuple(merged)


def _flush(merged: list[Span], texts: list[str]) -> None:
    """Give the last merged span the joined text of its run (joined once, so linear)."""
    if len(texts) > 1:
        last = merged[-1]
        merged[-1] = Span("".join(texts), last.italic, last.bold, last.underline, last.strike)


def make_paragraph(text: str) -> Paragraph:
    """A paragraph of `text` with its plain-text emphasis turned into styled spans."""
    return Paragraph(parse_inline(text))
