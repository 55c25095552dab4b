"""The run of a schedule due now, and the one after it, per the guild's missed-release policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.publishing.records import ScheduleRecord
from bot.scheduling import RepeatRule

# "latest" catch-up walks the missed runs to find the last one; past this many it stops looking.
MAX_CATCH_UP_STEPS = 10_000


@dataclass(frozen=True)
class PlannedRun:
    """What one schedule run does: when it counts as having run, and when the next one is."""

    ran_at: int
    next_run_at: int | None


def plan_run(schedule: ScheduleRecord, now: int, policy: str) -> PlannedRun:
    """The run due now and the one after, per the guild's missed-release policy.

    `all` posts every missed run in turn (the next run may already be due); `latest` posts only
    the most recent missed run and jumps back onto the rule's grid after `now`.
    """
    assert schedule.next_run_at is not None
    due = datetime.fromtimestamp(schedule.next_run_at, UTC)
    if not schedule.rule:
        return PlannedRun(schedule.next_run_at, None)
    rule, zone = RepeatRule.from_text(schedule.rule), ZoneInfo(schedule.timezone)
    following = rule.next_after(due, zone)
    if policy != "latest" or following.timestamp() > now:
        return PlannedRun(schedule.next_run_at, int(following.timestamp()))
    latest = due
    for _ in range(MAX_CATCH_UP_STEPS):
        if following.timestamp() > now:
            break
        latest, following = following, rule.next_after(following, zone)
    else:  # too many missed runs to walk: count the run as now, then rejoin the grid
        latest = datetime.fromtimestamp(now, UTC)
        following = rule.next_after(latest, zone, due)
    return PlannedRun(int(latest.timestamp()), int(following.timestamp()))
