"""Write a story as Markdown: YAML front matter, `##` chapter headings, notes as labelled lines.

The layout is the one our Markdown importer reads back: front matter for title, authors, tags
and language; `Summary:`/`Notes:`/`End Notes:` paragraphs for the story's and each chapter's
notes; `* * *` for scene breaks; `*`/`**`/`~~`/`<u>` for styles; a trailing backslash for a hard
line break inside a verse stanza.
"""

from __future__ import annotations

import json
import re

from bot.stories.exporters.heading import chapter_heading
from bot.stories.model import Block, BlockQuote, Chapter, Paragraph, SceneBreak, Span, Story
from bot.stories.verse import INDENT_CHARS, PLAIN_SPACE, held_indents

# Characters that would start Markdown syntax; escaped so prose stays prose.
_SPECIAL = re.compile(r"([\\`*_\[\]<>~#|])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)]|>)(?=\s|$)")


def markdown_document(story: Story) -> str:
    """The whole story as one Markdown document."""
    parts = [_front_matter(story)]
    parts += _notes("Summary", story.summary)
    parts += _notes("Notes", story.notes)
    for chapter in story.chapters:
        parts += _chapter(chapter)
    parts += _notes("End Notes", story.end_notes)
    return "\n\n".join(part for part in parts if part) + "\n"


def _front_matter(story: Story) -> str:
    lines = ["---", f"title: {_yaml(story.title)}"]
    if story.authors:
        lines.append("author: [" + ", ".join(_yaml(a) for a in story.authors) + "]")
    if story.tags:
        lines.append("tags: [" + ", ".join(_yaml(t) for t in story.tags) + "]")
    if story.language:
        lines.append(f"language: {_yaml(story.language)}")
    lines.append("---")
    return "\n".join(lines)


def _yaml(value: str) -> str:
    # A JSON string is a valid double-quoted YAML scalar.
    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def _chapter(chapter: Chapter) -> list[str]:
    parts = ["## " + escape_text(chapter_heading(chapter))]
    if chapter.authors:
        parts.append("Chapter by: " + escape_text(", ".join(chapter.authors)))
    parts += _notes("Summary", chapter.summary)
    parts += _notes("Notes", chapter.notes)
    parts += [block_markdown(block) for block in chapter.blocks]
    parts += _notes("End Notes", chapter.end_notes)
    return parts


def _notes(label: str, text: str | None) -> list[str]:
    if not text or not text.strip():
        return []
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    first = f"{label}: " + escape_text(paragraphs[0].strip())
    return [first] + [escape_text(p.strip()) for p in paragraphs[1:]]


def block_markdown(block: Block) -> str:
    """One body block as Markdown."""
    if isinstance(block, SceneBreak):
        return "* * *"
    if isinstance(block, BlockQuote):
        quoted = "\n\n".join(_paragraph(p) for p in block.paragraphs)
        return "\n".join(f"> {line}" if line else ">" for line in quoted.split("\n"))
    return _paragraph(block)


def _paragraph(paragraph: Paragraph) -> str:
    # Verse lines keep their indentation as no-break spaces; only plain spaces are trimmed.
    text = "".join(_span(span) for span in held_indents(paragraph.spans)).strip(PLAIN_SPACE)
    lines = [line.strip(PLAIN_SPACE) for line in text.split("\n")]
    lines = [_LINE_START.sub(lambda m: m[1] + "\\" + m[2], line) for line in lines]
    if lines[0] and lines[0][0] in INDENT_CHARS:
        # A paragraph's first line is trimmed of every space by Markdown readers: an entity
        # is not, and reads back as the same character.
        lines[0] = f"&#{ord(lines[0][0])};" + lines[0][1:]
    return "\\\n".join(lines)


def _span(span: Span) -> str:
    text = escape_text(span.text)
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    if span.strike:
        core = f"~~{core}~~"
    if span.underline:
        core = f"<u>{core}</u>"
    if span.bold:
        core = f"**{core}**"
    if span.italic:
        core = f"*{core}*"
    return lead + core + trail


def escape_text(text: str) -> str:
    """Text with Markdown's special characters backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", text)
