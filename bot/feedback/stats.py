"""`/stats` as data and as text (discord-free): readers, retention, reactions, notes per chapter.

A chapter's readers are the distinct members who read a page of it through the bot or marked it
read. Retention compares each chapter with the first released one: of the readers who started
chapter 1, how many reached chapter N.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.actor import Actor
from bot.errors import Translates
from bot.feedback.emoji import emoji_key, in_set
from bot.feedback.service import FeedbackService
from bot.i18n import SOURCE, Quantity
from bot.stories.policy import require_author
from bot.stories.records import StoryRecord

EMBED_LIMIT = 4096


@dataclass(frozen=True)
class ChapterStats:
    """One released chapter's numbers."""

    number: int
    title: str | None
    readers: int
    from_first: int  # readers of this chapter who also read the first one
    retention: int | None  # percent of the first chapter's readers who reached this one
    reactions: tuple[tuple[str, int], ...]  # the story's set, in its order, non-zero only
    other_reactions: int  # reactions outside the set
    notes: int


@dataclass(frozen=True)
class StoryStats:
    """A story's statistics for its authors."""

    story: StoryRecord
    reaction_set: tuple[str, ...]
    chapters: tuple[ChapterStats, ...]
    reaction_totals: tuple[tuple[str, int], ...]
    other_total: int
    notes_total: int

    @property
    def first(self) -> ChapterStats | None:
        """The first released chapter, the base of retention."""
        return self.chapters[0] if self.chapters else None


async def story_stats(service: FeedbackService, actor: Actor, story: StoryRecord) -> StoryStats:
    """The statistics of `story`; only its authors (and Manage Server members) may see them."""
    await require_author(service.stories, story, actor)
    reaction_set = await service.reaction_set(story.id)
    rows = await service.repo.chapter_readers(story.id)
    per_chapter: dict[int, dict[str, int]] = defaultdict(dict)
    for chapter_id, emoji, count in await service.repo.reaction_counts(story.id):
        per_chapter[chapter_id][emoji] = count
    notes = await service.repo.note_counts(story.id)
    base = rows[0].readers if rows else 0
    chapters = tuple(
        _chapter(row.number, row.title, row.readers, row.from_first, base,
                 per_chapter[row.chapter_id], reaction_set, notes.get(row.chapter_id, 0))
        for row in rows
    )  # fmt: skip
    totals: dict[str, int] = defaultdict(int)
    for chapter in chapters:
        for emoji, count in chapter.reactions:
            totals[emoji] += count
    return StoryStats(
        story=story,
        reaction_set=reaction_set,
        chapters=chapters,
        reaction_totals=tuple((e, totals[e]) for e in reaction_set if totals[e]),
        other_total=sum(c.other_reactions for c in chapters),
        notes_total=sum(notes.values()),
    )


def _chapter(
    number: int,
    title: str | None,
    readers: int,
    from_first: int,
    base: int,
    counts: dict[str, int],
    reaction_set: tuple[str, ...],
    notes: int,
) -> ChapterStats:
    in_order = []
    for emoji in reaction_set:
        count = sum(n for e, n in counts.items() if emoji_key(e) == emoji_key(emoji))
        if count:
            in_order.append((emoji, count))
    other = sum(n for e, n in counts.items() if not in_set(e, reaction_set))
    return ChapterStats(
        number=number,
        title=title,
        readers=readers,
        from_first=from_first,
        retention=round(100 * from_first / base) if base else None,
        reactions=tuple(in_order),
        other_reactions=other,
        notes=notes,
    )


def retention_words(stats: StoryStats, chapter: ChapterStats, t: Translates = SOURCE) -> str:
    """E.g. "62 % of readers who started chapter 1 reached chapter 4"."""
    first = stats.first
    if first is None or chapter.retention is None:
        return t.gettext("nobody has read the first chapter yet")
    return t.gettext(
        "{percent} % of readers who started chapter {first} reached chapter {number}",
        percent=Quantity(chapter.retention),
        first=first.number,
        number=chapter.number,
    )


def _others(t: Translates, count: int) -> str:
    """Reactions outside the story's set, e.g. "other 3"."""
    return t.gettext("other {count}", count=Quantity(count))


def chapter_line(stats: StoryStats, chapter: ChapterStats, t: Translates = SOURCE) -> str:
    """One chapter's numbers on one line, in `t`'s language."""
    title = f" — {chapter.title}" if chapter.title else ""
    heading = t.gettext("Ch. {number}", number=chapter.number)
    readers = t.ngettext("{n} reader", "{n} readers", chapter.readers)
    parts = [f"**{heading}{title}**: {readers}"]
    if chapter is not stats.first:
        parts.append(retention_words(stats, chapter, t))
    reactions = " ".join(f"{emoji} {count}" for emoji, count in chapter.reactions)
    if chapter.other_reactions:
        reactions = f"{reactions} {_others(t, chapter.other_reactions)}".strip()
    parts.append(reactions or t.gettext("no reactions"))
    parts.append(t.ngettext("{n} note", "{n} notes", chapter.notes))
    return " · ".join(parts)


def stats_text(stats: StoryStats, *, limit: int = EMBED_LIMIT, t: Translates = SOURCE) -> str:
    """The whole statistics text in `t`'s language, cut (by chapter) to fit an embed."""
    if not stats.chapters:
        return t.gettext("No chapter is released yet, so there is nothing to count.")
    totals = " ".join(f"{emoji} {count}" for emoji, count in stats.reaction_totals)
    if stats.other_total:
        totals = f"{totals} {_others(t, stats.other_total)}".strip()
    head = [
        t.gettext(
            "Reactions: {reactions} · Notes received: {notes}",
            reactions=totals or t.gettext("none yet"),
            notes=Quantity(stats.notes_total),
        ),
        "",
    ]
    lines = [chapter_line(stats, c, t) for c in stats.chapters]
    text = "\n".join(head + lines)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index
        tail = t.ngettext(
            "… and {n} more chapter (see the chart).",
            "… and {n} more chapters (see the chart).",
            rest,
        )
        if len("\n".join(head + kept + [line, tail])) > limit:
            return "\n".join(head + kept + [tail])
        kept.append(line)
    return "\n".join(head + kept)
