"""Front and back matter: recognised, taken out of the chapters, and reported as skipped.

Runs on every imported story, whatever its format, after the importer has cut chapters:

1. Project Gutenberg's frame. Everything up to its `*** START OF THE/THIS PROJECT GUTENBERG
   EBOOK … ***` line is the header, everything from `*** END OF …` or `End of (the) Project
   Gutenberg('s) …` on is the licence; both may sit in chapters of their own or inside the first
   and last chapter (Alice's licence must not become part of chapter XII).
2. Whole chapters that are front or back matter by title: contents, list of illustrations,
   copyright, colophon, "Also by", title page, PG's "several editions" note and licence.
3. A table of contents without such a title: most of its paragraphs are short and repeat the
   titles of the chapters that follow.
4. A title page: a short chapter before the story whose title is the story's own title.

Nothing is dropped silently: each part becomes a `Skipped` entry with its words.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.errors import Translates
from bot.i18n import N_, SOURCE
from bot.stories.importers.ao3_chapters import split_names
from bot.stories.model import (
    Block,
    Chapter,
    Paragraph,
    SceneBreak,
    Skipped,
    Story,
    plain_paragraph,
)

PG_HEADER = N_("Project Gutenberg header")
PG_LICENCE = N_("Project Gutenberg licence")
TABLE_OF_CONTENTS = N_("table of contents")
EMPTY_HEADING = N_("heading without text")
TITLE_PAGE = N_("title page")
# The parts chapterbot names itself (shown translated in the upload reply).
GENERIC_PARTS = frozenset({PG_HEADER, PG_LICENCE, TABLE_OF_CONTENTS, EMPTY_HEADING, TITLE_PAGE})
_PG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_PG_END = re.compile(
    r"^(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG|End of (?:the )?Project Gutenberg)", re.I
)
_PG_BOILERPLATE_START = re.compile(
    r"^(?:This e-?book is for the use of anyone anywhere|The Project Gutenberg e-?book of)", re.I
)
_FOOTER = re.compile(r"^end file\.?$", re.I)
_HEADER_FIELD = re.compile(r"^(?P<key>Title|Author):\s*(?P<value>\S.*)$", re.I)
_MATTER_TITLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"full project gutenberg licen[cs]e|^start: full licen", re.I), PG_LICENCE),
    (re.compile(r"^the project gutenberg e-?book of", re.I), PG_HEADER),
    (re.compile(r"^there are several editions of this e-?book", re.I), "edition note"),
    (re.compile(r"^(?:table of )?contents$|^toc$", re.I), "table of contents"),
    (re.compile(r"^(?:list of )?illustrations$", re.I), "list of illustrations"),
    (re.compile(r"^copyright(?: page| notice)?$|^uncopyright$|^imprint$", re.I), "copyright"),
    (re.compile(r"^colophon$", re.I), "colophon"),
    (
        re.compile(r"^(?:also by\b.*|other books by\b.*|more info|about the publisher)$", re.I),
        "back matter",
    ),
    (re.compile(r"^(?:title ?page|half[- ]title(?: page)?|cover)$", re.I), "title page"),
)
_SHORT_LINE_WORDS = 12
_MIN_TITLE_KEY = 4
_MAX_CONTENTS_LINES = 400  # longer than any real table of contents; bounds the work
_TITLE_PAGE_MAX_WORDS = 150
_BYLINE_PAGE_MAX_WORDS = 400


def separate_matter(story: Story) -> None:
    """Move front and back matter out of `story.chapters` into `story.skipped` (in place).

    Each part remembers how many of the kept chapters came before it in the source, so that
    turning it into a chapter puts it back there.
    """
    read, placed = list(story.chapters), len(story.skipped)
    _cut_gutenberg_frame(story)
    _cut_footer(story)
    kept: list[Chapter] = []
    titles = {_norm(c.title) for c in story.chapters if c.title}
    seen_story = False
    empty_run: list[Chapter] = []
    for chapter in story.chapters:
        if not chapter.blocks:
            empty_run.append(chapter)  # headings with nothing under them: a list of contents
            continue
        _skip_headings(story, empty_run, front=not seen_story, after=len(kept))
        reason = _matter_reason(chapter, story, titles, before_story=not seen_story)
        if reason:
            skipped = _skipped(chapter.title or reason, reason, chapter.blocks)
            heading = _heading_line(chapter)
            text = f"{heading}\n\n{skipped.text}" if heading else skipped.text
            part = Skipped(skipped.title, reason, skipped.words, text, not seen_story, len(kept))
            story.skipped.append(part)
            continue
        seen_story = True
        kept.append(chapter)
    _skip_headings(story, empty_run, front=not seen_story, after=len(kept))
    for number, chapter in enumerate(kept, start=1):
        chapter.number = number
    story.chapters = kept
    _recount_places(story, read, placed)


def _recount_places(story: Story, read: list[Chapter], placed: int) -> None:
    """The importer placed its first `placed` parts among the chapters it `read`; count only
    those of them still chapters now, since matter and frames went out in between."""
    kept = {id(chapter) for chapter in story.chapters}
    for index, part in enumerate(story.skipped[:placed]):
        if part.after_chapter is not None:
            before = sum(id(chapter) in kept for chapter in read[: part.after_chapter])
            story.skipped[index] = replace(part, after_chapter=before)


def _cut_footer(story: Story) -> None:
    """FanFicFare ends its .txt with an "End file." line: the download's, not the story's."""
    last = story.chapters[-1] if story.chapters else None
    end = last.blocks[-1] if last and last.blocks else None
    if last and isinstance(end, Paragraph) and _FOOTER.match(end.text.strip()):
        story.skipped.append(_skipped("End file.", "download footer", [end], front=False))
        last.blocks = _trim_breaks(last.blocks[:-1])


def _skip_headings(story: Story, run: list[Chapter], *, front: bool, after: int) -> None:
    """Report a run of bodiless headings: several are a table of contents, one is a stray."""
    if run:
        words = sum(len((c.title or "").split()) for c in run)
        reason = "table of contents" if len(run) > 1 else "heading without text"
        title = "table of contents" if len(run) > 1 else run[0].title or reason
        text = "\n".join(_heading_line(c) for c in run)
        story.skipped.append(Skipped(title, reason, words, text, front, after))
        run.clear()


def _cut_gutenberg_frame(story: Story) -> None:
    chapters = story.chapters
    start = _find(chapters, _PG_START)
    if start is not None:
        index, at = start
        header: list[Block] = [b for c in chapters[:index] for b in _with_heading(c)]
        header += chapters[index].blocks[: at + 1]
        chapters[index].blocks = chapters[index].blocks[at + 1 :]
        del chapters[:index]
        if chapters and not chapters[0].blocks:
            header[:0] = _with_heading(chapters[0])  # the header's own chapter, now empty
            del chapters[0]
        story.skipped.append(_skipped(PG_HEADER, "boilerplate", header))
        _header_metadata(story, header)
    end = _find(chapters, _PG_END)
    if end is not None:
        index, at = end
        licence = chapters[index].blocks[at:]
        licence += [b for c in chapters[index + 1 :] for b in _with_heading(c)]
        chapters[index].blocks = _trim_breaks(chapters[index].blocks[:at])
        del chapters[index + 1 :]
        story.skipped.append(_skipped(PG_LICENCE, "boilerplate", licence, front=False))
    story.chapters = [c for c in chapters if c.blocks or c.title]


def _header_metadata(story: Story, header: list[Block]) -> None:
    """Take the title and author from the header's `Title:`/`Author:` lines.

    They replace what the importer guessed only when that guess is the header's own first line
    ("The Project Gutenberg eBook of …") or nothing; a title the file states otherwise wins.
    """
    fields: dict[str, str] = {}
    for block in header:
        for line in block.text.split("\n") if isinstance(block, Paragraph) else ():
            match = _HEADER_FIELD.match(line.strip())
            if match and match["key"].lower() not in fields:
                fields[match["key"].lower()] = match["value"].strip()
    guessed = story.title.strip().lstrip("?\ufeff")
    if fields.get("title") and (guessed in ("", "Untitled") or "Project Gutenberg" in guessed):
        story.title = fields["title"]
    if fields.get("author") and not story.authors:
        story.authors = [fields["author"]]


def _find(chapters: list[Chapter], marker: re.Pattern[str]) -> tuple[int, int] | None:
    for index, chapter in enumerate(chapters):
        for at, block in enumerate(chapter.blocks):
            if isinstance(block, Paragraph) and marker.match(block.text.strip()):
                return index, at
    return None


def _matter_reason(
    chapter: Chapter, story: Story, titles: set[str], *, before_story: bool
) -> str | None:
    title = (chapter.title or "").strip(" .:")
    for pattern, reason in _MATTER_TITLES:
        if title and pattern.search(title):
            return reason
    paragraphs = [b for b in chapter.blocks if isinstance(b, Paragraph)]
    if paragraphs and _PG_BOILERPLATE_START.match(paragraphs[0].text.strip()):
        return PG_HEADER
    if _is_contents(paragraphs, titles - {_norm(chapter.title)}):
        return "table of contents"
    if before_story and _is_title_page(chapter, story):
        return "title page"
    return None


def _is_contents(paragraphs: list[Paragraph], titles: set[str]) -> bool:
    lines = [line.strip() for p in paragraphs for line in p.text.split("\n") if line.strip()]
    if not 3 <= len(lines) <= _MAX_CONTENTS_LINES:
        return False
    short = sum(len(line.split()) <= _SHORT_LINE_WORDS for line in lines)
    if short < 0.8 * len(lines):
        return False
    normed = [_norm(line) for line in lines]
    # A short title ("I", "II") must be the whole line; a longer one may sit inside it.
    known = sum(
        any(t == line or (len(t) >= _MIN_TITLE_KEY and t in line) for t in titles if t)
        for line in normed
    )
    return known >= 0.5 * len(lines)


def _is_title_page(chapter: Chapter, story: Story) -> bool:
    """A short opening part headed, or opened, by the story's title or a byline."""
    if chapter.word_count > _BYLINE_PAGE_MAX_WORDS or chapter.label:
        return False  # a labelled chapter ("Chapter 1: <the story's title>") is story text
    title, story_title = _norm(chapter.title), _norm(story.title)
    if title and chapter.word_count <= _TITLE_PAGE_MAX_WORDS:
        # "D R A C U L A", or FanFicFare's "Title by Author, …" heading over its metadata table.
        return title in story_title or title.startswith(story_title)
    texts = [b.text.strip() for b in chapter.blocks if isinstance(b, Paragraph)]
    first = texts[0] if texts else ""
    if chapter.word_count <= _TITLE_PAGE_MAX_WORDS and any(
        text.lower().startswith("by ") for text in texts[1:]
    ):
        return True  # "A CHRISTMAS CAROL / IN PROSE …" then "by Charles Dickens"
    if first.lower().startswith("by "):
        # A byline then the download's metadata lines (FanFicFare's .txt title page).
        if not story.authors:
            story.authors = split_names(" ".join(first[3:].split()))
            story.structure.append("by")
        return True
    return (
        chapter.word_count <= _TITLE_PAGE_MAX_WORDS
        and bool(story_title)
        and _norm(first.split("\n")[0]) == story_title
    )


def _norm(text: str | None) -> str:
    """Letters and digits only, lower case: "D R A C U L A" and "Dracula" compare equal."""
    return re.sub(r"[\W_]+", "", (text or "").casefold())


def _trim_breaks(blocks: list[Block]) -> list[Block]:
    while blocks and isinstance(blocks[-1], SceneBreak):
        blocks = blocks[:-1]
    return blocks


def _skipped(title: str, reason: str, blocks: list[Block], *, front: bool = True) -> Skipped:
    texts = [b.text for b in blocks if not isinstance(b, SceneBreak)]
    words = sum(len(text.split()) for text in texts)
    return Skipped(title, reason, words, "\n\n".join(texts), front=front)


def _with_heading(chapter: Chapter) -> list[Block]:
    """The chapter's blocks after a paragraph holding its heading (label and title), if any."""
    heading = _heading_line(chapter)
    return ([plain_paragraph(heading)] if heading else []) + chapter.blocks


def _heading_line(chapter: Chapter) -> str:
    """A skipped chapter's heading as the source printed it: label and title."""
    return " ".join(part for part in (chapter.label, chapter.title) if part)


def skipped_summary(
    skipped: list[Skipped], *, limit: int = 1000, t: Translates = SOURCE
) -> str | None:
    """One line for the upload reply: "Project Gutenberg licence (2,905 words), table of contents".

    Parts with no words are named without a count; the line is cut at `limit` characters.
    """
    if not skipped:
        return None
    parts = []
    for part in skipped:
        # The names chapterbot gives are translated; a title from the file stays as written.
        title = t.gettext(part.title) if part.title in GENERIC_PARTS else part.title
        if part.words:
            title = t.ngettext("{title} ({n} word)", "{title} ({n} words)", part.words, title=title)
        parts.append(title)
    line = ", ".join(parts)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def cut_gutenberg_text(text: str, story_skipped: list[Skipped]) -> tuple[str, dict[str, str]]:
    """Plain text without Project Gutenberg's header and licence lines, and the header's fields.

    Cut by lines before any structure is read, so a short header can never pass for a summary.
    """
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _PG_START.match(line.strip())), None)
    end = next((i for i, line in enumerate(lines) if _PG_END.match(line.strip())), None)
    fields: dict[str, str] = {}
    if end is not None and (start is None or end > start):
        licence = lines[end:]
        story_skipped.append(
            Skipped(PG_LICENCE, "boilerplate", _words(licence), _unwrapped(licence), front=False)
        )
        lines = lines[:end]
    if start is not None:
        for line in lines[:start]:
            match = _HEADER_FIELD.match(line.strip())
            if match and match["key"].lower() not in fields:
                fields[match["key"].lower()] = match["value"].strip()
        header = lines[: start + 1]
        story_skipped.insert(
            0, Skipped(PG_HEADER, "boilerplate", _words(header), _unwrapped(header))
        )
        lines = lines[start + 1 :]
    return "\n".join(lines), fields


def _unwrapped(lines: list[str]) -> str:
    """Hard-wrapped lines as paragraphs (blank lines between), each on one line."""
    paragraphs = re.split(r"\n[^\S\n]*\n\s*", "\n".join(lines))
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _words(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines)
