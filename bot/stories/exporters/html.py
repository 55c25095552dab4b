"""Write a story as one HTML page, and the XHTML pieces the EPUB writer reuses.

The page is well-formed XHTML served as HTML: `<title>` and an `h1` for the story, a byline,
the story's summary and notes in a preface `div`, then one `h2` per chapter (label and title,
as `chapter_heading` writes them) with that chapter's notes in `blockquote.userstuff` quotes
introduced by `p.note-label`s, and the body as `<p>`, `<blockquote>` and `<hr/>`.
"""

from __future__ import annotations

import re
from html import escape

from bot.stories.exporters.heading import chapter_heading
from bot.stories.model import Block, BlockQuote, Chapter, Paragraph, SceneBreak, Span, Story
from bot.stories.verse import held_indents


def html_document(story: Story) -> str:
    """The whole story as one HTML page."""
    lang = escape(story.language or "en", quote=True)
    if story.authors:
        # The linked byline FanFicFare writes, which our HTML importer reads as title + authors.
        names = ", ".join(f"<a>{escape(name)}</a>" for name in story.authors)
        body = [f"<h1><a>{escape(story.title)}</a> by {names}</h1>"]
    else:
        body = [f"<h1>{escape(story.title)}</h1>"]
    body += notes_html("Summary", story.summary)
    body += notes_html("Notes", story.notes)
    for chapter in story.chapters:
        body.append(f'<div class="chapter" id="chapter-{chapter.number}">')
        body += chapter_html(chapter, level=2)
        body.append("</div>")
    body += notes_html("Work End Notes", story.end_notes)
    meta = "".join(
        f'<meta name="{name}" content="{escape(value, quote=True)}"/>'
        for name, value in _meta(story)
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html xmlns="http://www.w3.org/1999/xhtml" lang="{lang}" xml:lang="{lang}">\n'
        f'<head><meta charset="utf-8"/><title>{escape(story.title)}</title>{meta}</head>\n'
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _meta(story: Story) -> list[tuple[str, str]]:
    pairs = [("author", ", ".join(story.authors))] if story.authors else []
    if story.tags:
        pairs.append(("keywords", ", ".join(story.tags)))
    if story.summary:
        pairs.append(("description", " ".join(story.summary.split())))
    return pairs


def chapter_html(chapter: Chapter, *, level: int) -> list[str]:
    """A chapter's heading, credits, notes and body as HTML lines."""
    lines = [f"<h{level}>{escape(chapter_heading(chapter))}</h{level}>"]
    if chapter.authors:
        lines.append(f'<p class="byline">Chapter by {escape(", ".join(chapter.authors))}</p>')
    lines += notes_html("Summary", chapter.summary)
    lines += notes_html("Notes", chapter.notes)
    lines += [block_html(block) for block in chapter.blocks]
    lines += notes_html("End Notes", chapter.end_notes)
    return lines


def notes_html(label: str, text: str | None) -> list[str]:
    """A labelled note ("Notes:") followed by its paragraphs in a quote; nothing when empty."""
    if not text or not text.strip():
        return []
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    inner = "".join(f"<p>{_lines(escape(p))}</p>" for p in paragraphs)
    return [
        f'<p class="note-label"><b>{label}:</b></p>',
        f'<blockquote class="userstuff">{inner}</blockquote>',
    ]


def block_html(block: Block) -> str:
    """One body block as HTML."""
    if isinstance(block, SceneBreak):
        return "<hr/>"
    if isinstance(block, BlockQuote):
        return "<blockquote>" + "".join(_paragraph(p) for p in block.paragraphs) + "</blockquote>"
    return _paragraph(block)


def _paragraph(paragraph: Paragraph) -> str:
    # Verse lines' indentation goes out as no-break spaces, which HTML does not collapse.
    return "<p>" + "".join(_span(span) for span in held_indents(paragraph.spans)) + "</p>"


def _span(span: Span) -> str:
    text = _lines(escape(span.text, quote=False))
    if span.strike:
        text = f"<s>{text}</s>"
    if span.underline:
        text = f"<u>{text}</u>"
    if span.bold:
        text = f"<strong>{text}</strong>"
    if span.italic:
        text = f"<em>{text}</em>"
    return text


def _lines(text: str) -> str:
    return text.replace("\n", "<br/>")
