"""Crontab meaning (weekday numbering, day-of-month or weekday) and the wall-clock engine."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings

from bot.scheduling.cron import PatternTrigger, WallPattern, parse_crontab
from bot.scheduling.zones import to_utc

try:
    from tests.scheduling.dst_strategies import cron_lines, near_a_transition
except ImportError:  # collected without the repository root on sys.path
    from dst_strategies import cron_lines, near_a_transition

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday, 11:00 CET


def utc(*args: int) -> datetime:
    """A UTC datetime, for readable expectations."""
    return datetime(*args, tzinfo=UTC)


def upcoming(pattern: WallPattern, count: int, after: datetime = NOW) -> list[datetime]:
    """The pattern's next `count` instants after `after`, in Berlin."""
    runs: list[datetime] = []
    while len(runs) < count:
        found = pattern.next_after(runs[-1] if runs else after, BERLIN)
        assert found is not None
        runs.append(found)
    return runs


@pytest.mark.parametrize(
    ("field", "weekdays"),
    [
        ("0", {6}),
        ("7", {6}),
        ("sun", {6}),
        ("1", {0}),
        ("5", {4}),
        ("6", {5}),
        ("1-5", {0, 1, 2, 3, 4}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("1,3,5", {0, 2, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        ("5-7", {4, 5, 6}),
        ("fri-sun", {4, 5, 6}),
        ("0,6", {5, 6}),
        ("*/2", {6, 1, 3, 5}),
        ("1-5/2", {0, 2, 4}),
        ("*", set(range(7))),
    ],
)
def test_cron_weekdays_use_crontab_numbering(field: str, weekdays: set[int]) -> None:
    runs = upcoming(parse_crontab(f"0 18 * * {field}"), 14)
    assert {run.astimezone(BERLIN).weekday() for run in runs} == weekdays


@pytest.mark.parametrize(("field", "weekday"), [("0", 6), ("7", 6), ("5", 4), ("1", 0)])
def test_the_trigger_fires_on_the_crontab_weekday(field: str, weekday: int) -> None:
    trigger = PatternTrigger(parse_crontab(f"0 18 * * {field}"), BERLIN, start_date=NOW)
    fire = trigger.get_next_fire_time(None, NOW)
    assert fire is not None and (fire.weekday(), fire.hour) == (weekday, 18)
    again = trigger.get_next_fire_time(fire, fire)
    assert again is not None and again - fire == timedelta(weeks=1)
    assert "dow=" in str(trigger)


def november_days(pattern: WallPattern) -> list[int]:
    """The days of November 2026 the pattern runs on."""
    return [d for d in range(1, 31) if pattern.matches_day(date(2026, 11, d))]


def test_day_of_month_or_weekday_when_both_are_restricted() -> None:
    either = parse_crontab("0 9 1 * mon")
    assert either.either_day
    assert november_days(either) == [1, 2, 9, 16, 23, 30]  # the 1st, and every Monday


def test_a_starred_day_field_means_both_must_match() -> None:
    assert november_days(parse_crontab("0 9 */2 * mon")) == [9, 23]
    assert november_days(parse_crontab("0 9 * * mon")) == [2, 9, 16, 23, 30]


def test_cron_fields_are_read_in_crontab_order() -> None:
    runs = upcoming(parse_crontab("30 6 15 jan,jul *"), 3)
    assert runs == [utc(2027, 1, 15, 5, 30), utc(2027, 7, 15, 4, 30), utc(2028, 1, 15, 5, 30)]


def test_a_rare_day_is_found_years_ahead() -> None:
    assert upcoming(parse_crontab("0 0 29 2 *"), 1) == [utc(2028, 2, 28, 23, 0)]


def test_macros_expand_to_their_fields() -> None:
    assert parse_crontab("@weekly") == parse_crontab("0 0 * * 0")
    assert parse_crontab("@daily") == parse_crontab("0 0 * * *")


def brute_force_next(pattern: WallPattern, previous: datetime, zone: ZoneInfo) -> datetime:
    """Localise every matching wall time from the day before `previous` until two matching days
    past the first one found, and take the least instant after `previous`. With a `*` hour
    (issue 15: every real hour, as cronie) a wall time repeated by DST counts twice."""
    day = previous.astimezone(zone).date() - timedelta(days=1)
    later: list[datetime] = []
    days_left = None
    while days_left != 0:
        if pattern.matches_day(day):
            walls = [datetime.combine(day, at) for at in pattern.times]
            instants = [to_utc(w, zone) for w in walls]
            if pattern.every_real_hour:
                seconds = (w.replace(tzinfo=zone, fold=1).astimezone(UTC) for w in walls)
                instants += [i for i in seconds if i.astimezone(zone).fold == 1]
            later += [i for i in instants if i > previous]
            days_left = None if not later else 2 if days_left is None else days_left - 1
        day += timedelta(days=1)
    return min(later)


@settings(max_examples=60, deadline=None)
@given(cron_lines.map(parse_crontab), near_a_transition())
def test_the_engine_finds_the_least_matching_instant(
    pattern: WallPattern, place: tuple[ZoneInfo, datetime]
) -> None:
    zone, previous = place
    assert pattern.next_after(previous, zone) == brute_force_next(pattern, previous, zone)
