"""How `/schedule list` (its text and its calendar picture) and `/schedule history` read, in
the user's language.

Each repeat rule is worded by `bot.scheduling.say_rule` in the schedule's own zone; a release
event's detail, recorded in English, is said again in the reader's language
(`bot.publishing.notes`; Discord's own error text stays as Discord gave it).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from discord.utils import escape_markdown

from bot.errors import UserError
from bot.i18n import SUPPORTED, Speaker
from bot.i18n.dates import day_abbreviations, short_date
from bot.publishing.calendar_png import CalendarWords
from bot.publishing.manage import ListedSchedule
from bot.publishing.notes import RELEASE_NOTES
from bot.publishing.releases import HistoryEntry
from bot.scheduling import RepeatRule, discord_timestamp, parse_zone, say_rule
from bot.stories.records import StoryRecord

REPLY_LIMIT = 2000


def _when(ts: int, style: str = "F") -> str:
    return discord_timestamp(datetime.fromtimestamp(ts, UTC), style)


def rule_words(item: ListedSchedule, t: Speaker) -> str:
    """The schedule's repeat in words ("chaque vendredi à 18:00 CET"), or "once"."""
    schedule = item.schedule
    if not schedule.rule:
        return t.gettext("once")
    if t.locale not in SUPPORTED:
        return schedule.rule  # English: the rule as stored reads as the user typed it
    try:
        zone = parse_zone(schedule.timezone)
        anchor = datetime.fromtimestamp(schedule.next_run_at or schedule.created_at, UTC)
        return say_rule(RepeatRule.from_text(schedule.rule), zone, anchor, t)
    except UserError:  # a rule stored by an older version still lists, in its stored words
        return schedule.rule


def schedule_line(item: ListedSchedule, t: Speaker) -> str:
    """`#3 · Title · next <t:…:F> (<t:…:R>) · every day at 18:00 CET · 1 chapter/run`."""
    schedule, story = item.schedule, item.story
    parts = [f"**#{schedule.id}** · {escape_markdown(story.title)}"]
    if schedule.active and schedule.next_run_at is not None:
        run = schedule.next_run_at
        parts.append(
            t.gettext("next {when} ({relative})", when=_when(run), relative=_when(run, "R"))
        )
    else:
        parts.append(t.gettext("ended"))
    parts.append(rule_words(item, t))
    parts.append(t.ngettext("{n} chapter/run", "{n} chapters/run", schedule.chapters_per_run))
    if story.paused:
        parts.append(t.gettext("⏸️ paused"))
    if schedule.channel_id:
        parts.append(t.gettext("in {channel}", channel=f"<#{schedule.channel_id}>"))
    return " · ".join(parts)


def schedule_list_text(listed: list[ListedSchedule], t: Speaker) -> str:
    """The whole `/schedule list` reply, within one message."""
    lines = [schedule_line(item, t) for item in listed] or [t.gettext("No schedules yet.")]
    return "\n".join(lines)[:REPLY_LIMIT]


def calendar_words(t: Speaker) -> CalendarWords:
    """The calendar picture's weekdays, dates and notes in `t`'s language."""
    if t.locale not in SUPPORTED:
        return CalendarWords()
    return CalendarWords(
        weekdays=day_abbreviations(t.locale),
        day_label=functools.partial(short_date, locale=t.locale),
        chapter=t.pgettext("calendar", "ch."),
        more=lambda hidden: t.ngettext("+{n} more", "+{n} more", hidden),
    )


def outcome_word(outcome: str, t: Speaker) -> str:
    """A release event's outcome in the user's language (unknown ones as stored)."""
    words = {
        "created": t.pgettext("release outcome", "created"),
        "started": t.pgettext("release outcome", "started"),
        "done": t.pgettext("release outcome", "done"),
        "failed": t.pgettext("release outcome", "failed"),
        "interrupted": t.pgettext("release outcome", "interrupted"),
        "retrying": t.pgettext("release outcome", "retrying"),
        "resumed": t.pgettext("release outcome", "resumed"),
        "crossposted": t.pgettext("release outcome", "crossposted"),
        "crosspost skipped": t.pgettext("release outcome", "crosspost skipped"),
        "page_deleted": t.pgettext("release outcome", "page deleted"),
        "lease lost": t.pgettext("release outcome", "lease lost"),
    }
    return words.get(outcome, outcome)


def history_text(story: StoryRecord, entries: list[HistoryEntry], t: Speaker) -> str:
    """A story's release history, newest first, within one message."""
    title = escape_markdown(story.title)
    if not entries:
        return t.gettext("“{title}” has no releases yet.", title=title)
    lines = [t.gettext("Release history of “{title}” (newest first):", title=title)]
    for entry in entries:
        detail = f" — {RELEASE_NOTES.say(entry.detail, t)}" if entry.detail else ""
        line = t.gettext(
            "{when} · Ch. {number} · release #{release} · **{outcome}**",
            when=_when(entry.at, "f"),
            number=entry.chapter_number,
            release=entry.release_id,
            outcome=outcome_word(entry.outcome, t),
        )
        line += detail
        if sum(len(x) + 1 for x in lines) + len(line) > REPLY_LIMIT - 10:
            lines.append("…")
            break
        lines.append(line)
    return "\n".join(lines)
