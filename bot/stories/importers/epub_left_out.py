"""Report the parts of an EPUB that became no chapter, so none of its words vanish silently.

Front and back matter (cover, title page, imprint, colophon, copyright...) and pages too short
to be a chapter become `Skipped` entries with their text. Pages the importer read for the
story's metadata (AO3's preface and afterword, FanFicFare's title page) report only the words
that metadata did not keep: field names, statistics, AO3's "Posted originally on..." line.
"""

from __future__ import annotations

from typing import Any

from bot.stories.accounting import count_words, leftover_text, metadata_texts
from bot.stories.importers.epub_segments import Segment, SpineDoc
from bot.stories.importers.html_blocks import Heading, plain_text
from bot.stories.importers.markup import visible_text
from bot.stories.model import Skipped, Story

FRONT_REASON = "front or back matter"
SHORT_REASON = "too short for a chapter"
DETAILS_REASON = "download metadata"
_AO3_PARTS = ("preface", "afterword")


def report_left_out(
    story: Story,
    left_out: list[Segment],
    preface_docs: list[SpineDoc],
    ao3_docs: list[SpineDoc],
    opening: list[SpineDoc],
) -> None:
    """Add a `Skipped` entry to `story` for each left-out segment with words; those in the
    `opening` files (up to the first chapter's) came before the story."""
    before = {id(doc) for doc in opening}
    read_for_metadata = {id(doc) for doc in preface_docs}
    framing: list[str] = [visible_text(el) for el in _ao3_parts(ao3_docs)]
    for segment in left_out:
        text = _segment_text(segment)
        if not count_words(text):
            continue
        if ao3_docs or all(id(doc) in read_for_metadata for doc in segment.docs):
            framing.append(text)
            continue
        reason = FRONT_REASON if segment.front else SHORT_REASON
        front = bool(segment.docs) and id(segment.docs[0]) in before
        words = len(text.split())
        title = _title(segment, reason)
        story.skipped.append(Skipped(title, reason, words, text, front, segment.after_chapter))
    left = leftover_text("\n".join(framing), metadata_texts(story))
    if left:
        title = "work details" if ao3_docs else "title page"
        story.skipped.append(Skipped(title, DETAILS_REASON, len(left.split()), left))


def _ao3_parts(docs: list[SpineDoc]) -> list[Any]:
    """AO3's `div#preface` and `div#afterword`: left out of every segment's flow."""
    return [el for doc in docs for el in doc.root.iter("{*}div") if el.get("id") in _AO3_PARTS]


def _segment_text(segment: Segment) -> str:
    return plain_text(segment.items)


def _title(segment: Segment, reason: str) -> str:
    if segment.label:
        return segment.label
    heading = next((item.text for item in segment.items if isinstance(item, Heading)), None)
    if heading:
        return heading
    return segment.docs[0].path.rsplit("/", 1)[-1] if segment.docs else reason
