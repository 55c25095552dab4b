"""Lossless accounting: every word the importer read is posted, kept, or reported as skipped.

The source's words are counted from the text the importer read (a text file's decoded text;
the visible text of an HTML page's or an EPUB's body documents, see `visible_text`). Each is
then looked for, as a multiset, among what the import keeps: the story's metadata (title,
authors, summary, notes, rating, warnings, tags), every chapter's label, title, credits, notes
and body, and the text of every skipped part. A word found nowhere is *unaccounted*: the import
lost it silently, and the upload reply says so.

A word is a whitespace-separated token with at least one letter or digit ("* * *" and "—" are
not words); two tokens match when their letters and digits agree, case aside, so "Rabbit-Hole."
in the source matches the title "Rabbit-Hole".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.stories.model import Story

_TOKEN = re.compile(r"\S+")
_NOT_ALNUM = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class WordAccount:
    """How many words the source holds, and how many of them the import accounts for."""

    source_words: int
    imported_words: int

    @property
    def unaccounted(self) -> int:
        """Source words found nowhere in the import: neither posted, kept nor skipped."""
        return self.source_words - self.imported_words


def word_keys(text: str | None) -> list[str]:
    """The comparison key of each word of `text`: its letters and digits, case-folded."""
    if not text:
        return []
    keys = []
    for token in text.casefold().split():
        # Most words are letters only: skip the regex for them (a whole novel is 200k words).
        key = token if token.isalnum() else _NOT_ALNUM.sub("", token)
        if key:
            keys.append(key)
    return keys


def count_words(text: str | None) -> int:
    """Words in `text` (tokens with a letter or digit)."""
    return sum(1 for _ in word_keys(text))


def leftover_text(text: str, kept: Iterable[str | None]) -> str:
    """The words of `text`, in order, that none of the `kept` texts holds (as a multiset).

    For a part the importer read for its metadata (AO3's preface): what it did not keep is
    what the upload must report as skipped.
    """
    available: Counter[str] = Counter()
    for part in kept:
        available.update(word_keys(part))
    left: list[str] = []
    for token in _TOKEN.findall(text):
        key = _NOT_ALNUM.sub("", token.casefold())
        if not key:
            continue
        if available[key] > 0:
            available[key] -= 1
        else:
            left.append(token)
    return " ".join(left)


def metadata_texts(story: Story) -> Iterator[str | None]:
    """The story-level metadata an importer reads from a preface or title page."""
    yield story.title
    yield from story.authors
    yield story.summary
    yield story.notes
    yield story.end_notes
    yield story.rating
    yield from story.warnings
    yield from story.tags
    yield story.language


def account(story: Story) -> WordAccount | None:
    """The story's word account, or None when the importer recorded no source text."""
    if story.source_text is None:
        return None
    source = Counter(word_keys(story.source_text()))  # one pass over the whole text
    kept: Counter[str] = Counter()
    for text in imported_texts(story):
        kept.update(word_keys(text))
    missing = sum((source - kept).values())
    total = sum(source.values())
    return WordAccount(source_words=total, imported_words=total - missing)


def imported_texts(story: Story) -> Iterable[str | None]:
    """Every text the import keeps: metadata, chapters (headings, credits, notes, body), skipped."""
    yield from metadata_texts(story)
    yield from story.structure
    for chapter in story.chapters:
        yield chapter.label
        yield chapter.title
        yield from chapter.authors
        yield chapter.summary
        yield chapter.notes
        yield chapter.end_notes
        yield chapter.text
        yield from chapter.structure
    for part in story.skipped:
        yield part.text
