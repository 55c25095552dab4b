"""One-off phrases, table by family; expected instants built here from zoneinfo wall times.

The expectations never use the parser's helpers: a wall time is localised with
`datetime(..., tzinfo=ZoneInfo(...))` (PEP 495 fold=0: first occurrence in an overlap, moved
forward by the gap in a spring gap), durations are plain UTC arithmetic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.scheduling.when import parse_when, read_when

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday 11:00 in Paris


def wall(zone: ZoneInfo, *args: int) -> datetime:
    """A local wall time in `zone` as a UTC instant (fold=0)."""
    return datetime(*args, tzinfo=zone).astimezone(UTC)


DATES = [
    ("2026-12-24 18:00", "fr", (2026, 12, 24, 18)),
    ("24.12.2026 18:00", "en-US", (2026, 12, 24, 18)),
    ("24.12.2026 18h", "de", (2026, 12, 24, 18)),
    ("24/12/2026 18:00", "fr", (2026, 12, 24, 18)),
    ("24/12/2026 18:00", "en-GB", (2026, 12, 24, 18)),
    ("12/24/2026 6pm", "en-US", (2026, 12, 24, 18)),
    ("1/2/2027 9am", "en-US", (2027, 1, 2, 9)),
    ("1/2/2027 9am", "fr", (2027, 2, 1, 9)),
    ("dec 24 6pm", "en-US", (2026, 12, 24, 18)),
    ("24 december 18:00", "en-US", (2026, 12, 24, 18)),
    ("december 24th at 18h00", "en-US", (2026, 12, 24, 18)),
    ("24.12. 18.00", "de", (2026, 12, 24, 18)),
]


@pytest.mark.parametrize(("text", "locale", "local"), DATES)
def test_dates(text: str, locale: str, local: tuple[int, ...]) -> None:
    assert parse_when(text, PARIS, NOW, locale) == wall(PARIS, *local)


RELATIVE_DAYS = [
    ("tomorrow 18:00", (2026, 11, 26, 18)),
    ("friday 6pm", (2026, 11, 27, 18)),
    ("next friday 18:00", (2026, 11, 27, 18)),
    ("this friday", (2026, 11, 27, 11)),  # the time it is now
    ("next wednesday 18:00", (2026, 12, 2, 18)),
    ("wednesday 18:00", (2026, 11, 25, 18)),
    ("wednesday 9:00", (2026, 12, 2, 9)),
    ("tonight", (2026, 11, 25, 20)),
    ("tonight 2am", (2026, 11, 26, 2)),
    ("tonight 11pm", (2026, 11, 25, 23)),
    ("noon", (2026, 11, 25, 12)),
    ("midnight", (2026, 11, 26, 0)),
]


@pytest.mark.parametrize(("text", "local"), RELATIVE_DAYS)
def test_relative_days(text: str, local: tuple[int, ...]) -> None:
    assert parse_when(text, PARIS, NOW) == wall(PARIS, *local)


def test_next_friday_on_a_saturday_and_on_a_friday() -> None:
    saturday = wall(PARIS, 2026, 11, 28, 10)
    friday = wall(PARIS, 2026, 11, 27, 10)
    assert parse_when("next friday 18:00", PARIS, saturday) == wall(PARIS, 2026, 12, 4, 18)
    assert parse_when("next friday 18:00", PARIS, friday) == wall(PARIS, 2026, 12, 4, 18)
    assert parse_when("friday 18:00", PARIS, friday) == wall(PARIS, 2026, 11, 27, 18)


DURATIONS = [
    ("in 2 hours", timedelta(hours=2)),
    ("in two hours", timedelta(hours=2)),
    ("in half an hour", timedelta(minutes=30)),
    ("in an hour and a half", timedelta(minutes=90)),
    ("in 90 minutes", timedelta(minutes=90)),
    ("in ninety minutes", timedelta(minutes=90)),
    ("in 3 days", timedelta(days=3)),
    ("in three days", timedelta(days=3)),
    ("in a week", timedelta(weeks=1)),
]


@pytest.mark.parametrize(("text", "delta"), DURATIONS)
def test_durations_are_real_elapsed_time(text: str, delta: timedelta) -> None:
    assert parse_when(text, PARIS, NOW) == NOW + delta
    across_autumn = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    assert parse_when(text, PARIS, across_autumn) == across_autumn + delta


TIMES = ["18:00", "6pm", "6 pm", "18h", "18h00", "18.00", "6:00pm", "18:00:00", "at 18:00"]


@pytest.mark.parametrize("text", TIMES)
def test_ways_to_write_a_time(text: str) -> None:
    assert parse_when(text, PARIS, NOW) == wall(PARIS, 2026, 11, 25, 18)


def test_six_thirty_pm() -> None:
    assert parse_when("6:30pm", NEW_YORK, NOW) == wall(NEW_YORK, 2026, 11, 25, 18, 30)


ZONES = [
    ("18:00 UTC", "UTC", ZoneInfo("UTC")),
    ("18:00 utc", "UTC", ZoneInfo("UTC")),
    ("18:00Z", "UTC", ZoneInfo("UTC")),
    ("18:00 z", "UTC", ZoneInfo("UTC")),
    ("18:00 GMT", "UTC", ZoneInfo("UTC")),
    ("18:00 +01:00", "UTC+01:00", timezone(timedelta(hours=1))),
    ("18:00+0530", "UTC+05:30", timezone(timedelta(hours=5, minutes=30))),
    ("18:00 -05:00", "UTC-05:00", timezone(timedelta(hours=-5))),
    ("18:00 CET", "Europe/Paris", ZoneInfo("Europe/Paris")),
    ("18:00 cest", "Europe/Paris", ZoneInfo("Europe/Paris")),
    ("18:00 EST", "America/New_York", ZoneInfo("America/New_York")),
    ("18:00 PST", "America/Los_Angeles", ZoneInfo("America/Los_Angeles")),
    ("18:00 EET", "Europe/Athens", ZoneInfo("Europe/Athens")),
    ("18:00 JST", "Asia/Tokyo", ZoneInfo("Asia/Tokyo")),
    ("18:00 MST", "America/Denver", ZoneInfo("America/Denver")),
    ("18:00 Europe/Paris", "Europe/Paris", ZoneInfo("Europe/Paris")),
    ("18:00 europe/paris", "Europe/Paris", ZoneInfo("Europe/Paris")),
    ("18:00 America/New_York", "America/New_York", ZoneInfo("America/New_York")),
]


@pytest.mark.parametrize(("text", "name", "expected_zone"), ZONES)
def test_a_typed_zone_overrides_the_authors(text: str, name: str, expected_zone: object) -> None:
    moment, zone = read_when(text, LORD_HOWE, NOW)
    expected = datetime(2026, 11, 25, 18, tzinfo=expected_zone).astimezone(UTC)  # type: ignore[arg-type]
    if expected <= NOW:  # already past today there: tomorrow
        expected = datetime(2026, 11, 26, 18, tzinfo=expected_zone).astimezone(UTC)  # type: ignore[arg-type]
    assert moment == expected
    assert (getattr(zone, "key", None) or zone.tzname(None)) == name


def test_an_abbreviation_follows_summer_time() -> None:
    assert parse_when("2027-07-01 18:00 CET", NEW_YORK, NOW) == wall(PARIS, 2027, 7, 1, 18)


@pytest.mark.parametrize(
    ("zone", "typed", "shifted"),
    [
        (PARIS, "2027-03-28 02:30", (2027, 3, 28, 3, 30)),
        (NEW_YORK, "2027-03-14 02:30", (2027, 3, 14, 3, 30)),
        (LORD_HOWE, "2027-10-03 02:15", (2027, 10, 3, 2, 45)),  # a 30-minute gap
    ],
)
def test_a_time_in_a_spring_gap_moves_forward_by_the_gap(
    zone: ZoneInfo, typed: str, shifted: tuple[int, ...]
) -> None:
    moved = parse_when(typed, zone, NOW)
    local = moved.astimezone(zone)
    assert (local.year, local.month, local.day, local.hour, local.minute) == shifted


@pytest.mark.parametrize(
    ("zone", "typed", "offset_hours"),
    [
        (PARIS, "2027-10-31 02:30", 2),
        (NEW_YORK, "2027-11-07 01:30", -4),
        (LORD_HOWE, "2027-04-04 01:45", 11),
    ],
)
def test_a_time_in_an_autumn_overlap_is_its_first_occurrence(
    zone: ZoneInfo, typed: str, offset_hours: float
) -> None:
    moment = parse_when(typed, zone, NOW)
    assert moment.astimezone(zone).utcoffset() == timedelta(hours=offset_hours)


REFUSALS = [
    ("gibberish", "can't read"),
    ("31.02.2027 18:00", "no day 31 in february 2027"),
    ("2020-01-01 10:00", "in the past"),
    ("25:00", "hours go from 0 to 23"),
    ("18:00 Mars/Olympus", "not a time zone"),
    ("24/12/2026 18:00", "no month 24"),  # en-US reads it month first
    ("tomorow 18:00", "can't read"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSALS)
def test_refusals_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_when(text, PARIS, NOW)
    assert reason in caught.value.message.lower()


def test_a_near_miss_suggests_the_fix() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_when("tomorow 18:00", PARIS, NOW)
    assert 'Did you mean "tomorrow 18:00"?' in (caught.value.hint or "")


def test_tonight_after_eight_says_what_it_means() -> None:
    with pytest.raises(InvalidInput, match="20:00"):
        parse_when("tonight", PARIS, wall(PARIS, 2026, 11, 25, 21))
