"""Import a plain-text story (`.txt`), the format of the seed story.

Header: the first line is `Title by Author` (several authors as `by A & B`, `by A and B` or
`by A, B`); `Title` then `by Author` on the next line works too. Without a byline, a short,
title-like first line that stands alone (or is followed only by labels) is the title; otherwise
the title is "Untitled" and the line stays in the body. `Author:` in the header also sets authors.

Seed layout, and the rule behind it: a `Chapter Notes:` block is the rest of its line and the
lines after it in the same paragraph; when its last line is short and title-like (no sentence
punctuation) and the block has other lines, that last line is the chapter's title:

    Kiss of Blood by Tess            <- title and author

    Chapter Notes: This is...        <- notes
    I don't own any of the characters.
    Thanks to my beta, ...
    They always leave                <- chapter title

    Buffy quietly closed ...         <- body

A file with no chapter headings is one chapter, titled by that rule when it applies and untitled
(None: the renderer falls back to the story title) otherwise. Chapter headings, notes placement
and the preamble are described in `headings.assemble`; paragraphs, layouts, scene breaks and
`*italic*`/`_italic_`/`**bold**` in `text_blocks`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from bot.stories.importers.headings import Heading, Item, TextItem, assemble, match_heading
from bot.stories.importers.matter import cut_gutenberg_text
from bot.stories.importers.text_blocks import (
    Layout,
    LayoutInfo,
    RawParagraph,
    byline_authors,
    detect_layout,
    is_scene_break_line,
    looks_like_title,
    make_paragraph,
    match_label,
    paragraph_text,
    parse_byline,
    split_raw_paragraphs,
)
from bot.stories.importers.text_contents import split_by_contents
from bot.stories.model import SceneBreak, Skipped, Story

UNTITLED = "Untitled"
_PLACEHOLDER = re.compile(r"^\[(?:illustration|image|picture)[^\]]*\]$", re.I)


def parse_text(text: str) -> Story:
    """Parse plain text (LF line ends) into a `Story`; `source_format` is left to the caller."""
    skipped: list[Skipped] = []
    text, fields = cut_gutenberg_text(text, skipped)
    paragraphs = split_raw_paragraphs(text)
    if fields.get("title"):
        # Gutenberg's header names the book; the lines after it are the title page.
        story, body = Story(fields["title"]), paragraphs
        story.authors = [fields["author"]] if fields.get("author") else []
    else:
        while paragraphs and _PLACEHOLDER.match(" ".join(paragraphs[0].lines)):
            # "[Illustration]" above the title: a picture the text file cannot hold.
            placeholder = "\n".join(paragraphs[0].lines)
            skipped.append(Skipped(paragraphs[0].lines[0], "image placeholder", 1, placeholder))
            paragraphs = paragraphs[1:]
        story, body = _read_header(paragraphs)
    story.skipped[:0] = skipped
    contents = split_by_contents(body)
    if contents.skipped is not None:
        story.skipped.append(contents.skipped)
    body = contents.paragraphs
    assemble(story, list(_items(body, detect_layout(body), contents.headings)))
    if fields and story.summary:
        # A Gutenberg book has no summary: the short text before chapter 1 is its title page.
        words = len(story.summary.split())
        story.skipped.append(Skipped("title page", "title page", words, story.summary))
        story.summary = None
    return story


def _read_header(paragraphs: list[RawParagraph]) -> tuple[Story, list[RawParagraph]]:
    """The story with its title and authors, and the paragraphs left after the header lines."""
    if not paragraphs:
        return Story(UNTITLED), []
    lines, rest = paragraphs[0].lines, paragraphs[1:]
    first = lines[0]
    if match_heading(first) or match_label(first) or is_scene_break_line(first):
        return Story(UNTITLED), paragraphs
    byline = parse_byline(first)
    if byline and _only_labels(lines[1:]):
        return Story(byline[0], authors=byline[1], structure=["by"]), _keep(lines[1:], rest)
    if not looks_like_title(first, strict=False):
        return Story(UNTITLED), paragraphs
    authors = byline_authors(lines[1]) if len(lines) > 1 else []
    after = lines[2:] if authors else lines[1:]
    if not _only_labels(after) or not (after or rest):
        return Story(UNTITLED), paragraphs
    if not authors and not after and rest and len(rest[0].lines) == 1:
        # "Title", blank line, "by Author": the byline may stand in its own paragraph.
        authors = byline_authors(rest[0].lines[0])
        rest = rest[1:] if authors else rest
    story = Story(first, authors=authors, structure=["by"] if authors else [])
    return story, _keep(after, rest)


def _only_labels(lines: Sequence[str]) -> bool:
    """True when the header's remaining lines are absent or start with a label."""
    return not lines or match_label(lines[0]) is not None


def _keep(lines: Sequence[str], rest: list[RawParagraph]) -> list[RawParagraph]:
    return [RawParagraph(tuple(lines), 0), *rest] if lines else rest


def _items(
    paragraphs: Sequence[RawParagraph], info: LayoutInfo, headings: Mapping[int, int]
) -> Iterator[Item]:
    """Headings, text and scene breaks in reading order.

    `headings` marks paragraphs opening with a heading the book's contents list names; with
    such a list, only those lines start chapters.
    """
    for index, paragraph in enumerate(paragraphs):
        if index in headings:
            count = headings[index]
            yield Heading(" ".join(" ".join(paragraph.lines[:count]).split()), bare=False)
            yield from _text_items(paragraph.lines[count:], info)
            continue
        if index and info.break_gap is not None and paragraph.gap_before >= info.break_gap:
            yield SceneBreak()
        yield from _paragraph_items(paragraph.lines, info, find_headings=not headings)


def _paragraph_items(
    lines: Sequence[str], info: LayoutInfo, *, find_headings: bool = True
) -> Iterator[Item]:
    """Split one run of lines at scene-break lines and (unless the contents say) headings."""
    run: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        heading = match_heading(line) if find_headings else None
        if heading is None and not is_scene_break_line(line):
            run.append(line)
            continue
        yield from _text_items(run, info)
        run = []
        if heading is None:
            yield SceneBreak()
            continue
        if heading.bare and index == len(lines) - 1 and looks_like_title(lines[index]):
            # "Chapter 3" with "The Fall" on the next line, then a blank line.
            heading = Heading(f"{heading.title}: {lines[index]}", False, heading.is_part)
            index += 1
        yield heading
    yield from _text_items(run, info)


def _text_items(lines: Sequence[str], info: LayoutInfo) -> Iterator[TextItem]:
    if not lines:
        return
    if info.layout is Layout.LINES:
        for line in lines:
            yield TextItem(make_paragraph(line), (line,))
        return
    text = paragraph_text(lines, info)
    yield TextItem(make_paragraph(text), tuple(text.split("\n")))
