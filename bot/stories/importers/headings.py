"""Chapter structure: recognise chapter headings and sort a stream of blocks into chapters.

Heading recognition is strict on purpose - a line of prose must never start a chapter - so a
pattern has to match the *whole* line. Chapter headings are `Chapter 3`, `Chapter Three: The Fall`,
`CHAPTER III`, `Ch. 3 - Title`, `Chapter 3. Title`, `Part 2`, `Book One`, `Prologue`,
`Epilogue`, `Interlude` (any case, optionally decorated: `~ Chapter 3 ~`, `**Chapter 3**`). A
heading's title is the line as written, decoration removed and whitespace collapsed.

`assemble` is shared by the plain-text and Markdown importers; its docstring holds the rules for
preambles, notes and titles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeGuard

from bot.stories.accounting import leftover_text
from bot.stories.importers.text_blocks import (
    META_KINDS,
    NOTE_KINDS,
    Label,
    looks_like_title,
    match_label,
    parse_authors,
)
from bot.stories.importers.titles import split_label
from bot.stories.model import Block, BlockQuote, Chapter, Paragraph, SceneBreak, Story

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_WORD_NUMBER = rf"(?:(?:{_TENS})(?:[-\s](?:{_UNITS}))?|{_TEENS}|{_UNITS}|hundred)"
# A non-empty, well-formed Roman numeral (the lookahead stops the all-optional pattern matching "").
_ROMAN = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_NUMBER = rf"(?:\d{{1,4}}|{_WORD_NUMBER}|{_ROMAN})(?![\w])"
_CHAPTER_WORD = r"(?:chapter|chap\.|ch\.|ch)"
_PART_WORD = r"(?:part|book|volume|vol\.|act)"
_NUMBERED = re.compile(
    rf"(?P<kw>{_CHAPTER_WORD}|{_PART_WORD})\s*(?P<num>{_NUMBER})"
    r"(?:\s*(?P<sep>[:.\-–—)]+)\s*(?P<sub>.*)|\s+(?P<loose>\S.*))?",
    re.IGNORECASE,
)
_NAMED = re.compile(
    r"(?P<kw>prologue|epilogue|interlude|afterword)(?:\s*[:.\-–—]+\s*(?P<sub>.*))?",
    re.IGNORECASE,
)
_DECORATION = "*_~=#[]<>|•·"
_MAX_HEADING = 120


@dataclass(frozen=True)
class Heading:
    """A chapter heading as written; `bare` when it carries no subtitle ("Chapter 3")."""

    title: str
    bare: bool = True
    is_part: bool = False


def match_heading(line: str) -> Heading | None:
    """The chapter heading on `line`, or None when the line is not a heading."""
    core = " ".join(line.strip().strip(_DECORATION).split())
    if not core or len(core) > _MAX_HEADING:
        return None
    named = _NAMED.fullmatch(core)
    if named:
        return Heading(core.rstrip(".:-–— "), bare=not named.group("sub"))
    numbered = _NUMBERED.fullmatch(core)
    if numbered is None:
        return None
    loose = numbered.group("loose")
    # "Part 2 of the plan..." is prose; a space-separated subtitle must start like a title does.
    if loose is not None and (loose[0].islower() or loose[-1] in ".,;"):
        return None
    subtitle = numbered.group("sub") or loose
    is_part = re.fullmatch(_PART_WORD, numbered.group("kw"), re.IGNORECASE) is not None
    title = core if subtitle else core.rstrip(".:-–—) ")
    return Heading(title, bare=not subtitle, is_part=is_part)


@dataclass(frozen=True)
class TextItem:
    """A body block with its plain-text lines (used to spot labels and to store notes)."""

    block: Paragraph | BlockQuote
    lines: tuple[str, ...]


Item = Heading | TextItem | SceneBreak


@dataclass
class _Draft:
    """A chapter being assembled; notes are kept as lines so a title line can still be taken."""

    heading: Heading | None
    title: str | None
    part: str | None = None  # an empty "Part One" heading folded into this chapter
    summary: list[str] = field(default_factory=list)
    notes: list[list[str]] = field(default_factory=list)
    end_notes: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when nothing but the heading was found."""
        return not (self.blocks or self.notes or self.summary or self.end_notes)


def assemble(story: Story, items: Sequence[Item]) -> None:
    """Fill `story`'s metadata and chapters from a stream of headings, blocks and scene breaks.

    Rules (shared by the plain-text and Markdown importers):

    * Each heading starts a chapter. Text before the first heading (the preamble) is story
      metadata: labelled lines fill summary/notes/rating/tags/warnings/language/authors; unlabelled
      text of at most 3 paragraphs and 150 words becomes the summary (the story notes if there is
      a `Summary:` already), longer text an untitled first chapter. With no headings at all, the
      whole text is one chapter whose leading labels are read as story metadata too.
    * Labelled paragraphs (`A/N:`, `Disclaimer:`, `Notes:`, `Chapter Notes:`...) before a
      chapter's first body paragraph are its notes, after it its end notes. `End Notes:` always
      goes to end notes; `Summary:` under a heading is the chapter summary.
    * Title rule: a chapter without a heading title (or with a bare `Chapter 3` heading) takes
      its title from the last line of the notes block right before the body when that block has
      other lines and that line looks like a title (short, no sentence punctuation) - the seed
      layout `Chapter Notes: ...` / disclaimer / thanks / `They always leave` / blank / prose.
      Failing that, a one-line title-like paragraph right after the notes (or right after a bare
      heading) that is followed by more text is the title. A bare heading gets `Heading: Title`.
    * An empty `Part`/`Book` heading directly followed by a chapter heading is folded into that
      chapter's title (`Part One — Chapter 1`).
    """
    segments = _segments(items)
    has_headings = any(heading is not None for heading, _ in segments)
    drafts: list[_Draft] = []
    for heading, segment in segments:
        draft = _Draft(heading, heading.title if heading else None)
        header = heading is None
        _fill(draft, segment, story, header=header, preamble=header and has_headings)
        drafts.append(draft)
    drafts = _fold_parts(_settle_preamble(story, drafts))
    story.chapters = [_chapter(number, draft) for number, draft in enumerate(drafts, 1)]


def _segments(items: Sequence[Item]) -> list[tuple[Heading | None, list[Item]]]:
    segments: list[tuple[Heading | None, list[Item]]] = [(None, [])]
    for item in items:
        if isinstance(item, Heading):
            segments.append((item, []))
        else:
            segments[-1][1].append(item)
    if len(segments) > 1 and not segments[0][1]:
        segments.pop(0)
    return segments


def _fill(draft: _Draft, items: list[Item], story: Story, *, header: bool, preamble: bool) -> None:
    index, last_note = 0, None
    while index < len(items):
        item = items[index]
        index += 1
        if isinstance(item, SceneBreak):
            # Breaks only separate body text: none before the body, never two in a row.
            if draft.blocks and not isinstance(draft.blocks[-1], SceneBreak):
                draft.blocks.append(item)
            last_note = None
            continue
        if not isinstance(item, TextItem):
            continue
        following = items[index] if index < len(items) else None
        # A preamble is all header; elsewhere labels end where the body begins.
        in_body = bool(draft.blocks) and not preamble
        runs = _label_runs(item, split=header and not in_body)
        if runs and in_body and runs[0][0].kind not in NOTE_KINDS:
            runs = None
        if runs:
            if _wants_value(runs) and _is_plain_text(following):
                runs[-1] = (runs[-1][0], [runs[-1][1][0], *following.lines])
                index += 1
            for label, lines in runs:
                place = _Place(header=header, preamble=preamble, in_body=in_body)
                last_note = _route(draft, story, label, lines, place)
            continue
        if not draft.blocks and _take_title(draft, item, following, last_note):
            continue
        draft.blocks.append(item.block)


def _label_runs(item: TextItem, *, split: bool) -> list[tuple[Label, list[str]]] | None:
    """The labelled blocks in a paragraph that starts with a label (a header may stack several)."""
    first = match_label(item.lines[0]) if isinstance(item.block, Paragraph) else None
    if first is None:
        return None
    runs: list[tuple[Label, list[str]]] = [(first, [item.lines[0]])]
    for line in item.lines[1:]:
        label = match_label(line) if split else None
        if label is not None:
            runs.append((label, [line]))
        else:
            runs[-1][1].append(line)
    return runs


def _wants_value(runs: list[tuple[Label, list[str]]]) -> bool:
    label, lines = runs[-1]
    return len(lines) == 1 and not label.value


def _is_plain_text(item: Item | None) -> TypeGuard[TextItem]:
    return (
        isinstance(item, TextItem)
        and isinstance(item.block, Paragraph)
        and match_label(item.lines[0]) is None
    )


def _note_lines(label: Label, lines: list[str]) -> list[str]:
    if not label.is_section:
        return list(lines)
    return [label.value, *lines[1:]] if label.value else list(lines[1:])


@dataclass(frozen=True)
class _Place:
    """Where a labelled block stands: in a story header, a preamble, after body text."""

    header: bool
    preamble: bool
    in_body: bool


def _route(
    draft: _Draft, story: Story, label: Label, lines: list[str], place: _Place
) -> list[str] | None:
    """Store one labelled block; returns the chapter note it became, if it became one."""
    kind, note = label.kind, _note_lines(label, lines)
    text = "\n".join(note)
    as_meta = not (place.in_body or kind == "end_notes") and place.header and kind in META_KINDS
    value = " ".join([label.value, *lines[1:]]).strip()
    # The label's own words ("Chapter Notes:", "Rating:") are read as structure, not posted.
    dropped = leftover_text("\n".join(lines), [value if as_meta else text])
    if dropped:
        story.structure.append(dropped)
    if place.in_body or kind == "end_notes":
        draft.end_notes.append(text)
    elif as_meta:
        _set_meta(story, kind, value)
    elif kind == "summary" and place.header:
        story.summary = _join([story.summary, text])
    elif kind in ("summary", "chapter_summary"):
        draft.summary.append(text)
    elif kind == "notes" and place.preamble:
        story.notes = _join([story.notes, text])
    else:
        draft.notes.append(note)
        return note
    return None


def _set_meta(story: Story, kind: str, value: str) -> None:
    items = [part.strip() for part in value.split(",") if part.strip()]
    if kind == "rating":
        story.rating = value or story.rating
    elif kind == "language":
        story.language = value or story.language
    elif kind == "warnings":
        story.warnings.extend(items)
    elif kind == "tags":
        story.tags.extend(items)
    elif kind == "authors" and not story.authors:
        story.authors = parse_authors(value) or items


def _take_title(
    draft: _Draft, item: TextItem, following: Item | None, note: list[str] | None
) -> bool:
    """Apply the title rule before the first body block; True when `item` became the title."""
    heading = draft.heading
    if heading is not None and not heading.bare:
        return False
    if draft.title != (heading.title if heading else None):
        return False  # a title was taken already; a second title-like line is body text
    if note is not None and len(note) >= 2 and looks_like_title(note[-1]):
        _set_title(draft, note.pop())
        return False
    if (note is not None or heading is not None) and _is_title_paragraph(item, following):
        _set_title(draft, item.lines[0])
        return True
    return False


def _is_title_paragraph(item: TextItem, following: Item | None) -> bool:
    return (
        isinstance(item.block, Paragraph)
        and len(item.lines) == 1
        and looks_like_title(item.lines[0])
        and isinstance(following, TextItem)
    )


def _set_title(draft: _Draft, title: str) -> None:
    draft.title = f"{draft.heading.title}: {title}" if draft.heading else title


def _settle_preamble(story: Story, drafts: list[_Draft]) -> list[_Draft]:
    """Turn a short untitled preamble into the summary and hand its notes to chapter 1."""
    if len(drafts) < 2 or drafts[0].heading is not None:
        return drafts
    preamble, first = drafts[0], drafts[1]
    texts = [b.text for b in preamble.blocks if not isinstance(b, SceneBreak)]
    words = sum(len(text.split()) for text in texts)
    if len(texts) > 3 or words > 150:
        return drafts
    if texts and story.summary:
        # Beside an explicit `Summary:`, a line such as "Written for the fest" is a note.
        story.notes = _join([story.notes, "\n\n".join(texts)])
    elif texts:
        story.summary = "\n\n".join(texts)
    first.summary[:0] = preamble.summary
    first.notes[:0] = [*preamble.notes, *([n] for n in preamble.end_notes)]
    return drafts[1:]


def _fold_parts(drafts: list[_Draft]) -> list[_Draft]:
    folded: list[_Draft] = []
    for index, draft in enumerate(drafts):
        following = drafts[index + 1] if index + 1 < len(drafts) else None
        if (
            draft.heading is not None
            and draft.heading.is_part
            and draft.is_empty()
            and following is not None
            and following.heading is not None
            and not following.heading.is_part
        ):
            following.part = draft.title
            continue
        folded.append(draft)
    return folded


def _chapter(number: int, draft: _Draft) -> Chapter:
    blocks = list(draft.blocks)
    while blocks and isinstance(blocks[-1], SceneBreak):
        blocks.pop()
    # A heading's "Chapter 3" / "CHAPTER I." is the source's own label, kept apart from the
    # title; a title line with no heading above it has none.
    label, title = split_label(draft.title) if draft.heading else (None, draft.title)
    # A bare numeral ("I", "II") is numbering the chapter's position already carries.
    numbering = leftover_text(draft.title or "", (label, title))
    if draft.part:
        label = f"{draft.part} — {label}" if label else draft.part
    return Chapter(
        number=number,
        title=title,
        label=label,
        structure=[numbering] if numbering else [],
        summary=_join(draft.summary),
        notes=_join(["\n".join(note) for note in draft.notes]),
        end_notes=_join(draft.end_notes),
        blocks=blocks,
    )


def _join(parts: Sequence[str | None]) -> str | None:
    text = "\n\n".join(part for part in parts if part)
    return text or None
