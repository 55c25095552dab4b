"""Cut a flow of blocks into chapters at its headings, and finish a chapter from its flow."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.stories.accounting import leftover_text
from bot.stories.importers.ao3_chapters import pull_chapter_notes, split_names
from bot.stories.importers.html_blocks import Anchor, Heading, Item, blocks_of
from bot.stories.importers.titles import split_label
from bot.stories.model import Block, Chapter, SceneBreak, plain_paragraph

# Text before the first chapter heading (or under a part heading) becomes a chapter of its own
# only when it is real prose, not just a title, a byline or an epigraph.
MIN_PREAMBLE_WORDS = 40


@dataclass
class Section:
    """A run of the flow that may become a chapter."""

    title: str | None = None
    items: list[Item] = field(default_factory=list)
    # False for text before the first chapter or under a part heading: kept only if substantial.
    is_chapter: bool = True


def chapter_level(items: list[Item]) -> int | None:
    """The heading level that marks chapters: the highest level that repeats.

    A single `h1` before every other heading is the story's title, not a chapter. With no
    repeating level the highest remaining one is used (a lone `h2` still names its chapter);
    None when no heading is left.
    """
    headings = [item for item in items if isinstance(item, Heading)]
    counts = Counter(heading.level for heading in headings)
    if counts.get(1) == 1 and headings[0].level == 1:
        del counts[1]
    repeating = [level for level, count in counts.items() if count >= 2]
    if repeating:
        return min(repeating)
    return min(counts) if counts else None


def split_at_headings(items: list[Item], level: int | None) -> list[Section]:
    """Sections starting at each heading of `level`; higher headings (parts) start preambles."""
    # Without chapter headings the whole flow is the one chapter.
    sections = [Section(is_chapter=level is None)]
    for item in items:
        if level is not None and isinstance(item, Heading) and item.level <= level:
            sections.append(Section(is_chapter=item.level == level))
        sections[-1].items.append(item)
    return sections


def finish_chapters(
    sections: list[Section], work_notes: dict[str, str] | None = None
) -> list[Chapter]:
    """Turn sections into numbered chapters, dropping those without real prose.

    Notes labelled the AO3 way ("Notes:" then a quote, as our own export writes them too) are
    lifted out: a preamble's (text before the first chapter) and "Work End Notes" go into
    `work_notes` when it is given, the rest onto their chapter.
    """
    chapters: list[Chapter] = []
    first_chapter = next((i for i, s in enumerate(sections) if s.is_chapter), len(sections))
    for index, section in enumerate(sections):
        items, notes = pull_chapter_notes(section.items)
        if work_notes is not None and "work_end_notes" in notes:
            work_notes["end_notes"] = notes.pop("work_end_notes")
        if work_notes is not None and index < first_chapter < len(sections):
            work_notes.update(notes)
            notes = {}
        chapter = make_chapter(len(chapters) + 1, section.title, items)
        chapter.summary = notes.get("summary")
        chapter.notes = notes.get("notes")
        chapter.end_notes = notes.get("end_notes")
        chapter.authors = split_names(notes["authors"]) if "authors" in notes else []
        chapter.structure += [notes["labels"]] if "labels" in notes else []
        words = chapter.word_count
        if words and (section.is_chapter or words >= MIN_PREAMBLE_WORDS):
            chapters.append(chapter)
    return chapters


def make_chapter(
    number: int, title: str | None, items: list[Item], label: str | None = None
) -> Chapter:
    """A chapter from its flow: leading headings give the label and title where not given.

    A label heading followed by a title heading ("STAVE ONE." then "MARLEY'S GHOST.") gives
    both, so the subtitle under a heading is kept as the chapter's title.
    """
    start = 0
    found: list[tuple[str, str | None, str | None]] = []
    while start < len(items) and isinstance(items[start], Heading | Anchor | SceneBreak):
        item = items[start]
        if isinstance(item, Heading):
            found.append((item.text, *split_label(item.text)))
        start += 1
    title = title or next((t for _, _, t in found if t), None)
    label = label or next((lab for _, lab, _ in found if lab), None)
    # A heading that is neither the label nor the title is a subtitle or stage direction
    # ("The Pequod, of Nantucket, Meets the Samuel Enderby"): it stays, as the first paragraph.
    subtitles: list[Block] = [
        plain_paragraph(text)
        for text, found_label, found_title in found
        if found_title and _key(found_title) != _key(title)
    ]
    blocks = tidy_breaks(subtitles + blocks_of(items[start:]))
    chapter = Chapter(number=number, title=title, label=label, blocks=blocks)
    # Numbering in a heading ("XIII", the "I." of "I. A SCANDAL IN BOHEMIA") is what `number`
    # already carries; it is read as structure.
    numbering = (leftover_text(text, (lab, found_title)) for text, lab, found_title in found)
    chapter.structure = [words for words in numbering if words]
    return chapter


def _key(text: str | None) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def tidy_breaks(blocks: list[Block]) -> list[Block]:
    """Drop scene breaks at either end of a chapter and merge runs of them into one."""
    tidy: list[Block] = []
    for block in blocks:
        if isinstance(block, SceneBreak) and (not tidy or isinstance(tidy[-1], SceneBreak)):
            continue
        tidy.append(block)
    while tidy and isinstance(tidy[-1], SceneBreak):
        tidy.pop()
    return tidy
