"""`chapterbot preview FILE --summary`: one line per chapter, the skipped parts, and totals.

No page text, so a whole book fits on a screen (Moby-Dick in under 200 lines). Each chapter line
shows its position, heading (the source's label and title, as posted), pages, `chars` (equal to
`--json`'s) and words.
"""

from __future__ import annotations

from typing import TextIO

from bot.stories.accounting import WordAccount, account
from bot.stories.model import Story
from bot.stories.render import RenderedChapter, heading_text

_HEADING_WIDTH = 48


def write_summary(
    out: TextIO, story: Story, rendered: list[RenderedChapter], pages: list[list[str]]
) -> None:
    """Write the summary view of an imported, rendered and paginated story to `out`."""
    authors = ", ".join(story.authors) or "unknown author"
    out.write(f"{story.title} — {authors}\n")
    for chapter, done, chapter_pages in zip(story.chapters, rendered, pages, strict=True):
        heading = heading_text(chapter, story.title if len(story.chapters) == 1 else None)
        if len(heading) > _HEADING_WIDTH:
            heading = heading[: _HEADING_WIDTH - 1] + "…"
        out.write(
            f"{chapter.number:>4}  {heading:<{_HEADING_WIDTH}}  {len(chapter_pages):>3} pages"
            f"  {done.chars:>8,} chars  {chapter.word_count:>7,} words\n"
        )
    for part in story.skipped:
        out.write(f"  skipped: {part.title} ({part.reason}, {part.words:,} words)\n")
    skipped_words = sum(part.words for part in story.skipped)
    total_pages = sum(len(chapter_pages) for chapter_pages in pages)
    out.write(
        f"total: {len(story.chapters)} chapters, {total_pages:,} pages, "
        f"{sum(d.chars for d in rendered):,} chars, {story.word_count:,} words; "
        f"skipped {len(story.skipped)} parts ({skipped_words:,} words)\n"
    )
    words = account(story)
    if words is not None:
        out.write(f"{accounting_line(words)}\n")


def accounting_line(words: WordAccount) -> str:
    """The source's words and whether the import accounts for all of them."""
    line = f"source: {words.source_words:,} words, {words.imported_words:,} accounted for"
    if words.unaccounted > 0:
        return f"{line}; WARNING: {words.unaccounted:,} words unaccounted for"
    return f"{line} (none lost)"
