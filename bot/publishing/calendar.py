"""The data of the `/schedule list` calendar: which releases fall on which day, four weeks out.

Pure: it takes the schedules (with what each run would release) and the viewer's zone and
`now`, and walks each schedule's runs with the same rule the timers use
(`RepeatRule.next_after`). The drawing (`bot.publishing.calendar_png`) only renders this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.publishing.records import ScheduleRecord
from bot.scheduling import RepeatRule

DAYS = 28
CONFLICT_SECONDS = 600  # two stories in one channel this close together crowd each other
MAX_RUNS_PER_SCHEDULE = 200  # an `every 5 minutes` rule would flood the cells; this is plenty


@dataclass(frozen=True)
class CalendarSource:
    """One schedule as the calendar needs it: its story, channel and the chapters still due."""

    schedule: ScheduleRecord
    story_title: str
    channel_id: int | None  # where its runs post (the schedule's override or the story's)
    paused: bool
    upcoming: Sequence[str]  # labels of the chapters not yet released, in order


@dataclass(frozen=True)
class CalendarEntry:
    """One run on the calendar, in the viewer's zone."""

    at: datetime
    schedule_id: int
    story_id: int
    story_title: str
    chapters: tuple[str, ...]
    channel_id: int | None
    paused: bool = False
    conflict: bool = False


@dataclass(frozen=True)
class CalendarDay:
    """One day cell: its date (viewer's zone) and the runs on it, in time order."""

    day: date
    entries: tuple[CalendarEntry, ...]


def build_calendar(
    sources: Sequence[CalendarSource], zone: tzinfo, now: datetime, days: int = DAYS
) -> list[CalendarDay]:
    """`days` day cells from today (in `zone`) with every planned run until their end (a run
    overdue while paused shows on today's cell)."""
    first_day = now.astimezone(zone).date()
    end = datetime.combine(first_day + timedelta(days=days), time(), zone).astimezone(UTC)
    entries = [entry for source in sources for entry in _runs(source, zone, end)]
    entries = _mark_conflicts(sorted(entries, key=lambda e: (e.at, e.schedule_id)))
    by_day: dict[date, list[CalendarEntry]] = {}
    for entry in entries:
        by_day.setdefault(entry.at.date(), []).append(entry)
    return [
        CalendarDay(day, tuple(by_day.get(day, ())))
        for day in (first_day + timedelta(days=n) for n in range(days))
    ]


def _runs(source: CalendarSource, zone: tzinfo, end: datetime) -> list[CalendarEntry]:
    """The runs of one schedule before `end`, each with the chapters it would release."""
    schedule = source.schedule
    if not schedule.active or schedule.next_run_at is None:
        return []
    rule = RepeatRule.from_text(schedule.rule) if schedule.rule else None
    own_zone = ZoneInfo(schedule.timezone)
    at = datetime.fromtimestamp(schedule.next_run_at, UTC)
    per_run, runs = schedule.chapters_per_run, []
    for index in range(MAX_RUNS_PER_SCHEDULE):
        labels = tuple(source.upcoming[index * per_run : (index + 1) * per_run])
        if at >= end or not labels:  # past the calendar, or the story has run out
            break
        runs.append(
            CalendarEntry(
                at.astimezone(zone),
                schedule.id,
                schedule.story_id,
                source.story_title,
                labels,
                source.channel_id,
                paused=source.paused,
            )
        )
        if rule is None:
            break
        at = rule.next_after(at, own_zone)
    return runs


def _mark_conflicts(entries: list[CalendarEntry]) -> list[CalendarEntry]:
    """Flag runs of different stories in one channel within `CONFLICT_SECONDS` of each other."""
    flagged = set()
    for i, first in enumerate(entries):
        for j in range(i + 1, len(entries)):
            second = entries[j]
            if (second.at - first.at).total_seconds() > CONFLICT_SECONDS:
                break
            same_channel = first.channel_id is not None and first.channel_id == second.channel_id
            if same_channel and first.story_id != second.story_id:
                flagged.update((i, j))
    return [replace(e, conflict=True) if i in flagged else e for i, e in enumerate(entries)]
