"""Metadata at the top of a Markdown file: YAML front matter, a pandoc title block, field lines.

    ---                        % The Bet                 # Title: The Bet
    title: The Bet             % Anton Chekhov           ## Author: Anton Chekhov
    author: [A, B]             % 1889                    ## Year: 1889
    ---

All three are metadata, never a chapter. Title, author(s), summary/description, tags and
language fill the story; other fields (year, date...) are reported as skipped metadata so their
words are still accounted for. Only simple `key: value` YAML is read (no dependency, no code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.stories.model import Skipped, Story

_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S
)
_PANDOC_LINE = re.compile(r"^%[ \t]?(?P<value>.*)$")
FIELD_LINE = re.compile(
    r"^(?P<key>title|author|authors|by|year|date|published|summary|description|tags|language"
    r"|rating|translator|source)\s*:\s*(?P<value>\S.*)$",
    re.I,
)
_LIST_ITEM = re.compile(r"^\s*-\s+(?P<value>.+)$")


@dataclass
class Metadata:
    """Fields read from a Markdown header, by lower-case key."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)  # the field names as written ("Title")

    def add(self, key: str, value: str) -> None:
        """Record one value (quotes and surrounding space removed)."""
        value = value.strip().strip("\"'").strip()
        self.keys.append(key)
        if value:
            self.fields.setdefault(key.lower(), []).append(value)

    def apply(self, story: Story) -> None:
        """Fill `story` from the fields; the rest become skipped metadata."""
        used = {"title", "author", "authors", "by", "summary", "description", "tags", "language"}
        story.structure += self.keys
        if self.fields.get("title"):
            story.title = self.fields["title"][0]
        names = [
            name
            for key in ("author", "authors", "by")
            for value in self.fields.get(key, [])
            for name in _names(value)
        ]
        if names:
            story.authors = names
        summary = self.fields.get("summary") or self.fields.get("description")
        if summary:
            story.summary = story.summary or summary[0]
        story.tags += [t for v in self.fields.get("tags", []) for t in _names(v)]
        if self.fields.get("language"):
            story.language = story.language or self.fields["language"][0]
        for key, values in self.fields.items():
            if key not in used:
                for value in values:
                    words = len(value.split()) + 1
                    line = f"{key.title()}: {value}"
                    story.skipped.append(Skipped(line, "metadata", words, line))


def split_front_matter(text: str) -> tuple[Metadata, str]:
    """Metadata from YAML front matter or a pandoc `%` block, and the text after it."""
    meta = Metadata()
    match = _FRONT_MATTER.match(text)
    if match:
        _read_yaml(match["body"], meta)
        return meta, text[match.end() :]
    lines = text.lstrip("\ufeff").split("\n")
    if lines and lines[0].startswith("%"):
        keys = ("title", "author", "date")
        count = 0
        while count < min(3, len(lines)) and _PANDOC_LINE.match(lines[count]):
            value = _PANDOC_LINE.match(lines[count])["value"]  # type: ignore[index]
            if keys[count] == "author":
                for name in value.split(";"):
                    meta.add("author", name)
            else:
                meta.add(keys[count], value)
            count += 1
        return meta, "\n".join(lines[count:])
    return meta, text


def _read_yaml(body: str, meta: Metadata) -> None:
    key: str | None = None
    for line in body.split("\n"):
        item = _LIST_ITEM.match(line)
        if item and key:
            meta.add(key, item["value"])
            continue
        name, sep, value = line.partition(":")
        if sep and name.strip() and not name.startswith((" ", "\t")):
            key = name.strip()
            value = value.strip()
            if value.startswith("[") and value.endswith("]"):
                for part in value[1:-1].split(","):
                    meta.add(key, part)
            elif value and value not in ("|", ">"):
                meta.add(key, value)


def _names(value: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|&|\band\b)\s*", value)
    return [part.strip() for part in parts if part.strip()]
