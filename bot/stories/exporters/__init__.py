"""Stories back out as files: EPUB 3, HTML and Markdown.

`export_story` turns a `Story` (the same model the importers produce) into bytes plus a file
name and media type. It never imports discord; the `/story download` command and the
`chapterbot export` CLI both call it. Which chapters go out (readers get the released ones,
authors all) is decided by the caller, which passes a `Story` holding just those chapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UserError
from bot.i18n import N_
from bot.stories.exporters.epub import epub_bytes
from bot.stories.exporters.html import html_document
from bot.stories.exporters.markdown import markdown_document
from bot.stories.model import Story

EXPORT_FORMATS = ("epub", "html", "md")
_MEDIA_TYPES = {
    "epub": "application/epub+zip",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


@dataclass(frozen=True)
class ExportedFile:
    """An exported story: the file's name, its bytes and its media type."""

    filename: str
    data: bytes
    media_type: str


class UnknownExportFormat(UserError):
    """The requested export format is not one we write."""


def export_story(story: Story, fmt: str) -> ExportedFile:
    """Write `story` in `fmt` ("epub", "html" or "md")."""
    fmt = fmt.lower().lstrip(".")
    if fmt == "markdown":
        fmt = "md"
    if fmt == "epub":
        data = epub_bytes(story)
    elif fmt == "html":
        data = html_document(story).encode("utf-8")
    elif fmt == "md":
        data = markdown_document(story).encode("utf-8")
    else:
        raise UnknownExportFormat(
            N_("`{format}` is not an export format; choose one of {formats}."),
            params={"format": fmt, "formats": ", ".join(EXPORT_FORMATS)},
        )
    return ExportedFile(f"{file_stem(story.title)}.{fmt}", data, _MEDIA_TYPES[fmt])


def file_stem(title: str) -> str:
    """A safe file name stem for a story title ("The Bet: Part 1" -> "The_Bet_Part_1")."""
    stem = re.sub(r"[^\w\-]+", "_", title, flags=re.UNICODE).strip("_")
    return stem[:80] or "story"
