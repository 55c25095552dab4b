"""Import an HTML file: an AO3 download (preface, chapters, notes) or any other HTML page.

Any other page: the title is `<title>` (else the first `h1`), and chapters start at the highest
heading level that repeats (usually `h2`); a page without headings is one chapter.
"""

from __future__ import annotations

from typing import Any

from bot.stories.importers.ao3 import is_ao3, read_end_notes, read_preface, report_details
from bot.stories.importers.ao3_chapters import ao3_chapters
from bot.stories.importers.html_blocks import Heading, element_text, flow
from bot.stories.importers.markup import (
    decode_markup,
    local_name,
    parse_html_document,
    visible_text,
)
from bot.stories.importers.sections import chapter_level, finish_chapters, split_at_headings
from bot.stories.model import Story

UNTITLED = "Untitled"


def parse_html(raw: bytes) -> Story:
    """Parse an HTML upload into a `Story` (raises `ImportRefused` for unreadable markup)."""
    root = parse_html_document(decode_markup(raw))
    story = _ao3_story(root) if is_ao3(root) else _generic_story(root)
    story.source_text = lambda: visible_text(root)
    return story


def _ao3_story(root: Any) -> Story:
    preface_el = _by_id(root, "preface")
    afterword = _by_id(root, "afterword")
    preface = read_preface([preface_el if preface_el is not None else root])
    chapters = ao3_chapters(root)
    framing = [el for el in (preface_el, afterword) if el is not None]
    if not chapters:
        # Not the download layout (a saved page?): read the rest as ordinary HTML.
        skip = {id(el) for el in (preface_el, afterword) if el is not None}
        chapters = _generic_story(root, skip=lambda el: id(el) in skip).chapters
    story = Story(
        title=preface.title or _document_title(root) or UNTITLED,
        authors=preface.authors,
        summary=preface.summary,
        notes=preface.notes,
        end_notes=read_end_notes([afterword]) if afterword is not None else None,
        rating=preface.rating,
        warnings=preface.warnings,
        tags=preface.tags,
        language=preface.language or _html_language(root),
        source_format="html",
        chapters=chapters,
    )
    report_details(story, [visible_text(el) for el in framing])
    return story


def _generic_story(root: Any, skip: Any = None) -> Story:
    body = next(root.iter("{*}body"), root)
    items = flow(body, skip=skip)
    title = _document_title(root) or next(
        (item.text for item in items if isinstance(item, Heading) and item.level == 1), None
    )
    sections = split_at_headings(items, chapter_level(items))
    byline = _linked_byline(body)
    work_notes: dict[str, str] = {}
    chapters = finish_chapters(sections, work_notes)
    return Story(
        title=byline[0] if byline else title or UNTITLED,
        authors=byline[1] if byline else [],
        summary=work_notes.get("summary"),
        notes=work_notes.get("notes"),
        end_notes=work_notes.get("end_notes"),
        language=_html_language(root),
        source_format="html",
        chapters=chapters,
    )


def _linked_byline(body: Any) -> tuple[str, list[str]] | None:
    """`<h1><a>Title</a> by <a>A</a>, <a>B</a></h1>` (FanFicFare's HTML): title and authors."""
    h1 = next(body.iter("{*}h1"), None)
    if h1 is None:
        return None
    links = [element_text(a) for a in h1.iter("{*}a")]
    links = [text for text in links if text]
    if len(links) < 2 or " by " not in element_text(h1):
        return None
    return links[0], links[1:]


def _document_title(root: Any) -> str | None:
    for title in root.iter("{*}title"):
        if local_name(title.getparent()) == "head":
            return element_text(title) or None
    return None


def _html_language(root: Any) -> str | None:
    for el in (root, next(root.iter("{*}body"), None)):
        if el is not None:
            lang = el.get("lang") or el.get("{http://www.w3.org/XML/1998/namespace}lang")
            if lang and lang.strip():
                return lang.strip()
    return None


def _by_id(root: Any, ident: str) -> Any | None:
    return next((el for el in root.iter("{*}div") if el.get("id") == ident), None)
