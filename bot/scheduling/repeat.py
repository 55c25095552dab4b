"""Repeat rules (`daily`, `every friday 18:00`, `every 30 seconds`, cron...) and their next runs.

A rule's series of runs starts with the first run (the schedule's `when`) and continues:
- `FixedInterval` (`every 30 seconds`, `every 3 hours`, `hourly`): every N seconds of real
  time from the first run, whatever the clocks do.
- `CalendarInterval` (`daily`, `weekly`, `every 2 days [at 18:00]`): every N calendar days from
  the first run's local date, at the same local wall time (the first run's, unless given).
- `WallClock` (`every friday 18:00`, `every monday, thursday 19:30`, cron): the matching local
  wall times after the first run.

The database is the source of truth: `next_after` computes `next_run_at`. The first run need
not be stored: `bind` turns a rule into one whose text also fixes the time of day, after which
the previous run alone anchors the series. `to_trigger` gives an equivalent APScheduler trigger.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import InvalidInput
from bot.scheduling.cron import (
    CRON_HINT,
    PatternTrigger,
    WallClockCalendarTrigger,
    WallPattern,
    expand_macro,
    parse_crontab,
)
from bot.scheduling.describe import clock, zone_label
from bot.scheduling.refusals import needs_time_of_day
from bot.scheduling.suggest import corrected
from bot.scheduling.when import (
    TIME_PATTERN,
    WEEKDAYS,
    duration_parts,
    duration_seconds,
    normalise,
    parse_time_of_day,
)
from bot.scheduling.words import DAY_NAMES
from bot.scheduling.zones import to_utc

MIN_INTERVAL = timedelta(seconds=10)
MAX_INTERVAL = timedelta(days=366)
REPEAT_EXAMPLES = (
    "`daily`, `weekly`, `hourly`, `every friday 18:00`, `every 2 days`, `every 30 seconds`, "
    "`every monday, thursday 19:30` or a cron line like `0 18 * * 5`"
)
_WITH_TIME = re.compile(rf"(?P<head>.+?)\s+(?:at\s+)?(?P<time>{TIME_PATTERN})")
_CRON_START = re.compile(r"[\d*]")
_DAY_GROUPS = {
    "day": frozenset(range(7)),
    "weekday": frozenset(range(5)),
    "weekend": frozenset({5, 6}),
}
_FIXED_UNITS = (("hour", 3600), ("minute", 60), ("second", 1))


@dataclass(frozen=True)
class RepeatRule(ABC):
    """A parsed repeat rule; `text` is its normalised form, the one to store."""

    text: str

    def next_after(
        self, previous_run: datetime, zone: ZoneInfo, first_run: datetime | None = None
    ) -> datetime:
        """The first run strictly after `previous_run`, aware UTC, wall-clock correct in `zone`.

        `first_run` anchors the series; any later run of it anchors it just as well, so after
        downtime `next_after(now, zone, last_run)` skips the missed runs without drifting.
        Without it, `previous_run` must itself be a run of the series.
        """
        if first_run is not None and previous_run < first_run:
            return first_run.astimezone(UTC)
        return self._next(previous_run, zone, first_run or previous_run).astimezone(UTC)

    @abstractmethod
    def _next(self, previous: datetime, zone: ZoneInfo, anchor: datetime) -> datetime: ...

    @abstractmethod
    def to_trigger(self, zone: ZoneInfo, first_run: datetime) -> BaseTrigger:
        """An APScheduler trigger firing at `first_run` and then exactly as `next_after` says."""

    @abstractmethod
    def phrase(self, zone: ZoneInfo, first_run: datetime) -> str:
        """The rule in words, e.g. `every Friday at 18:00 CET`."""

    def bind(self, first_run: datetime, zone: ZoneInfo) -> RepeatRule:
        """This rule with everything it takes from `first_run` written into its text."""
        return self

    @classmethod
    def from_text(cls, text: str) -> RepeatRule:
        """The rule a stored `text` (or anything a user may type) stands for."""
        return parse_repeat(text)


@dataclass(frozen=True)
class FixedInterval(RepeatRule):
    """Every `seconds` seconds of real time."""

    seconds: int

    def _next(self, previous: datetime, zone: ZoneInfo, anchor: datetime) -> datetime:
        step = timedelta(seconds=self.seconds)
        return anchor + ((previous - anchor) // step + 1) * step

    def to_trigger(self, zone: ZoneInfo, first_run: datetime) -> BaseTrigger:
        """An `IntervalTrigger` starting at `first_run`."""
        return IntervalTrigger(seconds=self.seconds, start_date=first_run, timezone=zone)

    def phrase(self, zone: ZoneInfo, first_run: datetime) -> str:
        """E.g. `every 30 seconds`, `every hour`."""
        return "every " + _fixed_words(self.seconds).removeprefix("1 ")


@dataclass(frozen=True)
class CalendarInterval(RepeatRule):
    """Every `days` calendar days at wall time `at` (None: the first run's time of day)."""

    days: int
    at: time | None = None

    def _time_of_day(self, first_local: datetime) -> time:
        return self.at if self.at is not None else _wall_time(first_local)

    def _next(self, previous: datetime, zone: ZoneInfo, anchor: datetime) -> datetime:
        local = anchor.astimezone(zone)
        at = self._time_of_day(local)
        behind = (previous.astimezone(zone).date() - local.date()).days
        # Start a period early: the time of day may come before `previous`'s.
        k = max(1, behind // self.days)
        while True:
            run = to_utc(datetime.combine(local.date() + timedelta(days=k * self.days), at), zone)
            if run > previous:
                return run
            k += 1

    def to_trigger(self, zone: ZoneInfo, first_run: datetime) -> BaseTrigger:
        """The first run, then a calendar-interval trigger from the next period on."""
        local = first_run.astimezone(zone)
        at = self._time_of_day(local)
        calendar = WallClockCalendarTrigger(
            days=self.days,
            hour=at.hour,
            minute=at.minute,
            second=at.second,
            start_date=local.date() + timedelta(days=self.days),
            timezone=zone,
        )
        return OrTrigger([DateTrigger(first_run, timezone=zone), calendar])

    def phrase(self, zone: ZoneInfo, first_run: datetime) -> str:
        """E.g. `every 2 days at 18:00 CET`."""
        local = first_run.astimezone(zone)
        at = self._time_of_day(local)
        period = _calendar_words(self.days).removeprefix("1 ")
        return f"every {period} at {clock(at.hour, at.minute, at.second)} {zone_label(local, zone)}"

    def bind(self, first_run: datetime, zone: ZoneInfo) -> RepeatRule:
        """Fix the time of day; daily and weekly at the first run's time become weekday rules."""
        local = first_run.astimezone(zone)
        at = self._time_of_day(local)
        if self.days == 7 and at == _wall_time(local):
            return weekday_rule(frozenset({local.weekday()}), at)
        return calendar_rule(self.days, at)


@dataclass(frozen=True)
class WallClock(RepeatRule):
    """Matching local wall times: weekday rules and cron expressions."""

    pattern: WallPattern

    def _next(self, previous: datetime, zone: ZoneInfo, anchor: datetime) -> datetime:
        found = self.pattern.next_after(previous, zone)
        if found is None:  # parse_crontab refuses patterns that never match
            raise InvalidInput(
                "`{rule}` never happens again.", hint=CRON_HINT, params={"rule": self.text}
            )
        return found

    def to_trigger(self, zone: ZoneInfo, first_run: datetime) -> BaseTrigger:
        """The first run, then a trigger for the matching wall times."""
        matching = PatternTrigger(self.pattern, zone, start_date=first_run)
        return OrTrigger([DateTrigger(first_run, timezone=zone), matching])

    def phrase(self, zone: ZoneInfo, first_run: datetime) -> str:
        """E.g. `every Monday and Thursday at 19:30 CET`, or `cron 0 18 * * 5 (Europe/Berlin)`."""
        if self.text.startswith("cron "):
            return f"{self.text} ({zone.key})"
        following = self.next_after(first_run, zone, first_run)
        return f"{_weekday_phrase(self.pattern)} {zone_label(following, zone)}"


def _wall_time(local: datetime) -> time:
    return local.time().replace(microsecond=0)


# --- building rules with their normalised text -------------------------------------------------


def fixed_rule(seconds: int) -> FixedInterval:
    """A fixed interval, checked against the allowed range."""
    _check_interval(seconds)
    text = "hourly" if seconds == 3600 else f"every {_fixed_words(seconds)}"
    return FixedInterval(text, seconds)


def calendar_rule(days: int, at: time | None = None) -> RepeatRule:
    """Every `days` days (at `at`); daily at a set time is the weekday rule `every day`."""
    _check_interval(days * 86400)
    if days == 1 and at is not None:
        return weekday_rule(_DAY_GROUPS["day"], at)
    text = {1: "daily", 7: "weekly"}.get(days) or f"every {_calendar_words(days)}"
    suffix = f" at {clock(at.hour, at.minute, at.second)}" if at else ""
    return CalendarInterval(text + suffix, days, at)


def weekday_rule(weekdays: frozenset[int], at: time) -> WallClock:
    """On the given weekdays (0 = Monday) at wall time `at`."""
    pattern = WallPattern(
        hours=frozenset({at.hour}),
        minutes=frozenset({at.minute}),
        seconds=frozenset({at.second}),
        weekdays=weekdays,
    )
    names = next((g for g, days in _DAY_GROUPS.items() if days == weekdays), None)
    names = names or ", ".join(DAY_NAMES[d].lower() for d in sorted(weekdays))
    return WallClock(f"every {names} {clock(at.hour, at.minute, at.second)}", pattern)


def cron_rule(expression: str) -> WallClock:
    """A crontab rule; its text keeps the five fields as typed."""
    fields = " ".join(expand_macro(expression).split())
    return WallClock(f"cron {fields}", parse_crontab(fields))


def _fixed_words(seconds: int) -> str:
    for unit, size in _FIXED_UNITS:
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    raise AssertionError("unreachable: every count of seconds divides by 1")


def _calendar_words(days: int) -> str:
    count, unit = (days // 7, "week") if days % 7 == 0 else (days, "day")
    return f"{count} {unit}{'s' if count != 1 else ''}"


def _weekday_phrase(pattern: WallPattern) -> str:
    days = sorted(pattern.weekdays)
    group = next((g for g, members in _DAY_GROUPS.items() if members == pattern.weekdays), None)
    named = [DAY_NAMES[d] for d in days]
    listed = group or (", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0])
    (hour,), (minute,), (second,) = pattern.hours, pattern.minutes, pattern.seconds
    return f"every {listed} at {clock(hour, minute, second)}"


def _check_interval(seconds: int) -> None:
    # Plain integers: a huge count would overflow timedelta before it could be refused.
    interval = timedelta(seconds=min(seconds, MAX_INTERVAL // timedelta(seconds=1) + 1))
    if interval < MIN_INTERVAL:
        raise InvalidInput(
            "That repeats too often.",
            hint="The shortest repeat is every {seconds} seconds.",
            params={"seconds": MIN_INTERVAL.seconds},
        )
    if interval > MAX_INTERVAL:
        raise InvalidInput("That repeat is too long.", hint="Repeats can be at most a year apart.")


# --- parsing -----------------------------------------------------------------------------------


# Parsers for the wider phrase families (`periodic`), registered when that module loads (the
# package imports it), so that this module need not import it back.
PHRASE_PARSERS: list[Callable[[str], RepeatRule | None]] = []


def parse_repeat(text: str) -> RepeatRule:
    """The rule `text` describes (case- and whitespace-insensitive); `InvalidInput` if none.

    An unreadable text whose misspelt words have close known ones gets `Did you mean ...?`.
    """
    clean = normalise(text, "repeat rule", REPEAT_EXAMPLES)
    try:
        return _parse_clean(clean)
    except InvalidInput as error:
        fixed = corrected(clean) if "can't read" in error.message else None
        if fixed is None:
            raise
        try:
            _parse_clean(fixed)
        except InvalidInput:
            raise error from None
        hint = 'Did you mean "{fixed}"?' + (f" {error.hint_id}" if error.hint_id else "")
        raise InvalidInput(
            error.message_id, hint=hint, params={**error.params, "fixed": fixed}
        ) from None


def _parse_clean(clean: str) -> RepeatRule:
    for parser in PHRASE_PARSERS:
        if (rule := parser(clean)) is not None:
            return rule
    if clean.startswith(("cron ", "@")):
        return cron_rule(clean.removeprefix("cron "))
    if len(clean.split()) == 5 and _CRON_START.match(clean) and not clean.startswith("every"):
        return cron_rule(clean)
    if clean == "hourly":
        return fixed_rule(3600)
    for word, days in (("daily", 1), ("weekly", 7)):
        if clean == word:
            return calendar_rule(days)
        if clean.startswith(word + " "):
            return calendar_rule(days, _time_only(clean.removeprefix(word + " ")))
    if clean.startswith("every "):
        return _parse_every(clean.removeprefix("every "))
    raise _unreadable(clean)


def _parse_every(body: str) -> RepeatRule:
    """After `every`: a duration (`2 days`, `30 seconds`) or days with a time (`friday 18:00`)."""
    match = _WITH_TIME.fullmatch(body)
    head, at = (match["head"], parse_time_of_day(match["time"])) if match else (body, None)
    parts = duration_parts(head) or duration_parts("1 " + head)
    if parts is not None:
        if set(parts) <= {"days", "weeks"}:
            return calendar_rule(parts.get("days", 0) + 7 * parts.get("weeks", 0), at)
        if at is not None:
            raise InvalidInput(
                "A repeat in hours, minutes or seconds can't have a time of day.",
                hint="Write `every 3 hours`, or `every day 18:00` for a daily time.",
            )
        return fixed_rule(duration_seconds(parts))
    weekdays = _parse_days(head)
    if weekdays is None:
        raise _unreadable("every " + body)
    if at is None:
        raise needs_time_of_day(f"every {body}")
    return weekday_rule(weekdays, at)


def _parse_days(text: str) -> frozenset[int] | None:
    """`monday, thursday`, `mon-fri`, `weekdays`, `day` -> weekdays (0 = Monday), or None."""
    days: set[int] = set()
    for token in re.split(r"\s*,\s*|\s+and\s+|\s+", text.strip()):
        names = token.split("-")
        if len(names) == 2 and all(_day(n) is not None for n in names):
            first, last = (_day(n) for n in names)
            assert first is not None and last is not None
            # Human ranges may wrap around the week: `fri-mon` is Friday to Monday.
            days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
        elif token in _DAY_GROUPS or token.removesuffix("s") in _DAY_GROUPS:
            days.update(_DAY_GROUPS[token.removesuffix("s")])
        elif (day := _day(token)) is not None:
            days.add(day)
        else:
            return None
    return frozenset(days) or None


def _day(token: str) -> int | None:
    return WEEKDAYS.get(token, WEEKDAYS.get(token.removesuffix("s")))


def _time_only(text: str) -> time:
    return parse_time_of_day(text.removeprefix("at ").strip())


def _unreadable(text: str) -> InvalidInput:
    return InvalidInput(
        "I can't read `{text}` as a repeat.",
        hint="Try {examples}.",
        params={"text": text, "examples": REPEAT_EXAMPLES},
    )
