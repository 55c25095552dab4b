"""Wall-clock patterns: standard 5-field crontab expressions and weekday rules share one engine.

A `WallPattern` matches local wall-clock times field by field. Each matching wall time fires
once: a time repeated when DST ends fires at its first occurrence, and a time skipped when DST
starts fires shifted forward by the gap (see `zones.to_utc`); two wall times landing on the same
instant fire once.

Crontab meaning follows Vixie cron: weekday 0 and 7 are Sunday, names `jan`-`dec` and
`sun`-`sat` work in lists and ranges, and when both the day-of-month and the day-of-week field
are restricted (neither starts with `*`) a day matching *either* one qualifies. Weekdays are
stored in Python's numbering (Monday = 0), which is also APScheduler 3's, unlike crontab's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.calendarinterval import CalendarIntervalTrigger

from bot.errors import InvalidInput
from bot.scheduling.words import MONTHS, WEEKDAYS
from bot.scheduling.zones import to_utc

CRON_HINT = "Cron is `minute hour day month weekday`, e.g. `0 18 * * 5` for Fridays at 18:00."
# Long enough to reach any day-of-month/weekday combination (the calendar repeats every 28
# years within 1901-2099), so only impossible patterns come up empty.
HORIZON_DAYS = 28 * 366
# No DST gap is longer than this, so a better candidate can't lie further ahead in wall time.
_MAX_GAP = timedelta(hours=3)
_ITEM = re.compile(r"(?P<first>\*|[a-z0-9]+)(?:-(?P<last>[a-z0-9]+))?(?:/(?P<step>\d+))?")
_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_ALL_DAYS = frozenset(range(1, 32))
_ALL_MONTHS = frozenset(range(1, 13))
_ALL_WEEKDAYS = frozenset(range(7))


@dataclass(frozen=True)
class WallPattern:
    """Local wall-clock times matched field by field; weekdays use Python's 0 = Monday."""

    hours: frozenset[int]
    minutes: frozenset[int]
    seconds: frozenset[int] = frozenset({0})
    days: frozenset[int] = _ALL_DAYS
    months: frozenset[int] = _ALL_MONTHS
    weekdays: frozenset[int] = _ALL_WEEKDAYS
    either_day: bool = False
    # A `*` hour means every real hour, so the hour repeated when DST ends fires twice (as cronie
    # does); otherwise a repeated wall time fires once, at its first occurrence.
    every_real_hour: bool = False

    @cached_property
    def times(self) -> list[time]:
        """Every matching time of day, in order."""
        fields = (sorted(self.hours), sorted(self.minutes), sorted(self.seconds))
        return [time(h, m, s) for h, m, s in product(*fields)]

    def matches_day(self, day: date) -> bool:
        """Whether wall times on `day` can match."""
        if day.month not in self.months:
            return False
        by_date, by_weekday = day.day in self.days, day.weekday() in self.weekdays
        return (by_date or by_weekday) if self.either_day else (by_date and by_weekday)

    def next_after(self, previous: datetime, zone: ZoneInfo) -> datetime | None:
        """The first matching instant strictly after `previous` (aware), in UTC; None if none."""
        start = previous.astimezone(zone).replace(tzinfo=None) - _MAX_GAP
        best: datetime | None = None
        first_found: datetime | None = None
        for wall in self._walk(start):
            if first_found is not None and wall > first_found + _MAX_GAP:
                break
            # Wall times shifted out of a DST gap can overtake later ones, so keep looking a bit.
            for instant in self._instants(wall, zone):
                if instant > previous and (best is None or instant < best):
                    best, first_found = instant, first_found or wall
        return best

    def _instants(self, wall: datetime, zone: ZoneInfo) -> tuple[datetime, ...]:
        """The instants a matching wall time fires at: its first occurrence, and its second
        one too inside an autumn overlap when every real hour counts."""
        first = to_utc(wall, zone)
        if not self.every_real_hour:
            return (first,)
        second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
        repeated = second != first and second.astimezone(zone).replace(tzinfo=None) == wall
        return (first, second) if repeated else (first,)

    def _walk(self, start: datetime) -> Iterator[datetime]:
        """Matching naive wall times from `start` on, in wall-clock order."""
        day = start.date()
        for _ in range(HORIZON_DAYS):
            if self.matches_day(day):
                for at in self.times:
                    wall = datetime.combine(day, at)
                    if wall >= start:
                        yield wall
            day += timedelta(days=1)

    def describe(self) -> str:
        """The restricted fields, for logs and trigger reprs (`h=18 m=0 s=0 dow=4`)."""
        fields = {
            "h": self.hours,
            "m": self.minutes,
            "s": self.seconds,
            "dom": self.days,
            "mon": self.months,
            "dow": self.weekdays,
        }
        full = {"dom": _ALL_DAYS, "mon": _ALL_MONTHS, "dow": _ALL_WEEKDAYS}
        shown = [
            f"{name}={','.join(map(str, sorted(values)))}"
            for name, values in fields.items()
            if values != full.get(name)
        ]
        return " ".join(shown) + (" (day or weekday)" if self.either_day else "")


class PatternTrigger(BaseTrigger):
    """An APScheduler trigger firing at a `WallPattern`'s instants from `start_date` on.

    APScheduler 3's `CronTrigger` miscounts across DST changes: it can skip the day after a
    spring-forward change (agronholm/apscheduler#529, #606) and fires a repeated wall time
    twice. So the fire times come from the same engine as `RepeatRule.next_after`.
    """

    __slots__ = ("pattern", "start_date", "timezone")

    def __init__(self, pattern: WallPattern, timezone: ZoneInfo, start_date: datetime) -> None:
        self.pattern = pattern
        self.timezone = timezone
        self.start_date = start_date

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The first match after the previous fire time, else the first at or after `now`."""
        if previous_fire_time is None:
            previous_fire_time = max(now, self.start_date) - timedelta(microseconds=1)
        found = self.pattern.next_after(previous_fire_time, self.timezone)
        return None if found is None else found.astimezone(self.timezone)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "version": 1,
            "pattern": self.pattern,
            "timezone": self.timezone.key,
            "start_date": self.start_date,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.pattern = state["pattern"]
        self.timezone = ZoneInfo(state["timezone"])
        self.start_date = state["start_date"]

    def __str__(self) -> str:
        return f"pattern[{self.pattern.describe()}]"

    def __repr__(self) -> str:
        return f"<PatternTrigger ({self.pattern.describe()}, timezone='{self.timezone.key}')>"


class WallClockCalendarTrigger(CalendarIntervalTrigger):
    """A `CalendarIntervalTrigger` that, like `zones.to_utc`, moves a wall time skipped by DST
    forward instead of dropping that day as the stock trigger does."""

    __slots__ = ()

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The previous fire date plus the interval, at the wall time."""
        if previous_fire_time is None:
            day = self.start_date
        else:
            day = previous_fire_time.astimezone(self.timezone).date()
            day += timedelta(days=self.days + 7 * self.weeks)
        if self.end_date and day > self.end_date:
            return None
        wall = datetime.combine(day, self._time.replace(tzinfo=None))
        return to_utc(wall, self.timezone).astimezone(self.timezone)


def expand_macro(expression: str) -> str:
    """`@daily` and friends as their five fields; anything else unchanged."""
    return _MACROS.get(expression.strip(), expression)


def parse_crontab(expression: str) -> WallPattern:
    """A standard 5-field crontab expression as a `WallPattern`; `InvalidInput` if malformed."""
    fields = expand_macro(expression).split()
    if len(fields) != 5:
        raise InvalidInput(
            "A cron expression has 5 fields, `{expression}` has {count}.",
            hint=CRON_HINT,
            params={"expression": expression, "count": len(fields)},
        )
    minute, hour, day, month, weekday = fields
    cron_weekdays = _parse_field(weekday, "weekday", 0, 7)
    pattern = WallPattern(
        hours=_parse_field(hour, "hour", 0, 23),
        minutes=_parse_field(minute, "minute", 0, 59),
        days=_parse_field(day, "day of month", 1, 31),
        months=_parse_field(month, "month", 1, 12),
        # Crontab counts from Sunday = 0 (and 7); Python from Monday = 0.
        weekdays=frozenset((d - 1) % 7 for d in cron_weekdays),
        either_day=not day.startswith("*") and not weekday.startswith("*"),
        every_real_hour=hour == "*",
    )
    if pattern.next_after(datetime(2000, 1, 1, tzinfo=UTC), ZoneInfo("UTC")) is None:
        raise InvalidInput(
            "`{expression}` never happens (no such day).",
            hint=CRON_HINT,
            params={"expression": expression},
        )
    return pattern


def _parse_field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            raise _field_error(_NOT_UNDERSTOOD, name, item)
        first, last, step = match["first"], match["last"], match["step"]
        if first == "*":
            if last:
                raise _field_error("Cron {field} `{item}` is not a valid range.", name, item)
            start, end = low, high
        else:
            start = _value(first, name, low, high, is_end=False)
            # `a/n` means from a to the end of the range, stepping by n (as in cronie).
            end = _value(last, name, low, high, is_end=True) if last else (high if step else start)
            if last == first:  # `sun-sun` is Sunday alone, not `sun` (0) to `sun` (7)
                end = start
        values.update(_range(item, name, start, end, int(step or 1)))
    return frozenset(values)


def _range(item: str, name: str, start: int, end: int, step: int) -> range:
    if step < 1:
        raise _field_error("Cron {field} `{item}` has a step of 0.", name, item)
    if start > end:
        raise _field_error(
            "Cron {field} `{item}` runs backwards; write the smaller value first.", name, item
        )
    return range(start, end + 1, step)


def _value(text: str, name: str, low: int, high: int, *, is_end: bool) -> int:
    if text.isdigit():
        value = int(text)
    elif name == "month" and text in MONTHS:
        value = MONTHS[text]
    elif name == "weekday" and text in WEEKDAYS:
        # `sun` closes a range as 7 so that `fri-sun` works; elsewhere it is 0.
        value = (WEEKDAYS[text] + 1) % 7 or (7 if is_end else 0)
    else:
        raise _field_error(_NOT_UNDERSTOOD, name, text)
    if not low <= value <= high:
        raise InvalidInput(
            "Cron {field} `{item}` is outside {low}-{high}.",
            hint=CRON_HINT,
            params={"field": name, "item": text, "low": low, "high": high},
        )
    return value


_NOT_UNDERSTOOD = "Cron {field} `{item}` is not a value I understand."


def _field_error(message: str, field: str, item: str) -> InvalidInput:
    """A problem with one field (`field` is cron's own name for it: minute, hour, ...)."""
    return InvalidInput(message, hint=CRON_HINT, params={"field": field, "item": item})
