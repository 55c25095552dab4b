"""Cut the spine's documents into segments at the chosen table-of-contents targets.

A segment runs from one target (a whole file, or an anchor inside a file) to the next, across
files if needed: a file the table does not list continues the segment before it, unless it is
front matter (skipped) or opens with a heading (a section of its own). Each segment notes
whether it is front or back matter that must not become a chapter, judged by `epub:type`
(on the target element, its ancestors, or a file's opening elements), by landmarks or guide
references, by file name and by table-of-contents label.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from bot.stories.importers.epub_toc import Landmark, Target
from bot.stories.importers.html_blocks import Anchor, Heading, Item, flow
from bot.stories.importers.markup import epub_types, local_name, names

FRONT_TYPES = names(
    "cover titlepage title-page halftitlepage toc copyright-page copyright colophon imprint "
    "landmarks loi lot page-list seriespage dedication"
)
_FRONT_NAME = re.compile(
    r"^(?:cover|front-?cover|title|titlepage|half-?title|toc|contents|nav|copyright|colophon"
    r"|imprint|landmarks|jacket|dedication|log)(?:[-_ .]?(?:page|short|\d+))*$",
    re.I,
)
_FRONT_LABEL = re.compile(
    r"^(?:cover(?: page| image)?|title ?page|half[- ]title(?: page)?|(?:table of )?contents"
    r"|toc|copyright(?: page| notice)?|colophon|imprint|landmarks|dedication|update log"
    r"|list of illustrations|also by\b.*|about the publisher)$",
    re.I,
)


@dataclass
class SpineDoc:
    """A parsed content document in reading order."""

    path: str
    root: Any

    @property
    def body(self) -> Any:
        """The document's `<body>` (or its root when it has none)."""
        return next(self.root.iter("{*}body"), self.root)


@dataclass
class Segment:
    """A stretch of the book that may become a chapter."""

    label: str | None = None
    is_chapter: bool = True  # a table-of-contents chapter, not a part's text or unlisted file
    front: bool = False  # cover, title page, contents, copyright...: never a chapter
    items: list[Item] = field(default_factory=list)
    docs: list[SpineDoc] = field(default_factory=list)
    after_chapter: int | None = None  # left out: how many chapters came before it
    follows: int = 0  # a file dropped before segmenting: how many segments came before it


def is_front_label(label: str | None) -> bool:
    """True for table-of-contents labels of front matter ("Title Page", "Contents"...)."""
    return bool(label) and bool(_FRONT_LABEL.match(label.strip(" .:")))


def segment_spine(
    docs: list[SpineDoc],
    targets: list[Target],
    landmarks: list[Landmark],
    *,
    skip: Any = None,
    dropped: list[Segment] | None = None,
) -> list[Segment]:
    """The segments of `docs`; with no targets, each file is a segment of its own.

    Unlisted front-matter files that make no segment are added to `dropped`, so their words
    can still be reported as skipped.
    """
    by_doc: dict[str, list[Target]] = {}
    seen: set[tuple[str, str | None]] = set()
    for target in targets:
        if (target.path, target.fragment) not in seen:
            seen.add((target.path, target.fragment))
            by_doc.setdefault(target.path, []).append(target)
    front_paths = {
        path for kind, path, fragment in landmarks if kind in FRONT_TYPES and not fragment
    }
    segments: list[Segment] = []
    for doc in docs:
        before = len(segments)
        _segment_doc(doc, by_doc.get(doc.path, []), segments, front_paths, skip, not targets)
        joined = len(segments) > before or (segments and doc in segments[-1].docs)
        if not joined and dropped is not None:
            items = flow(doc.body, skip=skip)
            dropped.append(Segment(front=True, docs=[doc], items=items, follows=len(segments)))
    return segments


def _segment_doc(
    doc: SpineDoc,
    targets: list[Target],
    segments: list[Segment],
    front_paths: set[str],
    skip: Any,
    one_per_file: bool,
) -> None:
    ids = _ids(doc.root) if any(t.fragment for t in targets) else {}
    anchored = {t.fragment: t for t in targets if t.fragment and t.fragment in ids}
    start = next((t for t in targets if t.fragment not in anchored), None)
    items = flow(doc.body, anchors=anchored.keys(), skip=skip)
    doc_front = doc.path in front_paths or _is_front_file(doc)
    if start is not None:
        segments.append(_new(start, doc, front=doc_front))
    elif not items or (doc_front and not targets):
        return  # an empty file, or an unlisted cover, title page, copyright page...
    elif doc_front or one_per_file or not segments or _opens_with_section_heading(doc, items):
        # Front matter ahead of the file's first anchor, or a section of its own.
        segments.append(Segment(is_chapter=one_per_file, front=doc_front, docs=[doc]))
    else:
        segments[-1].docs.append(doc)  # an unlisted file continues the segment before it
    for item in items:
        if isinstance(item, Anchor):
            element = ids[item.id]
            front = bool(_types_up(element) & FRONT_TYPES)
            segments.append(_new(anchored[item.id], doc, front=front))
        segments[-1].items.append(item)


def _new(target: Target, doc: SpineDoc, *, front: bool) -> Segment:
    return Segment(
        label=target.label,
        is_chapter=target.is_chapter,
        front=front or is_front_label(target.label),
        docs=[doc],
    )


def _is_front_file(doc: SpineDoc) -> bool:
    stem = posixpath.splitext(posixpath.basename(doc.path))[0]
    return bool(_FRONT_NAME.match(stem)) or bool(_leading_types(doc.body) & FRONT_TYPES)


def _leading_types(body: Any) -> set[str]:
    """`epub:type`s of the body and of the elements a file opens with (body > section > ...)."""
    types = epub_types(body)
    el = body
    for _ in range(8):
        children = [child for child in el if isinstance(child.tag, str)]
        if not children or (el.text or "").strip():
            break
        el = children[0]
        types |= epub_types(el)
    return types


def _types_up(el: Any) -> set[str]:
    """`epub:type`s of an element and its ancestors."""
    types = epub_types(el)
    for ancestor in el.iterancestors():
        types |= epub_types(ancestor)
    return types


def _ids(root: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for el in root.iter():
        if isinstance(el.tag, str):
            ident = el.get("id") or el.get("name")
            if ident and ident not in found:
                found[ident] = el
    return found


def _opens_with_section_heading(doc: SpineDoc, items: list[Item]) -> bool:
    """True when an unlisted file opens with a heading that is not an image's caption.

    ebookmaker puts an illustration and its `<h4>` caption at the top of a file that continues
    a chapter; that caption must not start a chapter of its own.
    """
    first = next((item for item in items if not isinstance(item, Anchor)), None)
    return isinstance(first, Heading) and not _opens_with_image(doc.body)


def _opens_with_image(body: Any) -> bool:
    children = [child for child in body if isinstance(child.tag, str)]
    if not children:
        return False
    first = children[0]
    return any(local_name(el) in ("img", "image", "svg", "figure") for el in first.iter("{*}*"))
