"""When a story's coming scheduled runs happen and which chapters each will release.

Pure: walks each active schedule's runs with the same rule the timers use
(`RepeatRule.next_after`) and hands the unreleased chapters out in order, `chapters_per_run` per
run, like the runs themselves will when they fire.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import takewhile
from zoneinfo import ZoneInfo

from bot.early_access.records import EarlyRun
from bot.publishing.records import ScheduleRecord
from bot.scheduling import RepeatRule
from bot.stories.records import ChapterRecord

MAX_RUNS_PER_SCHEDULE = 500  # an `every 5 minutes` rule must not walk forever


def _series(schedule: ScheduleRecord) -> tuple[RepeatRule | None, ZoneInfo]:
    rule = RepeatRule.from_text(schedule.rule) if schedule.rule else None
    return rule, ZoneInfo(schedule.timezone)


def _after(rule: RepeatRule, at: int, zone: ZoneInfo) -> int:
    return int(rule.next_after(datetime.fromtimestamp(at, UTC), zone).timestamp())


def _runs(schedule: ScheduleRecord) -> Iterator[int]:
    """An active schedule's run instants from its next one on (at most MAX_RUNS_PER_SCHEDULE)."""
    if not schedule.active or schedule.next_run_at is None:
        return
    rule, zone = _series(schedule)
    at = schedule.next_run_at
    for _ in range(MAX_RUNS_PER_SCHEDULE):
        yield at
        if rule is None:
            return
        at = _after(rule, at, zone)


def run_times(schedules: Sequence[ScheduleRecord], until: int) -> list[tuple[int, int]]:
    """`(run_at, chapters_per_run)` of every run at or before `until`, soonest first (a run
    already due but not yet taken counts: it is about to happen)."""
    times = [
        (at, schedule.chapters_per_run)
        for schedule in schedules
        for at in takewhile(lambda at: at <= until, _runs(schedule))
    ]
    return sorted(times)


def next_run_after(schedules: Sequence[ScheduleRecord], instant: int) -> int | None:
    """The first run of any active schedule strictly after `instant`, if there is one."""
    found = [next((at for at in _runs(s) if at > instant), None) for s in schedules]
    return min((at for at in found if at is not None), default=None)


def assign(times: Sequence[tuple[int, int]], upcoming: Sequence[ChapterRecord]) -> list[EarlyRun]:
    """Hand `upcoming` (unreleased chapters in order) out to the runs; runs at the same instant
    are one run (their releases share a due time), runs past the last chapter release nothing."""
    runs: list[EarlyRun] = []
    index = 0
    for at, per_run in times:
        chunk = upcoming[index : index + per_run]
        index += per_run
        if not chunk:
            break
        ids = tuple(c.id for c in chunk)
        numbers = tuple(c.number for c in chunk)
        if runs and runs[-1].run_at == at:
            last = runs.pop()
            ids, numbers = last.chapter_ids + ids, last.chapter_numbers + numbers
        runs.append(EarlyRun(at, ids, numbers))
    return runs
