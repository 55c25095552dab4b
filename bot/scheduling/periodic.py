"""The wider repeat phrases: every other week, monthly by date or by weekday, and aliases.

- `WeeklyInterval` (`every other friday 18:00`, `every 2 weeks on friday 18:00`): the given
  weekdays in every Nth week (Monday to Sunday) counted from the first run's week.
- `MonthlyByDate` (`monthly`, `every month on the 1st at 9am`, `on the last day of every month
  20:00`): one day of every Nth month; a day a month lacks becomes its last day (31 -> 30 April,
  28/29 February), without drifting: the next month is back on the 31st.
- `MonthlyByWeekday` (`first friday of every month 18:00`, `last sunday of every month 10:00`).
- Aliases: `fridays 18:00`, `weekdays 9am`, `weekends 10:00`, `fortnightly`, `every other day`.

Each rule's `next_after` is exact arithmetic on local dates, then `zones.to_utc` for the wall
time, so a time in a DST gap moves forward by the gap and one in an overlap is its first
occurrence. Their APScheduler trigger (`RuleTrigger`) asks the rule itself.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from bot.errors import InvalidInput
from bot.scheduling.describe import clock, zone_label
from bot.scheduling.refusals import needs_time_of_day
from bot.scheduling.repeat import PHRASE_PARSERS, RepeatRule, parse_repeat
from bot.scheduling.when import TIME_PATTERN, WEEKDAYS, parse_time_of_day
from bot.scheduling.words import DAY_NAMES, ORDINALS, ordinal
from bot.scheduling.zones import to_utc

_AT = rf"(?:\s+(?:at\s+)?(?P<time>{TIME_PATTERN}))?"
_DAY_NAME = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_NTH = r"first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th"
_SPEC = (
    rf"(?:(?P<date>\d{{1,2}})(?:st|nd|rd|th)?|(?P<lastday>last day)"
    rf"|(?P<nth>{_NTH}) (?P<dow>{_DAY_NAME}))"
)
_EVERY_MONTH = r"(?:every (?P<count>\d+) months|every month|each month|monthly)"
_MONTH_FIRST = re.compile(rf"{_EVERY_MONTH}(?: on the {_SPEC})?{_AT}")
_SPEC_FIRST = re.compile(rf"(?:every |on |each )?(?:the )?{_SPEC} of (?:every|each|the) month{_AT}")
_WEEKS = re.compile(
    rf"every (?:other|(?P<count>\d+) weeks on) (?P<days>[a-z, -]+?)"
    rf"(?:\s+(?:at\s+)?(?P<time>{TIME_PATTERN}))?"
)
_ALIASES = {"fortnightly": "every 2 weeks", "every other day": "every 2 days",
            "every other week": "every 2 weeks", "every fortnight": "every 2 weeks"}  # fmt: skip
_GROUP_ALIAS = re.compile(r"(weekdays|weekends|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*days?s)\s+(.+)")
MAX_MONTHS = 12


def _wall(local: datetime) -> time:
    return local.time().replace(microsecond=0)


def _at_words(at: time) -> str:
    return clock(at.hour, at.minute, at.second)


@dataclass(frozen=True)
class WeeklyInterval(RepeatRule):
    """The given weekdays (0 = Monday) of every `weeks`-th week from the first run's week."""

    weeks: int
    weekdays: frozenset[int]
    at: time

    def _next(self, previous: datetime, zone: ZoneInfo, anchor: datetime) -> datetime:
        start = anchor.astimezone(zone).date()
        first_monday = start - timedelta(days=start.weekday())
        day = max(previous.astimezone(zone).date() - timedelta(days=1), start)
        for _ in range(7 * self.weeks + 14):
            week = (day - first_monday).days // 7
            if week % self.weeks == 0 and day.weekday() in self.weekdays:
                run = to_utc(datetime.combine(day, self.at), zone)
                if run > previous:
                    return run
            day += timedelta(days=1)
        raise AssertionError("unreachable: every period holds one of its weekdays")

    def to_trigger(self, zone: ZoneInfo, first_run: datetime) -> BaseTrigger:
        """A trigger asking this rule."""
        return RuleTrigger(self, zone, first_run)

    def phrase(self, zone: ZoneInfo, first_run: datetime) -> str:
        """E.g. `every other Friday at 18:00 CET`."""
        days = " and ".join(DAY_NAMES[d] for d in sorted(self.weekdays))
        period = "other" if self.weeks == 2 else f"{self.weeks} weeks on"
        following = self.next_after(first_run, zone, first_run)
        return f"every {period} {days} at {_at_words(self.at)} {zone_label(following, zone)}"


@dataclass(frozen=True)
class MonthlyByDate(RepeatRule):
    """Day `day` (-1: the last; None: the first run's) of every `months`-th month at `at`."""

    months: int
    day: int | None = None
    at: time | None = None

    def _next(self, previous: datetime, zone: ZoneInfo, anchor: datetime) -> datetime:
        local = anchor.astimezone(zone)
        day, at = self.day or local.day, self.at or _wall(local)
        return _monthly(previous, zone, local, self.months, lambda y, m: _clamped(y, m, day), at)

    def to_trigger(self, zone: ZoneInfo, first_run: datetime) -> BaseTrigger:
        """A trigger asking this rule."""
        return RuleTrigger(self, zone, first_run)

    def phrase(self, zone: ZoneInfo, first_run: datetime) -> str:
        """E.g. `every month on the 1st at 09:00 CET`."""
        local = first_run.astimezone(zone)
        day, at = self.day or local.day, self.at or _wall(local)
        which = "the last day" if day == -1 else f"the {ordinal(day)}"
        period = "month" if self.months == 1 else f"{self.months} months"
        following = self.next_after(first_run, zone, first_run)
        return f"every {period} on {which} at {_at_words(at)} {zone_label(following, zone)}"

    def bind(self, first_run: datetime, zone: ZoneInfo) -> RepeatRule:
        """Write the first run's day and time of day into the text."""
        local = first_run.astimezone(zone)
        return monthly_rule(self.months, self.day or local.day, self.at or _wall(local))


@dataclass(frozen=True)
class MonthlyByWeekday(RepeatRule):
    """The `nth` (1-5, -1: last) `weekday` of every month at `at`; months lacking it skip."""

    nth: int
    weekday: int
    at: time

    def _next(self, previous: datetime, zone: ZoneInfo, anchor: datetime) -> datetime:
        local = anchor.astimezone(zone)
        return _monthly(previous, zone, local, 1, self._day_in, self.at)

    def _day_in(self, year: int, month: int) -> date | None:
        days = [d for d in _month_days(year, month) if d.weekday() == self.weekday]
        index = self.nth - 1 if self.nth > 0 else self.nth
        return days[index] if -len(days) <= index < len(days) else None

    def to_trigger(self, zone: ZoneInfo, first_run: datetime) -> BaseTrigger:
        """A trigger asking this rule."""
        return RuleTrigger(self, zone, first_run)

    def phrase(self, zone: ZoneInfo, first_run: datetime) -> str:
        """E.g. `on the first Friday of every month at 18:00 CET`."""
        which = "last" if self.nth == -1 else _NTH_WORDS[self.nth]
        following = self.next_after(first_run, zone, first_run)
        day = DAY_NAMES[self.weekday]
        at = f"{_at_words(self.at)} {zone_label(following, zone)}"
        return f"on the {which} {day} of every month at {at}"


_NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def _month_days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


def _clamped(year: int, month: int, day: int) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day == -1 else min(day, last))


def _monthly(previous: datetime, zone: ZoneInfo, anchor: datetime, step: int, day_in: Any,
             at: time) -> datetime:  # fmt: skip
    """The first run after `previous` on `day_in(year, month)` of every `step`-th month
    counted from `anchor`'s month (the anchor's month itself included)."""
    base = anchor.year * 12 + anchor.month - 1
    local_previous = previous.astimezone(zone)
    behind = local_previous.year * 12 + local_previous.month - 1 - base
    k = max(0, behind // step - 1)
    for _ in range(120):
        index = base + k * step
        day = day_in(index // 12, index % 12 + 1)
        if day is not None:
            run = to_utc(datetime.combine(day, at), zone)
            if run > previous:
                return run
        k += 1
    raise InvalidInput(
        "That monthly rule never happens.", hint="Try `first friday of every month 18:00`."
    )


class RuleTrigger(BaseTrigger):
    """An APScheduler trigger firing at `first_run`, then wherever `rule.next_after` says."""

    __slots__ = ("first_run", "rule", "timezone")

    def __init__(self, rule: RepeatRule, timezone: ZoneInfo, first_run: datetime) -> None:
        self.rule, self.timezone, self.first_run = rule, timezone, first_run

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The first run, or the rule's next run after the previous fire time (or now)."""
        if previous_fire_time is None:
            if now <= self.first_run:
                return self.first_run.astimezone(self.timezone)
            previous_fire_time = now - timedelta(microseconds=1)
        found = self.rule.next_after(previous_fire_time, self.timezone, self.first_run)
        return found.astimezone(self.timezone)

    def __getstate__(self) -> dict[str, Any]:
        return {"version": 1, "rule": self.rule.text, "timezone": self.timezone.key,
                "first_run": self.first_run}  # fmt: skip

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.rule = RepeatRule.from_text(state["rule"])
        self.timezone = ZoneInfo(state["timezone"])
        self.first_run = state["first_run"]

    def __str__(self) -> str:
        return f"rule[{self.rule.text}]"


# --- building and parsing ----------------------------------------------------------------------


def monthly_rule(months: int, day: int | None = None, at: time | None = None) -> MonthlyByDate:
    """Every `months` months on `day` (-1: last) at `at`, with its normalised text."""
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput("That repeat is too long.", hint="Repeats can be at most a year apart.")
    if day is not None and not (day == -1 or 1 <= day <= 31):
        raise InvalidInput(
            "There is no day {day} in a month.", hint="Days go from 1 to 31.", params={"day": day}
        )
    period = "every month" if months == 1 else f"every {months} months"
    if day is None:
        text = ("monthly" if months == 1 else period) + (f" at {_at_words(at)}" if at else "")
    else:
        which = "the last day" if day == -1 else f"the {ordinal(day)}"
        text = f"{period} on {which}" + (f" {_at_words(at)}" if at else "")
    return MonthlyByDate(text, months, day, at)


def parse_periodic(clean: str) -> RepeatRule | None:
    """The rule for a phrase of this module's families, or None to let `repeat` try."""
    if clean in _ALIASES:
        return parse_repeat(_ALIASES[clean])
    if alias := _GROUP_ALIAS.fullmatch(clean):
        return parse_repeat(f"every {alias[1]} {alias[2]}")
    if (match := _MONTH_FIRST.fullmatch(clean)) or (match := _SPEC_FIRST.fullmatch(clean)):
        return _monthly_from(match)
    if match := _WEEKS.fullmatch(clean):
        return _weeks_from(match, clean)
    return None


def _monthly_from(match: re.Match[str]) -> RepeatRule:
    at = parse_time_of_day(match["time"]) if match["time"] else None
    months = int(match.groupdict().get("count") or 1)
    if match["nth"]:
        if at is None:
            raise needs_time_of_day(match[0])
        nth, weekday = ORDINALS[match["nth"]], WEEKDAYS[match["dow"]]
        which = "last" if nth == -1 else _NTH_WORDS[nth]
        text = f"every month on the {which} {DAY_NAMES[weekday].lower()} {_at_words(at)}"
        return MonthlyByWeekday(text, nth, weekday, at)
    day = -1 if match["lastday"] else (int(match["date"]) if match["date"] else None)
    return monthly_rule(months, day, at)


def _weeks_from(match: re.Match[str], clean: str) -> RepeatRule:
    weeks = int(match["count"] or 2)
    if not 1 <= weeks <= 52:
        raise InvalidInput("That repeat is too long.", hint="Repeats can be at most a year apart.")
    day_names = [w for w in re.split(r"\s*,\s*|\s+and\s+|\s+", match["days"].strip()) if w]
    weekdays = frozenset(WEEKDAYS.get(w, WEEKDAYS.get(w.removesuffix("s"), -1)) for w in day_names)
    if -1 in weekdays or not weekdays:
        return None  # type: ignore[return-value]  # not this family: `repeat` explains
    if match["time"] is None:
        raise needs_time_of_day(clean)
    at = parse_time_of_day(match["time"])
    names = ", ".join(DAY_NAMES[d].lower() for d in sorted(weekdays))
    return WeeklyInterval(f"every {weeks} weeks on {names} {_at_words(at)}", weeks, weekdays, at)


PHRASE_PARSERS.append(parse_periodic)
