"""`chapterbot preview FILE`: show how a story file would be posted, without Discord.

The `--json` output is a contract other tools depend on:

    {"title": str, "authors": [str], "summary": str|null, "notes": str|null,
     "rating": str|null, "warnings": [str], "tags": [str], "style": "text"|"embed",
     "limit": int, "chapters": [{"number": int, "label": str|null, "title": str|null,
     "notes": str|null, "end_notes": str|null, "chars": int, "pages": [str]}],
     "end_notes": str|null, "skipped": [{"title": str, "reason": str, "words": int}],
     "source_words": int|null, "imported_words": int|null}

`pages` are exactly the texts that would be posted, `chars` the length of the chapter's rendered
text before pagination, `number` the chapter's 1-based position; titles and notes are plain text
as written in the source. `source_words` counts the words of the text the importer read;
`imported_words` how many of them the import accounts for (posted, kept as metadata or notes,
or reported in `skipped`): the difference is text lost silently (see `bot.stories.accounting`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.errors import ImportRefused
from bot.stories.accounting import account
from bot.stories.importers import import_story
from bot.stories.model import Story
from bot.stories.paginate import STYLE_LIMITS, lower_bound, paginate
from bot.stories.preview_summary import accounting_line, write_summary
from bot.stories.render import RenderedChapter, heading_text, render_story

EXIT_OK = 0
EXIT_UNREADABLE = 2
_RULE = "─" * 72


def run_preview(
    path: Path, *, style: str = "text", as_json: bool = False, summary: bool = False
) -> int:
    """Preview `path` on stdout; on failure print one line to stderr and return 2."""
    if style not in STYLE_LIMITS:
        return _fail(f"unknown style {style!r}; use one of: {', '.join(sorted(STYLE_LIMITS))}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror or type(exc).__name__}")
    try:
        story = import_story(raw, path.name)
    except ImportRefused as exc:
        return _fail(str(exc))
    limit = STYLE_LIMITS[style]
    rendered = render_story(story)
    pages = [paginate(chapter, limit) for chapter in rendered]
    try:
        if summary:
            write_summary(sys.stdout, story, rendered, pages)
        elif as_json:
            payload = preview_data(story, rendered, pages, style=style, limit=limit)
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        else:
            write_text_view(sys.stdout, story, rendered, pages, style=style, limit=limit)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()  # the reader (`| head`) has enough; that is no error
    return EXIT_OK


def preview_data(
    story: Story,
    rendered: list[RenderedChapter],
    pages: list[list[str]],
    *,
    style: str,
    limit: int,
) -> dict[str, Any]:
    """The `--json` object for a story already rendered and paginated."""
    words = account(story)
    return {
        "title": story.title,
        "authors": list(story.authors),
        "summary": story.summary,
        "notes": story.notes,
        "rating": story.rating or None,
        "warnings": list(story.warnings),
        "tags": list(story.tags),
        "style": style,
        "limit": limit,
        "chapters": [
            {
                "number": position,
                "label": chapter.label,
                "title": chapter.title,
                "notes": chapter.notes,
                "end_notes": chapter.end_notes,
                "chars": done.chars,
                "pages": chapter_pages,
            }
            for position, (chapter, done, chapter_pages) in enumerate(
                zip(story.chapters, rendered, pages, strict=True), 1
            )
        ],
        "end_notes": story.end_notes,
        "skipped": [
            {"title": part.title, "reason": part.reason, "words": part.words}
            for part in story.skipped
        ],
        "source_words": words.source_words if words else None,
        "imported_words": words.imported_words if words else None,
    }


def write_text_view(
    out: TextIO,
    story: Story,
    rendered: list[RenderedChapter],
    pages: list[list[str]],
    *,
    style: str,
    limit: int,
) -> None:
    """A readable view: metadata, then every chapter's pages with their sizes, then totals."""
    out.write(f"{story.title}\n")
    if story.authors:
        out.write(f"by {', '.join(story.authors)}\n")
    for label, value in (
        ("Rating", story.rating),
        ("Warnings", ", ".join(story.warnings)),
        ("Tags", ", ".join(story.tags)),
        ("Summary", story.summary),
        ("Notes", story.notes),
    ):
        if value:
            out.write(f"{label}: {_one_line(value)}\n")
    out.write(f"Style: {style} (up to {limit:,} characters per message)\n")
    for chapter, done, chapter_pages in zip(story.chapters, rendered, pages, strict=True):
        out.write(
            f"\n{_RULE}\n{heading_text(chapter)} — {len(chapter_pages)} page(s), "
            f"{done.chars:,} characters, {chapter.word_count:,} words\n{_RULE}\n"
        )
        for number, page in enumerate(chapter_pages, 1):
            out.write(f"\n[page {number}/{len(chapter_pages)}: {len(page):,} characters]\n")
            out.write(page + "\n")
    total = sum(map(len, pages))
    bound = lower_bound(rendered, limit)
    out.write(
        f"\n{_RULE}\nTotal: {len(story.chapters)} chapter(s), {total} page(s) "
        f"(at least {bound} needed), {sum(c.chars for c in rendered):,} characters, "
        f"{story.word_count:,} words\n"
    )
    words = account(story)
    if words is not None:
        out.write(accounting_line(words) + "\n")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(reason: str) -> int:
    sys.stderr.write(f"chapterbot preview: {_one_line(reason)}\n")
    return EXIT_UNREADABLE
