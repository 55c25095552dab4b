"""Pick the right importer for an upload by extension and content sniffing.

Every importer raises `ImportRefused` with a message a user can act on; nothing else escapes
`import_story`, so a bad upload can never surface as a traceback.
"""

from __future__ import annotations

import logging
from pathlib import PurePath

from bot.errors import ImportRefused
from bot.i18n import N_, Quantity
from bot.stories.importers.decoding import decode_text, looks_binary
from bot.stories.importers.matter import separate_matter
from bot.stories.importers.numbering import settle_title_numbers
from bot.stories.model import Story

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SUPPORTED_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub")
# Files without an extension are sniffed by the importer; ".zip" is how some send an EPUB.
UPLOAD_EXTENSIONS = (*SUPPORTED_EXTENSIONS, ".text", ".zip", "")


def import_story(raw: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Story:
    """Parse an uploaded file into a `Story`, or raise `ImportRefused` saying why not."""
    if len(raw) > max_bytes:
        raise too_large(filename, len(raw), max_bytes)
    if not raw.strip():
        raise ImportRefused(
            N_("`{filename}` is empty."),
            hint=N_("Upload a file with the story's text."),
            params={"filename": filename},
        )
    kind = _detect_format(raw, filename)
    try:
        story = _parse(kind, raw)
        separate_matter(story)
        settle_title_numbers(story)
    except ImportRefused:
        raise
    except RecursionError as exc:
        raise ImportRefused(
            N_("`{filename}` is nested too deeply to read safely."),
            hint=N_("Export it again from its source without deeply nested markup."),
            params={"filename": filename},
        ) from exc
    except Exception as exc:  # a parser bug or a corrupt file must not become a traceback
        log.exception("importer %s failed on %s", kind, filename)
        raise ImportRefused(
            N_("`{filename}` could not be read as {kind}: {problem}."),
            hint=N_("Check that the file opens in a reader or browser, then upload it again."),
            params={"filename": filename, "kind": kind.upper(), "problem": type(exc).__name__},
        ) from exc
    if not story.chapters or not any(ch.blocks for ch in story.chapters):
        raise ImportRefused(
            N_("`{filename}` holds no story text (only headings or whitespace)."),
            hint=N_("Make sure the chapters have prose under their headings."),
            params={"filename": filename},
        )
    story.source_format = kind
    return story


def _detect_format(raw: bytes, filename: str) -> str:
    suffix = PurePath(filename.lower()).suffix
    if raw[:4] == b"PK\x03\x04":
        if suffix not in ("", ".epub", ".zip"):
            log.info("%s is a zip despite its extension; reading it as EPUB", filename)
        return "epub"
    if suffix == ".epub":
        raise ImportRefused(
            N_("`{filename}` is not a valid EPUB (an EPUB is a zip archive)."),
            hint=N_("Export the EPUB again, or upload the story as .txt or .html."),
            params={"filename": filename},
        )
    if looks_binary(raw):
        raise ImportRefused(
            N_("`{filename}` looks like a binary file, not a story."),
            hint=N_("Supported formats: {formats}."),
            params={"filename": filename, "formats": ", ".join(SUPPORTED_EXTENSIONS)},
        )
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "md"
    if suffix in ("", ".txt", ".text"):
        head = raw[:2048].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html", b"<?xml")):
            return "html"
        return "txt"
    raise unsupported_type(filename, suffix)


def too_large(filename: str, size: int, max_bytes: int) -> ImportRefused:
    """The refusal for a file over the upload limit (sizes in MB, as the reader writes them)."""
    return ImportRefused(
        N_("`{filename}` is {size} MB; the limit is {limit} MB."),
        hint=N_("Split the story into parts, or remove images from the EPUB."),
        params={
            "filename": filename,
            "size": Quantity(size / 1_048_576, decimals=1),
            "limit": Quantity(max_bytes / 1_048_576),
        },
    )


def unsupported_type(filename: str, suffix: str) -> ImportRefused:
    """The refusal for a file type chapterbot does not read."""
    return ImportRefused(
        N_("`{filename}` has an unsupported type (`{suffix}`)."),
        hint=N_("Supported formats: {formats}."),
        params={"filename": filename, "suffix": suffix, "formats": ", ".join(SUPPORTED_EXTENSIONS)},
    )


def _parse(kind: str, raw: bytes) -> Story:
    if kind == "epub":
        from bot.stories.importers.epub import parse_epub

        # parse_epub opens the zip itself and refuses every kind of damage with its own message.
        return parse_epub(raw)
    if kind == "html":
        from bot.stories.importers.html import parse_html

        return parse_html(raw)
    text = decode_text(raw)
    if kind == "md":
        from bot.stories.importers.markdown import parse_markdown

        story = parse_markdown(text)
    else:
        from bot.stories.importers.plain_text import parse_text

        story = parse_text(text)
    story.source_text = lambda: text
    return story


def check_upload(filename: str, size: int, *, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse an attachment from its name and size alone, before downloading it."""
    if size > max_bytes:
        raise too_large(filename, size, max_bytes)
    if size == 0:
        raise ImportRefused(
            N_("`{filename}` is empty."),
            hint=N_("Upload a file with the story's text."),
            params={"filename": filename},
        )
    suffix = PurePath(filename.lower()).suffix
    if suffix not in UPLOAD_EXTENSIONS:
        raise unsupported_type(filename, suffix)
