"""Read the title page FanFicFare puts in its EPUBs.

FanFicFare writes `<body class="fff_titlepage"><h3><a>Title</a> by <a>Author</a></h3>` followed
by `<b>Label:</b> value<br/>` lines (or a table of label and value cells). The labels that
matter here are AO3's: rating, warnings, fandoms, relationships, characters, tags, language
and summary.
"""

from __future__ import annotations

import re
from typing import Any

from bot.stories.importers.ao3 import Preface
from bot.stories.importers.html_blocks import Paragraph, element_text, flow
from bot.stories.importers.markup import classes, names

_FIELDS = {
    "rating": "rating",
    "warnings": "warning",
    "warning": "warning",
    "archive warnings": "warning",
    "category": "tag",
    "fandom": "tag",
    "fandoms": "tag",
    "relationships": "tag",
    "pairings": "tag",
    "ships": "tag",
    "characters": "tag",
    "freeform tags": "tag",
    "additional tags": "tag",
    "extra tags": "tag",
    "language": "language",
    "summary": "summary",
}
# FanFicFare's other labels: they end the summary (or value) before them.
_OTHER_LABELS = names(
    "status published updated packaged chapters words publisher author title site genre "
    "series comments kudos hits bookmarks source"
) | {"story url", "story id", "author id"}
_LINE = re.compile(r"^([A-Za-z][A-Za-z ]{1,30}):\s*(.*)$")


def is_title_page(root: Any) -> bool:
    """True for a FanFicFare title page (its body class, or a title heading plus labels)."""
    body = next(root.iter("{*}body"), root)
    if "fff_titlepage" in classes(body):
        return True
    labels = {element_text(b).rstrip(":").lower() for b in root.iter("{*}b")}
    return next(root.iter("{*}h3"), None) is not None and len(labels & _FIELDS.keys()) >= 3


def read_title_page(root: Any) -> Preface:
    """The work's fields as the title page lists them."""
    preface = Preface()
    heading = next(root.iter("{*}h3"), None)
    if heading is not None:
        _read_heading(heading, preface)
    summary: list[str] = []
    key: str | None = None  # the field whose value may continue on the next line
    for line in _lines(root, skip=heading):
        match = _LINE.match(line)
        label = match.group(1).strip().lower() if match else ""
        if match and (label in _FIELDS or label in _OTHER_LABELS):
            key = _FIELDS.get(label)
            value = match.group(2).strip()
            _store(preface, key, value, summary)
            if value and key != "summary":
                key = None
        elif key:
            # A value on the line after its label (table layout), or more of a long summary.
            _store(preface, key, line, summary)
            if key != "summary":
                key = None
    preface.summary = "\n\n".join(summary) or None
    return preface


def _read_heading(heading: Any, preface: Preface) -> None:
    links = [element_text(a) for a in heading.iter("{*}a")]
    links = [text for text in links if text]
    if len(links) >= 2:
        preface.title, preface.authors = links[0], links[1:]
        return
    title, _, author = element_text(heading).rpartition(" by ")
    preface.title = title or element_text(heading) or None
    preface.authors = [author] if title and author else []


def _lines(root: Any, *, skip: Any) -> list[str]:
    body = next(root.iter("{*}body"), root)
    lines: list[str] = []
    for item in flow(body, skip=lambda el: el is skip):
        if isinstance(item, Paragraph):
            lines.extend(line.strip() for line in item.text.split("\n") if line.strip())
    return lines


def _store(preface: Preface, key: str | None, value: str, summary: list[str]) -> None:
    if not value or key is None:
        return
    if key == "summary":
        summary.append(value)
    elif key == "rating":
        preface.rating = preface.rating or value
    elif key == "language":
        preface.language = preface.language or value
    else:
        target = preface.warnings if key == "warning" else preface.tags
        for part in value.split(","):
            if part.strip() and part.strip() not in target:
                target.append(part.strip())
