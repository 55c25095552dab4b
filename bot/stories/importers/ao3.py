"""Read the preface and afterword of an Archive of Our Own (AO3) download.

AO3's HTML download (and the EPUB calibre makes from it) opens with a preface:

    <div id="preface">
      <p class="message"><b>Title</b><br/>Posted originally on the Archive of Our Own...</p>
      <div class="meta">
        <dl class="tags"><dt>Rating:</dt><dd class="rating tags"><a>Mature</a></dd>...</dl>
        <h1>Title</h1>
        <div class="byline">by <a rel="author">author</a></div>
        <p>Summary</p><blockquote class="userstuff">...</blockquote>
        <p>Notes</p><blockquote class="userstuff">...</blockquote>
      </div>
    </div>

and closes with `<div id="afterword">` holding the work's "End Notes". Fields are found by their
`dd` class where present and otherwise by their `dt` label, because calibre renames classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.stories.accounting import leftover_text, metadata_texts
from bot.stories.importers.html_blocks import element_text, flow, plain_text
from bot.stories.importers.markup import classes, local_name
from bot.stories.model import Skipped, Story

_FIELD_CLASSES = ("rating", "warning", "category", "fandom", "relationship", "character")
_FIELD_LABELS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warning",
    "archive warnings": "warning",
    "warning": "warning",
    "warnings": "warning",
    "category": "category",
    "categories": "category",
    "fandom": "fandom",
    "fandoms": "fandom",
    "relationship": "relationship",
    "relationships": "relationship",
    "character": "character",
    "characters": "character",
    "additional tag": "freeform",
    "additional tags": "freeform",
    "freeform": "freeform",
    "freeforms": "freeform",
    "language": "language",
    "stats": "stats",
    "series": "series",
    "collections": "collections",
}
# Tags in the order AO3 shows them; all are kept exactly as written.
_TAG_FIELDS = ("fandom", "relationship", "character", "freeform")


@dataclass
class Preface:
    """What a fan-archive preface page says about the work."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    rating: str | None = None
    warnings: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    summary: str | None = None
    notes: str | None = None


def report_details(story: Story, texts: list[str]) -> None:
    """Report what the preface and afterword hold beyond the metadata read from them (field
    names, statistics, "Posted originally on the Archive of Our Own...") as skipped."""
    left = leftover_text("\n".join(texts), metadata_texts(story))
    if left:
        story.skipped.append(Skipped("work details", "download metadata", len(left.split()), left))


def tag_list(root: Any) -> Any | None:
    """The AO3 `<dl>` of tags under `root`, recognised by class or by its `dt` labels."""
    for dl in _iter_tag(root, "dl"):
        if "tags" in classes(dl):
            return dl
        labels = {_label_key(element_text(dt)) for dt in dl if local_name(dt) == "dt"}
        if len(labels & {"rating", "warning", "fandom", "category"}) >= 2:
            return dl
    return None


def is_ao3(root: Any) -> bool:
    """True when `root` holds an AO3 preface: its tag list, or its "Posted originally" message.

    A bare `div#preface` is not enough: ordinary books have prefaces too.
    """
    if tag_list(root) is not None:
        return True
    return any(
        "message" in classes(p) and "Archive of Our Own" in element_text(p)
        for p in _iter_tag(root, "p")
    )


def read_preface(roots: Iterable[Any]) -> Preface:
    """Collect the preface fields from `roots` (one HTML document, or several EPUB files)."""
    preface = Preface()
    for root in roots:
        dl = tag_list(root)
        if dl is not None and preface.rating is None and not preface.tags:
            _read_tags(dl, preface)
        if preface.title is None:
            preface.title = _title(root)
        if not preface.authors:
            preface.authors = _authors(root)
        quotes = labelled_quotes(root)
        preface.summary = preface.summary or quotes.get("summary")
        preface.notes = preface.notes or quotes.get("notes")
    return preface


def read_end_notes(roots: Iterable[Any]) -> str | None:
    """The work's end notes from the afterword ("End Notes" followed by a quote), if any."""
    for root in roots:
        notes = labelled_quotes(root).get("end notes")
        if notes:
            return notes
    return None


def labelled_quotes(container: Any) -> dict[str, str]:
    """Map AO3 labels ("summary", "notes", "chapter end notes"...) to the quote that follows.

    AO3 writes each as a `<p>` label followed by `<blockquote class="userstuff">`.
    """
    found: dict[str, str] = {}
    for label_el in _iter_tag(container, "p"):
        quote = label_el.getnext()
        if quote is None or local_name(quote) != "blockquote":
            continue
        label = element_text(label_el).rstrip(":").strip().lower()
        if label in _QUOTE_LABELS and label not in found:
            text = plain_text(flow(quote))
            if text:
                found[label] = text
    return found


_QUOTE_LABELS = frozenset(
    ("summary", "notes", "end notes", "chapter summary", "chapter notes", "chapter end notes")
)


def _read_tags(dl: Any, preface: Preface) -> None:
    values: dict[str, list[str]] = {}
    key = None
    for child in dl:
        tag = local_name(child)
        if tag == "dt":
            key = _label_key(element_text(child))
        elif tag == "dd":
            dd_key = _class_key(child) or key
            if dd_key:
                values.setdefault(dd_key, []).extend(_dd_values(child))
    if values.get("rating"):
        preface.rating = ", ".join(values["rating"])
    preface.warnings = values.get("warning", [])
    preface.tags = [tag for name in _TAG_FIELDS for tag in values.get(name, [])]
    if values.get("language"):
        preface.language = values["language"][0]


def _dd_values(dd: Any) -> list[str]:
    links = [element_text(a) for a in _iter_tag(dd, "a")]
    links = [text for text in links if text]
    if links:
        return links
    text = element_text(dd)
    return [text] if text else []


def _class_key(dd: Any) -> str | None:
    names = classes(dd)
    for name in _FIELD_CLASSES:
        if name in names:
            return name
    if "freeform" in names:
        return "freeform"
    return "language" if "language" in names else None


def _label_key(label: str) -> str | None:
    return _FIELD_LABELS.get(label.rstrip(":").strip().lower())


def _title(root: Any) -> str | None:
    for h1 in _iter_tag(root, "h1"):
        text = element_text(h1)
        if text:
            return text
    for message in _iter_tag(root, "p"):
        if "message" in classes(message):
            bold = next(_iter_tag(message, "b"), None)
            if bold is not None and element_text(bold):
                return element_text(bold)
    return None


def _authors(root: Any) -> list[str]:
    for el in root.iter("{*}div", "{*}p", "{*}span"):
        if any(name.startswith("byline") for name in classes(el)):
            links = [element_text(a) for a in _iter_tag(el, "a")]
            links = [text for text in links if text]
            if links:
                return links
            text = element_text(el)
            text = text[3:] if text.lower().startswith("by ") else text
            return [name.strip() for name in text.split(",") if name.strip()]
    return []


def _iter_tag(root: Any, name: str) -> Iterator[Any]:
    """Elements named `name` under `root`, with or without the XHTML namespace."""
    yield from root.iter("{*}" + name)
