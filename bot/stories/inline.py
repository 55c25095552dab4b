"""Turn runs of styled text into Discord markdown, recording where style markers sit.

A run is `(text, mask)`, the mask a set of style bits. The output keeps three promises the
paginator relies on:

- style markers touch words, never whitespace: whitespace at a span's edge goes outside the
  markers (Discord will not render `* x*`), so closers sit right before a gap and openers right
  after it;
- every style is closed before a hard line break and reopened after it, so each line (and so each
  quoted line) stands on its own;
- every marker run is recorded as a `Transition` with the stack of open styles after it, so a
  page cut anywhere can close and reopen exactly what is open.

Nesting: when several styles open together, the one that lasts longest goes outermost, which
keeps reopenings rare; where a closer and an opener would touch and read as one marker run
(`**` + `*` → `***`, or `~~` + `__`, which Discord will not close), a zero-width space
separates them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.stories.escape import ZWSP, escape_text
from bot.stories.model import Span

ITALIC, BOLD, UNDERLINE, STRIKE, SPOILER = 1, 2, 4, 8, 16
MARKERS = {ITALIC: "*", BOLD: "**", UNDERLINE: "__", STRIKE: "~~", SPOILER: "||"}
# Tie-break when styles start and end together: outermost first.
_NESTING = (SPOILER, STRIKE, UNDERLINE, BOLD, ITALIC)
_RANK = {bit: rank for rank, bit in enumerate(_NESTING)}
QUOTE_PREFIX = "> "

# Whitespace holding a hard line break: the only place inside a run where markers go.
_LINE_GAP = re.compile(r"(\s*\n\s*)")

Run = tuple[str, int]


@dataclass(frozen=True)
class Transition:
    """A run of style markers at `[start, end)`; `stack` lists the styles open after it."""

    start: int
    end: int
    stack: tuple[int, ...]


@dataclass
class Inline:
    """Rendered inline markdown plus the transitions inside it (positions relative to `text`)."""

    text: str
    transitions: list[Transition] = field(default_factory=list)


def span_mask(span: Span) -> int:
    """The style bits of a model `Span`."""
    return (
        (ITALIC if span.italic else 0)
        | (BOLD if span.bold else 0)
        | (UNDERLINE if span.underline else 0)
        | (STRIKE if span.strike else 0)
    )


def opener(stack: Sequence[int]) -> str:
    """The markers that open `stack` (outermost first)."""
    return "".join(MARKERS[bit] for bit in stack)


def closer(stack: Sequence[int]) -> str:
    """The markers that close `stack` (innermost first)."""
    return "".join(MARKERS[bit] for bit in reversed(stack))


def separated(before: str, markers: str) -> str:
    """`markers` to write right after `before`, with a ZWSP between when they would touch the
    same character: Discord does not honour escapes inside `~~`/`||`, so `\\~` + `~~` closes too
    early, and `\\*` + `*b*` would show a stray `*`."""
    return ZWSP + markers if before and markers and before[-1] == markers[0] else markers


def render_runs(runs: Sequence[Run], *, quoted: bool = False) -> Inline:
    """Render `runs` as one paragraph; `quoted` puts `> ` after every hard line break."""
    runs = _normalise(runs)
    if not runs:
        return Inline("")
    if len(runs) == 1 and runs[0][1] == 0:  # the common case: one plain run, no markers at all
        text = escape_text(runs[0][0])
        return Inline(text.replace("\n", "\n" + QUOTE_PREFIX) if quoted else text)
    return _Emitter(_tokenize(runs), quoted).emit()


def _normalise(runs: Sequence[Run]) -> list[Run]:
    """Merge neighbours of equal style, drop empty runs and strip the paragraph's edges."""
    merged: list[Run] = []
    for text, mask in runs:
        if not text:
            continue
        if merged and merged[-1][1] == mask:
            merged[-1] = (merged[-1][0] + text, mask)
        else:
            merged.append((text, mask))
    while merged and not merged[0][0].strip():
        merged.pop(0)
    while merged and not merged[-1][0].strip():
        merged.pop()
    if merged:
        merged[0] = (merged[0][0].lstrip(), merged[0][1])
        merged[-1] = (merged[-1][0].rstrip(), merged[-1][1])
    return merged


def _tokenize(runs: list[Run]) -> list[tuple[str, int | None]]:
    """Split runs into escaped text pieces `(text, mask)` and whitespace `(text, None)`.

    A piece is a run's text between hard line breaks, without its edge whitespace: markers are
    only ever needed at a piece's edges, so words inside it need no handling of their own.
    """
    items: list[tuple[str, int | None]] = []
    for text, mask in runs:
        for part in _LINE_GAP.split(text):
            core = part.strip()
            if not core:
                _add_space(items, part)
                continue
            _add_space(items, part[: len(part) - len(part.lstrip())])
            items.append((escape_text(core), mask))
            _add_space(items, part[len(part.rstrip()) :])
    return items


def _add_space(items: list[tuple[str, int | None]], space: str) -> None:
    if not space:
        return
    if items and items[-1][1] is None:
        items[-1] = (items[-1][0] + space, None)
    else:
        items.append((space, None))


def _lookahead(items: list[tuple[str, int | None]]) -> list[dict[int, int]]:
    """For each text piece, how many pieces each style still lasts (up to a line break)."""
    ahead: list[dict[int, int]] = [{}] * len(items)
    counts = dict.fromkeys(_NESTING, 0)
    for i in range(len(items) - 1, -1, -1):
        text, mask = items[i]
        if mask is None:
            if "\n" in text:
                counts = dict.fromkeys(_NESTING, 0)
            continue
        counts = {bit: (counts[bit] + 1 if mask & bit else 0) for bit in _NESTING}
        ahead[i] = counts
    return ahead


class _Emitter:
    """Writes text pieces with the markers between them, tracking positions and open styles."""

    def __init__(self, items: list[tuple[str, int | None]], quoted: bool) -> None:
        self.items = items
        self.quoted = quoted
        self.ahead = _lookahead(items)
        self.parts: list[str] = []
        self.pos = 0
        self.stack: list[int] = []
        self.transitions: list[Transition] = []

    def emit(self) -> Inline:
        pending = ""
        for i, (text, mask) in enumerate(self.items):
            if mask is None:
                pending += text
                continue
            self._transition(i, mask, pending)
            pending = ""
            self._write(text)
        self._mark(closer(self.stack), ())
        return Inline("".join(self.parts), self.transitions)

    def _transition(self, i: int, mask: int, gap: str) -> None:
        keep = 0 if "\n" in gap else _kept(self.stack, mask)
        closers = closer(self.stack[keep:])
        base = self.stack[:keep]
        have = sum(base)
        to_open = sorted(
            (bit for bit in _NESTING if mask & bit and not have & bit),
            key=lambda bit: (-self.ahead[i][bit], _RANK[bit]),
        )
        openers = opener(to_open)
        stack = base + to_open
        if gap:
            self._mark(closers, tuple(base))
            self._write(gap.replace("\n", "\n" + QUOTE_PREFIX) if self.quoted else gap)
            self._mark(openers, tuple(stack))
        elif closers or openers:
            # Inside a word: one marker run. A ZWSP between closers and openers keeps them apart:
            # `**` + `*` would read as `***`, and `~~` must not be followed by `_` to close.
            joint = ZWSP if closers and openers else ""
            self._mark(closers + joint + openers, tuple(stack))
        self.stack = stack

    def _mark(self, markers: str, stack: tuple[int, ...]) -> None:
        if markers:
            markers = separated(self.parts[-1] if self.parts else "", markers)
            self.transitions.append(Transition(self.pos, self.pos + len(markers), stack))
            self._write(markers)

    def _write(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)


def _kept(stack: list[int], mask: int) -> int:
    """How many styles, from the outside in, can stay open for a piece with style `mask`."""
    for depth, bit in enumerate(stack):
        if not mask & bit:
            return depth
    return len(stack)
