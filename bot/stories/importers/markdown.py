"""Import a Markdown story (`.md`) with markdown-it-py (CommonMark plus `~~strikethrough~~`).

Layout: `# Title` first, then an optional `by Author` line (authors split as in plain text:
`A & B`, `A and B`, `A, B`). Chapters are the shallowest heading level used after the title -
normally `##`; deeper headings inside a chapter become bold paragraphs. A first `#` heading that
reads like a chapter heading (`# Chapter 1`) is a chapter, not the title; without a `#` title, a
`Title by Author` first line is used, else the title is "Untitled".

Text before the first chapter heading that is not title or byline is handled like the plain-text
preamble (see `headings.assemble`): `Summary:`, `Notes:`, `Rating:`, `Tags:`... lines fill the
story's metadata, and unlabelled text (a paragraph or a `>` quote, as AO3 summaries often are)
becomes the story summary when short, an untitled first chapter when long. `A/N:` and
`Disclaimer:` paragraphs are chapter notes before the body and end notes after it.

Blocks: `---`/`***`/`* * *`, `<hr>`, an empty heading (`###`) and plain-text dividers on their
own line (`~~~`, `• • •`, `§`, `oOo`) are scene breaks; `>` quotes become BlockQuote (nested
quotes are flattened); list items become paragraphs starting with `• ` or their number; code
blocks keep their text and lines. A setext underline (`---`) under a line that is not a title is
read as a scene break after that paragraph, as the author surely meant.

Inline: `*`/`_` italic, `**`/`__` bold, `~~strike~~`, `<u>` underline (and `<i>`, `<b>`, `<s>`);
hard line breaks (two trailing spaces, a backslash, `<br>`) become "\\n" and soft line breaks a
space, as in rendered Markdown; inline code and links keep their text, images are dropped.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeGuard

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.errors import ImportRefused
from bot.i18n import N_, Quantity
from bot.stories.importers.headings import Heading, Item, TextItem, assemble, match_heading
from bot.stories.importers.md_meta import FIELD_LINE, Metadata, split_front_matter
from bot.stories.importers.text_blocks import (
    byline_authors,
    is_scene_break_line,
    looks_like_title,
    merge_spans,
    parse_byline,
)
from bot.stories.model import BlockQuote, Paragraph, SceneBreak, Span, Story
from bot.stories.verse import held_indents, source_indents

UNTITLED = "Untitled"
_PARSER = MarkdownIt("commonmark").enable("strikethrough")
# `~~~` opens a code fence in Markdown but is a scene break in fan fiction far more often.
_TILDE_BREAK = re.compile(r"^ {0,3}~{3,}[ \t]*$", re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|<![^>]*>|<\?.*?(?:\?>|\Z)", re.DOTALL)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
_STYLE_TAGS = {
    "i": "italic",
    "em": "italic",
    "cite": "italic",
    "b": "bold",
    "strong": "bold",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "del": "strike",
    "strike": "strike",
}


@dataclass(frozen=True)
class _MdHeading:
    """A Markdown heading before it is known whether it is the title, a chapter or a subhead."""

    level: int
    text: str
    setext: bool


def parse_markdown(text: str) -> Story:
    """Parse Markdown (LF line ends) into a `Story`; `source_format` is left to the caller."""
    _check_emphasis_marks(text)
    front, text = split_front_matter(text)
    tokens = _PARSER.parse(_TILDE_BREAK.sub("* * *", text))
    walker = _Walker()
    walker.walk(tokens)
    meta = front
    items = _field_lines(walker.items, meta)
    story, rest = _read_header(items) if not meta.fields else (Story(UNTITLED), items)
    meta.apply(story)
    assemble(story, _chapter_items(rest))
    return story


# markdown-it's emphasis pass costs about 8 µs per `*`/`_` delimiter here (800 KB of nested
# marks took 7 s). Real prose has a few thousand; beyond this many the file is refused, with a
# reason, in well under a second instead of tying up a worker for IMPORT_TIMEOUT.
MAX_EMPHASIS_MARKS = 100_000


def _check_emphasis_marks(text: str) -> None:
    marks = text.count("*") + text.count("_")
    if marks > MAX_EMPHASIS_MARKS:
        raise ImportRefused(
            N_(
                "This Markdown file holds {marks} `*`/`_` emphasis marks (the limit is "
                "{limit}); that much emphasis can't be read safely."
            ),
            hint=N_("Check that the file is really a story, or upload it as .txt, .html or .epub."),
            params={"marks": Quantity(marks), "limit": Quantity(MAX_EMPHASIS_MARKS)},
        )


def _field_lines(items: list[_MdHeading | Item], meta: Metadata) -> list[_MdHeading | Item]:
    """Drop `Title:`/`Author:`... lines or headings at the top into `meta`; return the rest.

    A rule (`---`) right after them closes the header and goes with it.
    """
    index = 0
    while index < len(items):
        item = items[index]
        lines: Sequence[str] = ()
        if isinstance(item, _MdHeading):
            lines = (item.text,)
        elif isinstance(item, TextItem) and isinstance(item.block, Paragraph):
            lines = item.lines  # "Title: X" and "Author: Y" may share a paragraph
        matches = [FIELD_LINE.match(" ".join(line.split())) for line in lines]
        if not matches or not all(matches):
            break
        for match in matches:
            assert match is not None
            meta.add(match["key"], match["value"])
        index += 1
    if index and index < len(items) and isinstance(items[index], SceneBreak):
        index += 1
    return items[index:]


def _read_header(items: list[_MdHeading | Item]) -> tuple[Story, list[_MdHeading | Item]]:
    """The story with title and authors from `# Title` / `by Author`, and the items after them."""
    first = items[0] if items else None
    if _is_title_heading(first):
        story = Story(" ".join(first.text.split()))
        following = items[1] if len(items) > 1 else None
        if _single_line(following):
            story.authors = byline_authors(following.lines[0])
            story.structure += ["by"] if story.authors else []
        return story, items[2:] if story.authors else items[1:]
    if _single_line(first):
        byline = parse_byline(first.lines[0])
        if byline is not None:
            return Story(byline[0], authors=byline[1], structure=["by"]), items[1:]
    return Story(UNTITLED), items


def _is_title_heading(item: object) -> TypeGuard[_MdHeading]:
    """A first `#` heading is the title unless it reads like a chapter heading."""
    return (
        isinstance(item, _MdHeading)
        and item.level == 1
        and bool(item.text)
        and match_heading(item.text) is None
    )


def _single_line(item: object) -> TypeGuard[TextItem]:
    return isinstance(item, TextItem) and isinstance(item.block, Paragraph) and len(item.lines) == 1


def _chapter_items(items: Sequence[_MdHeading | Item]) -> list[Item]:
    """Resolve Markdown headings into chapter headings, subheads and scene breaks."""
    resolved: list[_MdHeading | Item] = []
    for item in items:
        if not isinstance(item, _MdHeading):
            resolved.append(item)
        elif not item.text or is_scene_break_line(item.text):
            resolved.append(SceneBreak())
        elif item.setext and ("\n" in item.text or not looks_like_title(item.text, strict=False)):
            resolved.append(_text_item([Span(" ".join(item.text.split()))]))
            if item.level == 2:
                resolved.append(SceneBreak())
        else:
            resolved.append(item)
    levels = Counter(item.level for item in resolved if isinstance(item, _MdHeading))
    # The shallowest level that repeats holds the chapters; a lone shallower one is a part.
    repeating = [level for level, count in levels.items() if count >= 2]
    chapter_level = min(repeating or levels or [0])
    return [_as_item(item, chapter_level) for item in resolved]


def _as_item(item: _MdHeading | Item, chapter_level: int) -> Item:
    if not isinstance(item, _MdHeading):
        return item
    if item.level < chapter_level:
        return Heading(" ".join(item.text.split()), bare=False, is_part=True)
    if item.level != chapter_level:
        return _text_item([Span(" ".join(item.text.split()), bold=True)])
    title = " ".join(item.text.split())
    known = match_heading(title)
    if known is None:
        return Heading(title, bare=False)
    return Heading(title, bare=known.bare, is_part=known.is_part)


def _text_item(spans: Iterable[Span]) -> TextItem:
    paragraph = Paragraph(merge_spans(spans))
    return TextItem(paragraph, tuple(paragraph.text.split("\n")))


@dataclass
class _Walker:
    """Turns markdown-it's flat token stream into headings, paragraphs, quotes and breaks."""

    items: list[_MdHeading | Item] = field(default_factory=list)
    quote: list[Paragraph] = field(default_factory=list)
    quote_depth: int = 0
    lists: list[bool] = field(default_factory=list)
    heading: Token | None = None
    prefix: str = ""

    def walk(self, tokens: Sequence[Token]) -> None:
        """Visit every block token in order."""
        for token in tokens:
            handler = getattr(self, "_on_" + token.type, None)
            if handler is not None:
                handler(token)

    def _on_heading_open(self, token: Token) -> None:
        self.heading = token

    def _on_heading_close(self, token: Token) -> None:
        self.heading = None

    def _on_blockquote_open(self, token: Token) -> None:
        self.quote_depth += 1

    def _on_blockquote_close(self, token: Token) -> None:
        self.quote_depth -= 1
        if self.quote_depth == 0 and self.quote:
            quote = BlockQuote(tuple(self.quote))
            self.items.append(TextItem(quote, tuple(quote.text.split("\n"))))
            self.quote = []

    def _on_bullet_list_open(self, token: Token) -> None:
        self.lists.append(False)

    def _on_ordered_list_open(self, token: Token) -> None:
        self.lists.append(True)

    def _on_bullet_list_close(self, token: Token) -> None:
        self.lists.pop()

    _on_ordered_list_close = _on_bullet_list_close

    def _on_list_item_open(self, token: Token) -> None:
        self.prefix = f"{token.info}{token.markup} " if self.lists and self.lists[-1] else "• "

    def _on_hr(self, token: Token) -> None:
        if self.quote_depth == 0:
            self.items.append(SceneBreak())

    def _on_fence(self, token: Token) -> None:
        text = token.content.strip("\n")
        self._add(list(held_indents((Span(text),))), plain=text)  # indentation as in verse

    _on_code_block = _on_fence

    def _on_html_block(self, token: Token) -> None:
        if re.match(r"\s*<hr\b", token.content, re.IGNORECASE) and self.quote_depth == 0:
            self.items.append(SceneBreak())
            return
        markup = _HTML_COMMENT.sub("", token.content)
        lines = (" ".join(_TAG.sub(" ", line).split()) for line in markup.split("\n"))
        text = html.unescape("\n".join(line for line in lines if line))
        if text:
            self._add([Span(text)], plain=text)

    def _on_inline(self, token: Token) -> None:
        spans, plain = _inline(token.children or [])
        if self.heading is not None and self.quote_depth == 0:
            level = int(self.heading.tag[1:]) if self.heading.tag[1:].isdigit() else 6
            self.items.append(_MdHeading(level, plain.strip(), self.heading.markup in ("=", "-")))
            return
        if any("\n" in span.text for span in spans):
            # Verse: the source's leading spaces on a line are its indentation, which
            # Markdown itself drops.
            spans = source_indents(spans, token.content.split("\n"))
        self._add(spans, plain=plain)

    def _add(self, spans: list[Span], *, plain: str) -> None:
        if self.prefix:
            spans, plain = [Span(self.prefix), *spans], self.prefix + plain
            self.prefix = ""
        paragraph = Paragraph(merge_spans(spans))
        if not paragraph.spans:
            return
        if self.quote_depth:
            self.quote.append(paragraph)
        elif "\n" not in plain and is_scene_break_line(plain):
            self.items.append(SceneBreak())
        else:
            self.items.append(TextItem(paragraph, tuple(plain.split("\n"))))


def _inline(children: Sequence[Token]) -> tuple[list[Span], str]:
    """Styled spans (soft breaks as spaces, or kept in verse) and the plain text's source lines."""
    soft = "\n" if _is_verse(children) else " "
    if all(child.type in ("text", "softbreak") for child in children):
        # The common case, kept fast: unstyled text (text tokens never hold a newline).
        plain = "".join("\n" if child.type == "softbreak" else child.content for child in children)
        return [Span(plain.replace("\n", soft))], plain
    inline = _InlineText()
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            inline.add(child.content)
        elif kind == "softbreak":
            inline.add(soft, "\n")
        elif kind == "hardbreak":
            inline.add("\n")
        elif kind in _MD_STYLES:
            inline.restyle(*_MD_STYLES[kind])
        elif kind == "html_inline":
            _html_inline(child.content, inline)
    return inline.spans, "".join(inline.plain)


def _is_verse(children: Sequence[Token]) -> bool:
    """Short lines joined by soft breaks are verse (stanzas), whose line breaks are the text.

    Hard-wrapped prose runs its lines to 70-80 characters; a stanza's lines stay well short.
    """
    lines = [0]
    for child in children:
        if child.type == "softbreak":
            lines.append(0)
        else:
            lines[-1] += len(child.content)
    return len(lines) >= _VERSE_MIN_LINES and max(lines) <= _VERSE_LINE


_VERSE_LINE = 60
# Two short lines may be one sentence wrapped early ("Buffy waits / for dawn."); three are a stanza.
_VERSE_MIN_LINES = 3
_MD_STYLES = {
    "em_open": ("italic", 1),
    "em_close": ("italic", -1),
    "strong_open": ("bold", 1),
    "strong_close": ("bold", -1),
    "s_open": ("strike", 1),
    "s_close": ("strike", -1),
}


@dataclass
class _InlineText:
    """Spans being collected, with how deeply each style is currently nested."""

    spans: list[Span] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    depth: dict[str, int] = field(
        default_factory=lambda: {"italic": 0, "bold": 0, "underline": 0, "strike": 0}
    )

    def add(self, text: str, source: str | None = None) -> None:
        """Append `text` in the current style; `source` is its plain-text form if different."""
        on = self.depth
        self.spans.append(
            Span(text, on["italic"] > 0, on["bold"] > 0, on["underline"] > 0, on["strike"] > 0)
        )
        self.plain.append(text if source is None else source)

    def restyle(self, name: str, step: int) -> None:
        """Open (+1) or close (-1) a style; stray closers never go below zero."""
        self.depth[name] = max(0, self.depth[name] + step)


def _html_inline(tag: str, inline: _InlineText) -> None:
    match = _TAG.fullmatch(tag.strip())
    if match is None:
        return
    closing, name = match.group(1) == "/", match.group(2).lower()
    if name == "br":
        inline.add("\n")
    elif name in _STYLE_TAGS:
        inline.restyle(_STYLE_TAGS[name], -1 if closing else 1)
