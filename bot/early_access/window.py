"""When a story's coming scheduled runs happen and which chapters each will release.

Pure: walks each active schedule's runs with the same rule the timers use
(`RepeatRule.next_after`) and hands the unreleased chapters out in order, `chapters_per_run` per
run, like the runs themselves will when they fire.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
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


def run_times(schedules: Sequence[ScheduleRecord], until: int) -> list[tuple[int, int]]:
    """`(run_at, chapters_per_run)` of every run at or before `until`, soonest first (a run
    already due but not yet taken counts: it is about to happen)."""
    times: list[tuple[int, int]] = []
    for schedule in schedules:
        if not schedule.active or schedule.next_run_at is None:
            continue
        rule, zone = _series(schedule)
        at = schedule.next_run_at
        for _ in range(MAX_RUNS_PER_SCHEDULE):
            if at > until:
                break
            times.append((at, schedule.chapters_per_run))
            if rule is None:
                break
            at = _after(rule, at, zone)
    return sorted(times)


def next_run_after(schedules: Sequence[ScheduleRecord], instant: int) -> int | None:
    """The first run of any active schedule strictly after `instant`, if there is one."""
    found: list[int] = []
    for schedule in schedules:
        if not schedule.active or schedule.next_run_at is None:
            continue
        rule, zone = _series(schedule)
        at = schedule.next_run_at
        for _ in range(MAX_RUNS_PER_SCHEDULE):
            if at > instant:
                found.append(at)
                break
            if rule is None:
                break
            at = _after(rule, at, zone)
    return min(found) if found else None


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
