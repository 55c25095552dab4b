"""Read an EPUB's table of contents (EPUB 3 nav or EPUB 2 NCX) and pick the chapter entries.

Chapters are the table's entries at the level that holds the story's sections. Starting from the
top level, the reader goes down a level when:

* the level has a single entry wrapping everything ("SECTION IV" around all the tales), or
* its entries hold more children than there are entries *and* those children look like
  chapters: they live in files of their own, or the parents are labelled Part/Book/Volume, or the
  children are labelled Chapter. Otherwise children are taken as scenes of their chapter.

Entries without a link (an author's name grouping tales) are always opened. A part that is
opened stays as a non-chapter target: its own text (before its first chapter) is kept only if
it is real prose. The page list and landmarks are never chapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.stories.importers.epub_opf import Package
from bot.stories.importers.epub_zip import EpubArchive, resolve
from bot.stories.importers.html_blocks import element_text
from bot.stories.importers.markup import epub_types, local_name, parse_xhtml_document

_PART_LABEL = re.compile(r"^(?:part|book|volume|vol\.|act|section)\b", re.I)
_CHAPTER_LABEL = re.compile(r"^(?:chapter|chap\.|ch\.)\s", re.I)
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)

Landmark = tuple[str, str, str | None]  # (type, path, fragment)


@dataclass
class TocEntry:
    """An entry of the table of contents."""

    label: str
    path: str | None
    fragment: str | None
    children: list[TocEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """Where a chapter (or a part's own text) starts."""

    label: str
    path: str
    fragment: str | None
    is_chapter: bool = True


@dataclass
class _Node:
    entry: TocEntry
    is_chapter: bool = True


def read_toc(archive: EpubArchive, package: Package) -> tuple[list[TocEntry], list[Landmark]]:
    """The table of contents and the landmarks (nav landmarks plus the EPUB 2 guide)."""
    landmarks: list[Landmark] = list(package.guide)
    nav = next((i for i in package.manifest.values() if "nav" in i.properties), None)
    entries: list[TocEntry] = []
    if nav is not None:
        data = archive.read(nav.path)
        root = parse_xhtml_document(data) if data else None
        if root is not None:
            entries = _nav_entries(root, nav.path, "toc")
            landmarks += _landmarks(root, nav.path)
    if not entries:
        entries = _ncx_entries(archive, package)
    return entries, landmarks


def chapter_targets(entries: list[TocEntry]) -> list[Target]:
    """The chapter targets, in table order, at the level chosen as described above."""
    nodes = _ungroup([_Node(entry) for entry in entries])
    while _should_descend(nodes):
        nodes = _descend(nodes)
    return [
        Target(node.entry.label, node.entry.path, node.entry.fragment, node.is_chapter)
        for node in nodes
        if node.entry.path
    ]


def _should_descend(nodes: list[_Node]) -> bool:
    chapters = [node for node in nodes if node.is_chapter]
    parents = [node.entry for node in chapters if node.entry.children]
    if not parents:
        return False
    if len(chapters) == 1:
        return True
    if sum(len(parent.children) for parent in parents) <= len(chapters):
        return False
    return _children_in_own_files(parents) or _looks_like_parts(parents)


def _descend(nodes: list[_Node]) -> list[_Node]:
    opened: list[_Node] = []
    for node in nodes:
        if node.is_chapter and node.entry.children:
            opened.append(_Node(node.entry, is_chapter=False))
            opened.extend(_ungroup([_Node(child) for child in node.entry.children]))
        else:
            opened.append(node)
    return opened


def _ungroup(nodes: list[_Node]) -> list[_Node]:
    """Replace link-less grouping entries by their children."""
    flat: list[_Node] = []
    for node in nodes:
        if node.entry.path:
            flat.append(node)
        else:
            flat.extend(_ungroup([_Node(child) for child in node.entry.children]))
    return flat


def _children_in_own_files(parents: list[TocEntry]) -> bool:
    children = [(parent, child) for parent in parents for child in parent.children]
    elsewhere = sum(1 for parent, child in children if child.path != parent.path)
    return elsewhere * 2 > len(children)


def _looks_like_parts(parents: list[TocEntry]) -> bool:
    parts = sum(1 for parent in parents if _PART_LABEL.match(parent.label))
    children = [child for parent in parents for child in parent.children]
    chapters = sum(1 for child in children if _CHAPTER_LABEL.match(child.label))
    return parts * 2 > len(parents) or chapters * 2 > len(children)


def _nav_entries(root: Any, base: str, kind: str) -> list[TocEntry]:
    navs = list(root.iter("{*}nav"))
    nav = next((n for n in navs if kind in epub_types(n)), None)
    if nav is None and kind == "toc":
        nav = next((n for n in navs if n.get("id") == "toc"), navs[0] if navs else None)
    if nav is None:
        return []
    top = next((el for el in nav.iter() if local_name(el) in ("ol", "ul")), None)
    return _list_entries(top, base) if top is not None else []


def _list_entries(listing: Any, base: str) -> list[TocEntry]:
    entries: list[TocEntry] = []
    for li in listing:
        if local_name(li) != "li":
            continue
        label_el = sub = None
        for child in li:
            name = local_name(child)
            if name in ("ol", "ul") and sub is None:
                sub = child
            elif name in ("a", "span") and label_el is None:
                label_el = child
        href = label_el.get("href") if label_el is not None and local_name(label_el) == "a" else ""
        path, fragment = _target(base, href)
        label = element_text(label_el) if label_el is not None else ""
        children = _list_entries(sub, base) if sub is not None else []
        entries.append(TocEntry(label, path, fragment, children))
    return entries


def _landmarks(root: Any, base: str) -> list[Landmark]:
    found: list[Landmark] = []
    for nav in root.iter("{*}nav"):
        if "landmarks" in epub_types(nav):
            for link in nav.iter("{*}a"):
                path, fragment = _target(base, link.get("href") or "")
                for kind in epub_types(link):
                    if path:
                        found.append((kind, path, fragment))
    return found


def _ncx_entries(archive: EpubArchive, package: Package) -> list[TocEntry]:
    item = package.manifest.get(package.toc_id or "")
    if item is None:
        item = next(
            (i for i in package.manifest.values() if i.media_type == "application/x-dtbncx+xml"),
            None,
        )
    root = archive.xml(item.path) if item is not None else None
    if root is None:
        return []
    nav_map = next(root.iter("{*}navMap"), None)
    return _nav_points(nav_map, item.path) if nav_map is not None else []


def _nav_points(parent: Any, base: str) -> list[TocEntry]:
    entries: list[TocEntry] = []
    for point in parent:
        if local_name(point) != "navpoint":
            continue
        label_el = next(point.iter("{*}text"), None)
        content = next((c for c in point if local_name(c) == "content"), None)
        src = content.get("src") if content is not None else None
        path, fragment = _target(base, src or "")
        label = " ".join("".join(label_el.itertext()).split()) if label_el is not None else ""
        entries.append(TocEntry(label, path, fragment, _nav_points(point, base)))
    return entries


def _target(base: str, href: str) -> tuple[str | None, str | None]:
    if not href or _EXTERNAL.match(href):
        return None, None
    return resolve(base, href)
