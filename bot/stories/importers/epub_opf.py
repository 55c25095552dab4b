"""Read an EPUB's package document (OPF): metadata, manifest, spine and guide."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import lxml.etree
import lxml.html

from bot.errors import ImportRefused
from bot.i18n import N_
from bot.stories.importers.epub_zip import EpubArchive, resolve
from bot.stories.importers.html_blocks import flow, plain_text
from bot.stories.importers.markup import local_name

CONTAINER = "META-INF/container.xml"


@dataclass(frozen=True)
class Item:
    """A manifest entry: a file of the book."""

    id: str
    path: str
    media_type: str
    properties: frozenset[str] = frozenset()


@dataclass
class Package:
    """What the OPF says: metadata, files, reading order and (EPUB 2) guide references."""

    path: str
    title: str | None = None
    creators: list[str] = field(default_factory=list)
    language: str | None = None
    description: str | None = None
    subjects: list[str] = field(default_factory=list)
    manifest: dict[str, Item] = field(default_factory=dict)
    spine: list[tuple[Item, bool]] = field(default_factory=list)  # (item, linear)
    toc_id: str | None = None
    guide: list[tuple[str, str, str | None]] = field(default_factory=list)  # (type, path, frag)
    generator: str | None = None  # `<meta name="generator">`: which tool wrote the book


def read_package(archive: EpubArchive) -> Package:
    """Find the OPF through `META-INF/container.xml` and read it."""
    path = _opf_path(archive)
    root = archive.xml(path)
    if root is None or local_name(root) != "package":
        raise ImportRefused(
            N_("The EPUB's package file `{path}` is missing or unreadable."),
            hint=N_("The file is not a complete EPUB; export it again from its source."),
            params={"path": path},
        )
    package = Package(path=path)
    for child in root:
        name = local_name(child)
        if name == "metadata":
            _read_metadata(child, package)
        elif name == "manifest":
            _read_manifest(child, package)
        elif name == "guide":
            _read_guide(child, package)
    spine = next((child for child in root if local_name(child) == "spine"), None)
    if spine is not None:
        _read_spine(spine, package)
    return package


def _opf_path(archive: EpubArchive) -> str:
    container = archive.xml(CONTAINER)
    if container is not None:
        for rootfile in container.iter("{*}rootfile"):
            full_path = rootfile.get("full-path")
            media = rootfile.get("media-type") or "application/oebps-package+xml"
            if full_path and media == "application/oebps-package+xml" and archive.has(full_path):
                return full_path
    # Some tools forget the container; a single package file is unambiguous.
    candidates = [name for name in archive.names() if name.lower().endswith(".opf")]
    if len(candidates) == 1:
        return candidates[0]
    raise ImportRefused(
        N_(
            "The EPUB has no readable package file (META-INF/container.xml and the .opf it "
            "points to are missing or broken)."
        ),
        hint=N_("The file is not a complete EPUB; export it again from its source."),
    )


def _read_metadata(metadata: Any, package: Package) -> None:
    refines = _refinements(metadata)
    titles: list[tuple[str, str | None]] = []
    creators: list[tuple[str, str | None]] = []
    for el in metadata.iter():
        name = local_name(el)
        if name == "meta" and el.get("name") == "generator":
            package.generator = package.generator or (el.get("content") or "").strip() or None
        text = " ".join("".join(el.itertext()).split()) if name else ""
        if not text:
            continue
        ident = el.get("id")
        extra = refines.get(ident, {}) if ident else {}
        if name == "title":
            titles.append((text, extra.get("title-type")))
        elif name == "creator":
            role = extra.get("role") or _attr(el, "role")
            creators.append((text, role))
        elif name == "language" and package.language is None:
            package.language = text
        elif name == "description" and package.description is None:
            package.description = _description("".join(el.itertext()))
        elif name == "subject" and text not in package.subjects:
            package.subjects.append(text)
    main = [text for text, kind in titles if kind == "main"]
    package.title = (main or [text for text, _ in titles] or [None])[0]
    authors = [text for text, role in creators if role in (None, "aut")]
    package.creators = authors or [text for text, _ in creators]


def _refinements(metadata: Any) -> dict[str, dict[str, str]]:
    """EPUB 3 `<meta refines="#id" property="...">` values, by the id they refine."""
    found: dict[str, dict[str, str]] = {}
    for meta in metadata.iter("{*}meta"):
        target, prop = meta.get("refines"), meta.get("property")
        if target and prop and meta.text:
            found.setdefault(target.lstrip("#"), {})[prop] = meta.text.strip()
    return found


def _description(raw: str) -> str | None:
    """A description's text; calibre and AO3 store it as escaped HTML."""
    if "<" not in raw:
        return " ".join(raw.split()) or None
    try:
        fragment = lxml.html.fragment_fromstring(raw, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return " ".join(raw.split()) or None
    return plain_text(flow(fragment)) or None


def _read_manifest(manifest: Any, package: Package) -> None:
    for el in manifest:
        if local_name(el) != "item":
            continue
        ident, href = el.get("id"), el.get("href")
        if not ident or not href:
            continue
        path, _ = resolve(package.path, href)
        properties = frozenset((el.get("properties") or "").split())
        package.manifest[ident] = Item(ident, path, el.get("media-type") or "", properties)


def _read_spine(spine: Any, package: Package) -> None:
    package.toc_id = spine.get("toc")
    for ref in spine:
        if local_name(ref) != "itemref":
            continue
        item = package.manifest.get(ref.get("idref") or "")
        if item is not None:
            package.spine.append((item, ref.get("linear", "yes").strip().lower() != "no"))


def _read_guide(guide: Any, package: Package) -> None:
    for ref in guide:
        if local_name(ref) == "reference" and ref.get("href"):
            path, fragment = resolve(package.path, ref.get("href"))
            package.guide.append(((ref.get("type") or "").lower(), path, fragment))


def _attr(el: Any, name: str) -> str | None:
    """An attribute in any namespace (EPUB 2 writes `opf:role`)."""
    for key, value in el.attrib.items():
        if key.rpartition("}")[2] == name:
            return value
    return None
