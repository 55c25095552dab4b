"""Walk an lxml element tree and produce the story model's blocks, with inline styles.

The walk yields a flat *flow*: `Paragraph`, `SceneBreak` and `BlockQuote` blocks interleaved with
`Heading`s (importers decide whether one starts a chapter) and `Anchor`s (where a table-of-
contents target id sits, so an EPUB file can be split there). Whitespace is collapsed as a browser
would, except the "\\n" a `<br>` makes; text is otherwise kept exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bot.stories.importers.markup import (
    MARGIN_NUMBERS,
    classes,
    entity_text,
    epub_types,
    is_entity,
    local_name,
    names,
)
from bot.stories.model import Block, BlockQuote, Paragraph, SceneBreak, Span
from bot.stories.verse import INDENT_CHARS, PLAIN_SPACE, class_indent, held_indents


@dataclass(frozen=True)
class Heading:
    """A heading (h1-h6) met in the flow."""

    level: int
    text: str


@dataclass(frozen=True)
class Anchor:
    """The spot where an element with a wanted id (a table-of-contents target) begins."""

    id: str


Item = Paragraph | SceneBreak | BlockQuote | Heading | Anchor
Style = tuple[bool, bool, bool, bool]  # italic, bold, underline, strike

_PLAIN: Style = (False, False, False, False)

_STYLE_TAGS: dict[str, int] = {
    **dict.fromkeys(("em", "i", "cite", "var", "dfn"), 0),
    **dict.fromkeys(("strong", "b"), 1),
    **dict.fromkeys(("u", "ins"), 2),
    **dict.fromkeys(("s", "strike", "del"), 3),
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = names(
    "address article aside body center dd details div dl dt fieldset figcaption figure "
    "footer form header hgroup html li main ol p section summary table tbody td tfoot th "
    "thead tr ul"
)
_SKIPPED = names(
    "head script style template noscript nav button select input textarea iframe object "
    "embed svg math canvas audio video map xmp title rt rp"
)
_SKIPPED_CLASSES = MARGIN_NUMBERS
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_STYLE_ATTR = re.compile(
    r"(font-style\s*:\s*(?:italic|oblique))|(font-weight\s*:\s*(?:bold|bolder|[6-9]00))"
    r"|(text-decoration[\w-]*\s*:[^;]*underline)|(text-decoration[\w-]*\s*:[^;]*line-through)",
    re.I,
)
# A paragraph of nothing but these marks is a scene break ("* * *", "~~~", "###", "———").
_BREAK_MARKS = frozenset("*#~=_+•·∙○●◦◇◆◊□■☆★✦✧✶✷✻✽❖❦❧⁂§¤°oO0xX-–—")
_DASHES = frozenset("-–—")


def flow(
    root: Any,
    *,
    anchors: Iterable[str] = (),
    skip: Callable[[Any], bool] | None = None,
) -> list[Item]:
    """The flow of items under `root` (usually `<body>`), in document order."""
    walker = _Walker(frozenset(anchors), skip)
    walker.element(root)
    walker.flush()
    return walker.items


def blocks_of(items: Iterable[Item]) -> list[Block]:
    """Body blocks from a flow: headings become bold paragraphs, anchors are dropped."""
    blocks: list[Block] = []
    for item in items:
        if isinstance(item, Heading):
            blocks.append(Paragraph((Span(item.text, bold=True),)))
        elif not isinstance(item, Anchor):
            blocks.append(item)
    return blocks


def plain_text(items: Iterable[Item]) -> str:
    """The flow's text, one paragraph per blank-line-separated chunk (for notes and summaries)."""
    parts: list[str] = []
    for item in items:
        if isinstance(item, Paragraph | BlockQuote | Heading):
            parts.append(item.text)
    return "\n\n".join(part for part in parts if part.strip())


def element_text(el: Any) -> str:
    """An element's text on one line, whitespace collapsed (for headings, labels and titles)."""
    walker = _Walker(frozenset(), None)
    walker.children(el)
    walker.flush()
    return " ".join(_WHITESPACE.sub(" ", plain_text(walker.items)).split())


def is_scene_break_text(text: str) -> bool:
    """True for a line made only of scene-break marks ("* * *", "~~~", "———", "#")."""
    if len(text) > 60:
        return False  # a break is a short ornament; this also keeps long paragraphs cheap
    marks = text.replace(" ", "").replace("\xa0", "")
    if not marks or not set(marks) <= _BREAK_MARKS:
        return False
    if marks.isalnum():
        # "oOo" and "xXx" are ornaments, but "ooo", "XXX" or "0" are words or numbers.
        return len(marks) >= 3 and len(set(marks)) >= 2
    # A lone dash or two is speech ("—"), but a rule of three or more is a break.
    return not (set(marks) <= _DASHES and len(marks) < 3)


class _Walker:
    """Depth-first walk accumulating inline spans and emitting blocks when a block ends."""

    def __init__(self, anchors: frozenset[str], skip: Callable[[Any], bool] | None) -> None:
        self.anchors = anchors
        self.skip = skip
        self.items: list[Item] = []
        self.spans: list[Span] = []
        self.style: Style = _PLAIN
        self.prefix = ""  # a list marker waiting for the item's first paragraph

    def element(self, el: Any) -> None:
        """Handle one node: skip it, style it, or end the current block and start another."""
        tag = local_name(el)
        if not tag:
            if is_entity(el):
                self.text(entity_text(el))
            return
        self._check_anchor(el, tag)
        if self._skipped(el, tag):
            return
        if tag == "br":
            self.spans.append(Span("\n", *self.style))
        elif tag == "hr":
            self.flush()
            self.items.append(SceneBreak())
        elif tag in _HEADINGS:
            self.heading(el, _HEADINGS[tag])
        elif tag == "hgroup":
            self.hgroup(el)
        elif tag == "blockquote":
            self.quote(el)
        elif tag in ("pre", "listing", "plaintext"):
            self.pre(el)
        elif tag in ("ul", "ol"):
            self.listing(el, ordered=tag == "ol")
        elif tag in _BLOCKS:
            self.block(el)
        else:
            self.inline(el, tag)

    def children(self, el: Any) -> None:
        """Walk an element's text, children and their tails, in order."""
        if el.text:
            self.text(el.text)
        for child in el:
            self.element(child)
            if child.tail:
                self.text(child.tail)

    def text(self, text: str) -> None:
        """Add text in the current style, whitespace collapsed."""
        text = _WHITESPACE.sub(" ", text)
        if text:
            self.spans.append(Span(text, *self.style))

    def inline(self, el: Any, tag: str) -> None:
        """Walk an inline element with its style added to the current one."""
        self.indent(el)
        saved = self.style
        self.style = _styled(el, tag, saved)
        self.children(el)
        self.style = saved

    def block(self, el: Any) -> None:
        """A block element: its content forms paragraphs of its own."""
        self.flush()
        if _is_line_group(el):
            self.line_group(el)
        else:
            self.children(el)
        self.flush()

    def line_group(self, el: Any) -> None:
        """A stanza written as one `<div>` per line becomes one paragraph of hard breaks."""
        for index, line in enumerate(el):
            if index:
                self.spans.append(Span("\n", *self.style))
            self._check_anchor(line, local_name(line))
            if not self._skipped(line, local_name(line)):
                self.indent(line)
                self.children(line)

    def indent(self, el: Any) -> None:
        """A verse line's indentation class ("indent2", "i1") at the start of a line."""
        indent = class_indent(classes(el))
        tail = "".join(span.text for span in self.spans).rstrip(" \t\r\f\v")
        if indent and (not tail or tail.endswith("\n")):
            self.spans.append(Span(indent, *self.style))

    def listing(self, el: Any, *, ordered: bool) -> None:
        """A list: one paragraph per item, marked "• " or "1. "."""
        self.flush()
        try:
            number = int(el.get("start") or 1)
        except ValueError:
            number = 1
        for child in el:
            if local_name(child) == "li":
                self.prefix = f"{number}. " if ordered else "• "
                number += 1
                self.block(child)
                self.prefix = ""
            else:
                self.element(child)
        self.flush()

    def heading(self, el: Any, level: int) -> None:
        """A heading, kept as a `Heading` item for the importer to judge."""
        self.flush()
        inner = _Walker(frozenset(), self.skip)
        inner.children(el)
        inner.flush()
        text = " ".join(plain_text(inner.items).split())
        if text:
            self.items.append(Heading(level, text))
        elif any(isinstance(item, SceneBreak) for item in inner.items):
            self.items.append(SceneBreak())  # <h3>* * *</h3> is a styled scene break
        self._anchors_inside(el)

    def hgroup(self, el: Any) -> None:
        """A heading group: its `<p>` lines (a subtitle, a chapter's title) are headings too."""
        level = 6
        for child in el:
            tag = local_name(child)
            if tag in _HEADINGS:
                level = _HEADINGS[tag]
                self.heading(child, level)
            elif tag:
                self.heading(child, min(level + 1, 6))

    def quote(self, el: Any) -> None:
        """A `<blockquote>`: its paragraphs (nested quotes flattened) as one `BlockQuote`."""
        self.flush()
        inner = _Walker(self.anchors, self.skip)
        inner.children(el)
        inner.flush()
        paragraphs: list[Paragraph] = []
        for item in inner.items:
            if isinstance(item, Anchor):
                self.items.append(item)
            elif isinstance(item, Paragraph):
                paragraphs.append(item)
            elif isinstance(item, BlockQuote):
                paragraphs.extend(item.paragraphs)  # nested quotes read as one quote
            elif isinstance(item, Heading):
                paragraphs.append(Paragraph((Span(item.text, bold=True),)))
        if paragraphs:
            self.items.append(BlockQuote(tuple(paragraphs)))

    def pre(self, el: Any) -> None:
        """Preformatted text keeps its line breaks."""
        self.flush()
        text = "".join(el.itertext()).strip("\n")
        lines = [line.rstrip() for line in text.splitlines()]
        if any(lines):  # its lines' indentation kept as verse's is: no-break spaces
            self.items.append(Paragraph(held_indents((Span("\n".join(lines), *self.style),))))
        self._anchors_inside(el)

    def flush(self) -> None:
        """End the current paragraph (or scene break) if it holds any text."""
        spans = _normalise(self.spans)
        self.spans = []
        if not spans:
            return
        text = "".join(span.text for span in spans)
        if "\n" not in text and is_scene_break_text(text):
            self.items.append(SceneBreak())
            return
        if self.prefix:
            spans.insert(0, Span(self.prefix))
            self.prefix = ""
        self.items.append(Paragraph(tuple(spans)))

    def _check_anchor(self, el: Any, tag: str) -> None:
        if not self.anchors:
            return
        ident = el.get("id") or (el.get("name") if tag == "a" else None)
        if ident and ident in self.anchors:
            self.flush()
            self.items.append(Anchor(ident))

    def _anchors_inside(self, el: Any) -> None:
        """Keep anchors nested in an element whose text was read in one go (a heading)."""
        if not self.anchors:
            return
        for node in el.iterdescendants():
            if isinstance(node.tag, str):
                self._check_anchor(node, local_name(node))

    def _skipped(self, el: Any, tag: str) -> bool:
        if tag in _SKIPPED or "pagebreak" in epub_types(el):
            return True
        if classes(el) & _SKIPPED_CLASSES or el.get("hidden") is not None:
            return True
        return self.skip is not None and self.skip(el)


def _styled(el: Any, tag: str, style: Style) -> Style:
    flags = list(style)
    index = _STYLE_TAGS.get(tag)
    if index is not None:
        flags[index] = True
    css = el.get("style")
    if css:
        for match in _STYLE_ATTR.finditer(css):
            flags[match.lastindex - 1] = True
    return (flags[0], flags[1], flags[2], flags[3])


def _is_line_group(el: Any) -> bool:
    """A container of two or more short `<div>` lines with only inline content (verse)."""
    if (el.text or "").strip() or len(el) < 2:
        return False
    for line in el:
        if local_name(line) != "div" or (line.tail or "").strip():
            return False
        if any(local_name(node) in _BLOCKS or local_name(node) in _HEADINGS for node in line):
            return False
        if sum(len(text) for text in line.itertext()) > 160:
            return False  # a long "line" is a paragraph, whatever its markup
    return True


def _normalise(spans: list[Span]) -> list[Span]:
    """Collapse spaces across span boundaries, trim the edges, and merge same-style neighbours."""
    out: list[Span] = []
    for span in spans:
        text = span.text
        previous = out[-1].text if out else "\n"
        # A line's start: after a space, a break, or only a verse line's indentation so far.
        if previous.endswith((" ", "\n")) or not previous.rsplit("\n", 1)[-1].strip(INDENT_CHARS):
            text = text.lstrip(" ")
        if text.startswith("\n") and out and previous.endswith(" "):
            out[-1] = _with_text(out[-1], previous.rstrip(" "))
        if not text:
            continue
        if out and out[-1].same_style(span):
            out[-1] = _with_text(out[-1], out[-1].text + text)
        else:
            out.append(_with_text(span, text))
    out = [span for span in out if span.text]
    # Verse keeps its first line's indentation (no-break spaces); prose drops any.
    lead = PLAIN_SPACE if any("\n" in span.text for span in out) else None
    while out and not out[0].text.strip(lead):
        out.pop(0)
    while out and not out[-1].text.strip():
        out.pop()
    if not out:
        return []
    out[0] = _with_text(out[0], out[0].text.lstrip(lead))
    out[-1] = _with_text(out[-1], out[-1].text.rstrip())
    return out


def _with_text(span: Span, text: str) -> Span:
    return Span(text, span.italic, span.bold, span.underline, span.strike)
