"""Import an EPUB (2 or 3): metadata from the OPF, chapters from the table of contents.

Steps: open the zip defensively (`epub_zip`), read `META-INF/container.xml` and the OPF
(`epub_opf`), read the nav document or NCX and choose the level of its entries that holds the
chapters (`epub_toc`), parse the spine's documents in reading order, cut them at those entries
(`epub_segments`) and drop front matter and pages without prose. Chapter titles come from the
table of contents (else the chapter's first heading) and are cleaned by `titles.clean_title`.

AO3 (calibre-made) and FanFicFare EPUBs carry a preface page; it is read like an AO3 HTML
download for rating, warnings, tags, summary and notes, and each chapter's AO3 notes are lifted
out of its text.
"""

from __future__ import annotations

from typing import Any

from bot.errors import ImportRefused
from bot.i18n import N_
from bot.stories.exporters.epub import GENERATOR
from bot.stories.importers.ao3 import Preface, is_ao3, read_end_notes, read_preface
from bot.stories.importers.ao3_chapters import pull_chapter_notes, split_names
from bot.stories.importers.epub_left_out import report_left_out
from bot.stories.importers.epub_opf import Package, read_package
from bot.stories.importers.epub_segments import Segment, SpineDoc, segment_spine
from bot.stories.importers.epub_toc import chapter_targets, read_toc
from bot.stories.importers.epub_zip import EpubArchive
from bot.stories.importers.fanficfare import is_title_page, read_title_page
from bot.stories.importers.markup import parse_xhtml_document, visible_text
from bot.stories.importers.sections import (
    MIN_PREAMBLE_WORDS,
    chapter_level,
    finish_chapters,
    make_chapter,
    split_at_headings,
)
from bot.stories.importers.titles import ao3_title, split_label
from bot.stories.model import Chapter, Story

_CONTENT_TYPES = frozenset(("application/xhtml+xml", "text/html", "application/xml", "text/xml"))
_CONTENT_SUFFIXES = (".xhtml", ".html", ".htm", ".xml")
_AO3_PARTS = frozenset(("preface", "afterword"))


def parse_epub(raw: bytes) -> Story:
    """Parse EPUB bytes into a `Story`, or raise `ImportRefused` saying what is wrong."""
    archive = EpubArchive(raw)
    package = read_package(archive)
    entries, landmarks = read_toc(archive, package)
    targets = chapter_targets(entries)
    docs = _load_spine(archive, package, {target.path for target in targets})
    spine_paths = {doc.path for doc in docs}
    targets = [target for target in targets if target.path in spine_paths]
    ao3_docs = [doc for doc in docs if is_ao3(doc.root)]
    skip = _skip_ao3_parts if ao3_docs else None
    left_out: list[Segment] = []
    segments = segment_spine(docs, targets, landmarks, skip=skip, dropped=left_out)
    preface_docs = _mark_ao3_parts(segments, ao3_docs, docs) if ao3_docs else []
    story_docs: list[SpineDoc] = []
    chapters = _chapters(
        segments,
        left_out,
        story_docs,
        ao3=bool(ao3_docs),
        split_headings=not targets,
        ours=package.generator == GENERATOR,
    )
    if not chapters:
        raise ImportRefused(
            N_("The EPUB has no readable chapters (only a cover, title page, contents or images)."),
            hint=N_("Check that the book opens in an e-reader and shows its text, then re-upload."),
        )
    if ao3_docs:
        wanted = {id(doc) for doc in preface_docs}
        preface = read_preface(doc.root for doc in docs if id(doc) in wanted)
    else:
        title_page = next((doc for doc in docs if is_title_page(doc.root)), None)
        preface = read_title_page(title_page.root) if title_page is not None else Preface()
        preface_docs = [title_page] if title_page is not None else []
    story = _story(package, preface, chapters, docs if ao3_docs else [])
    start = docs.index(story_docs[0]) if story_docs else 0
    report_left_out(story, left_out, preface_docs, docs if ao3_docs else [], docs[: start + 1])
    story.source_text = lambda: "\n".join(visible_text(doc.root) for doc in docs)
    return story


def _mark_ao3_parts(
    segments: list[Segment], ao3_docs: list[SpineDoc], docs: list[SpineDoc]
) -> list[SpineDoc]:
    """Mark AO3's preface and afterword as non-chapters; return the preface's files.

    calibre splits the preface: the tag list in one file, the title page (title, byline,
    summary, notes) in the next; every file before the first chapter belongs to it, even one
    that made no segment because all of it is the skipped `div#preface`.
    """
    preface_docs = list(ao3_docs)
    first_chapter = next(
        (s.docs[0] for s in segments if s.is_chapter and (s.label or "").lower() not in _AO3_PARTS),
        None,
    )
    for doc in docs:
        if doc is first_chapter:
            break
        preface_docs.append(doc)
    in_preface = True
    for segment in segments:
        label = (segment.label or "").strip().lower()
        if segment.is_chapter and not segment.front and label not in _AO3_PARTS:
            in_preface = False
        if label in _AO3_PARTS or in_preface:
            segment.front = True
        if label == "preface" or in_preface:
            preface_docs.extend(segment.docs)
    return preface_docs


def _load_spine(archive: EpubArchive, package: Package, targeted: set[str]) -> list[SpineDoc]:
    docs: list[SpineDoc] = []
    seen: set[str] = set()
    for item, linear in package.spine:
        if item.path in seen or not (linear or item.path in targeted):
            continue
        seen.add(item.path)
        if item.media_type not in _CONTENT_TYPES and not item.path.lower().endswith(
            _CONTENT_SUFFIXES
        ):
            continue  # an image or SVG page
        data = archive.read(item.path)
        root = parse_xhtml_document(data) if data else None
        if root is not None:
            docs.append(SpineDoc(item.path, root))
    return docs


def _chapters(
    segments: list[Segment],
    left_out: list[Segment],
    story_docs: list[SpineDoc],
    *,
    ao3: bool,
    split_headings: bool,
    ours: bool = False,
) -> list[Chapter]:
    """The chapters of the content segments; front matter and segments without prose go to
    `left_out`, the first file of each segment that made a chapter to `story_docs`."""
    content = [segment for segment in segments if not segment.front]
    left_out.extend(segment for segment in segments if segment.front)
    if split_headings and len(content) == 1:
        # One file and no table of contents: its headings are the only chapter marks.
        items = content[0].items
        story_docs.extend(content[0].docs[:1])
        chapters = finish_chapters(split_at_headings(items, chapter_level(items)))
        _place_left_out(segments, left_out, {id(content[0]): len(chapters)})
        return chapters
    chapters: list[Chapter] = []
    made: dict[int, int] = {}
    for segment in content:
        # AO3 and our own export label notes the same way: a "Notes:" line, then a quote.
        items, notes = pull_chapter_notes(segment.items)
        if ao3:
            label, title = None, ao3_title(segment.label)
        else:
            label, title = split_label(segment.label, verbatim=ours)
        chapter = make_chapter(len(chapters) + 1, title, items, label)
        if chapter.word_count < (1 if segment.is_chapter else MIN_PREAMBLE_WORDS):
            left_out.append(segment)
            continue
        chapter.summary = notes.get("summary")
        chapter.notes = notes.get("notes")
        chapter.end_notes = notes.get("end_notes")
        chapter.authors = split_names(notes["authors"]) if "authors" in notes else []
        chapter.structure += [notes["labels"]] if "labels" in notes else []
        chapters.append(chapter)
        made[id(segment)] = 1
        story_docs.extend(segment.docs[:1])
    _place_left_out(segments, left_out, made)
    return chapters


def _place_left_out(segments: list[Segment], left_out: list[Segment], made: dict[int, int]) -> None:
    """Note on each left-out segment how many chapters came before it (`made`: how many
    chapters each segment made, by `id`; a file dropped before segmenting `follows` some)."""
    before = [0]  # chapters made by the first k segments
    for segment in segments:
        before.append(before[-1] + made.get(id(segment), 0))
    for index, segment in enumerate(segments):
        if id(segment) not in made:
            segment.after_chapter = before[index]
    for segment in left_out:
        if segment.after_chapter is None:
            segment.after_chapter = before[min(segment.follows, len(segments))]


def _story(
    package: Package, preface: Preface, chapters: list[Chapter], ao3_docs: list[SpineDoc]
) -> Story:
    return Story(
        title=preface.title or package.title or "Untitled",
        authors=preface.authors or package.creators,
        summary=preface.summary or package.description,
        notes=preface.notes,
        end_notes=read_end_notes(doc.root for doc in ao3_docs) if ao3_docs else None,
        rating=preface.rating,
        warnings=preface.warnings,
        tags=preface.tags or package.subjects,
        language=package.language or preface.language,
        source_format="epub",
        chapters=chapters,
    )


def _skip_ao3_parts(el: Any) -> bool:
    """The AO3 preface and afterword are metadata, read separately, never chapter text."""
    return el.get("id") in _AO3_PARTS
