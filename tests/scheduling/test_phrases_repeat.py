"""Repeat phrases, table by family: runs checked against `dateutil.rrule` wall times localised
with zoneinfo (fold=0), never against the parser's own helpers; DST in Paris, New York and
Lord Howe; and hypothesis properties over them."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.scheduling import RepeatRule, parse_repeat

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
ZONES = (PARIS, NEW_YORK, LORD_HOWE)
COUNT = 30


def localise(walls: list[datetime], zone: ZoneInfo) -> list[datetime]:
    """Naive wall times as UTC instants, first occurrence (fold=0), in order, no duplicates."""
    return sorted({w.replace(tzinfo=zone).astimezone(UTC) for w in walls})


def runs(typed: str, zone: ZoneInfo, first_run: datetime, count: int = COUNT) -> list[datetime]:
    """The first run and the following ones, as the publisher chains them."""
    rule = parse_repeat(typed).bind(first_run, zone)
    found = [first_run]
    while len(found) < count:
        found.append(rule.next_after(found[-1], zone, first_run))
    return found


def expected(zone: ZoneInfo, count: int = COUNT, **rule: object) -> list[datetime]:
    """`count` occurrences of a dateutil rule over naive wall times, localised in `zone`."""
    walls = list(rrule.rrule(count=count + 5, **rule))  # type: ignore[arg-type]
    return localise(walls, zone)[:count]


# A Friday 18:00 before the autumn change in every zone's year (Lord Howe: spring in October).
START = datetime(2026, 10, 2, 18, 0)
FR, MO, WE, SA, SU = rrule.FR, rrule.MO, rrule.WE, rrule.SA, rrule.SU

WEEKLY_FAMILY = [
    ("every friday 18:00", {"freq": rrule.WEEKLY, "byweekday": FR}),
    ("fridays 18:00", {"freq": rrule.WEEKLY, "byweekday": FR}),
    ("weekly", {"freq": rrule.WEEKLY}),
    ("every mon, wed, fri 18:00", {"freq": rrule.WEEKLY, "byweekday": (MO, WE, FR)}),
    ("weekdays 18:00", {"freq": rrule.DAILY, "byweekday": (MO, rrule.TU, WE, rrule.TH, FR)}),
    ("every weekday 6pm", {"freq": rrule.DAILY, "byweekday": (MO, rrule.TU, WE, rrule.TH, FR)}),
    ("weekends 18:00", {"freq": rrule.DAILY, "byweekday": (SA, SU)}),
    ("every other friday 18:00", {"freq": rrule.WEEKLY, "interval": 2, "byweekday": FR}),
    ("every 2 weeks on friday 18:00", {"freq": rrule.WEEKLY, "interval": 2, "byweekday": FR}),
    ("every 3 weeks on friday 18:00", {"freq": rrule.WEEKLY, "interval": 3, "byweekday": FR}),
    ("fortnightly", {"freq": rrule.WEEKLY, "interval": 2}),
    ("daily", {"freq": rrule.DAILY}),
    ("every day 18:00", {"freq": rrule.DAILY}),
    ("every 3 days", {"freq": rrule.DAILY, "interval": 3}),
    ("every other day", {"freq": rrule.DAILY, "interval": 2}),
]


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize(("typed", "spec"), WEEKLY_FAMILY)
def test_days_and_weeks(typed: str, spec: dict, zone: ZoneInfo) -> None:
    first = START.replace(tzinfo=zone).astimezone(UTC)
    following = [run for run in expected(zone, COUNT + 1, dtstart=START, **spec) if run > first]
    assert runs(typed, zone, first)[1:] == following[: COUNT - 1]


MONTHLY_FAMILY = [
    ("monthly", datetime(2027, 1, 31, 18), {"bymonthday": (28, 29, 30, 31), "bysetpos": -1}),
    ("monthly", datetime(2027, 1, 15, 18), {"bymonthday": 15}),
    ("every month on the 1st at 6pm", datetime(2027, 1, 1, 18), {"bymonthday": 1}),
    ("every 1st of the month 18:00", datetime(2027, 1, 1, 18), {"bymonthday": 1}),
    ("on the last day of every month 18:00", datetime(2027, 1, 31, 18), {"bymonthday": -1}),
    (
        "every month on the 30th 18:00",
        datetime(2027, 1, 30, 18),
        {"bymonthday": (28, 29, 30), "bysetpos": -1},
    ),
    ("first friday of every month 18:00", datetime(2027, 1, 1, 18), {"byweekday": FR(1)}),
    ("last sunday of every month 18:00", datetime(2027, 1, 31, 18), {"byweekday": SU(-1)}),
    ("the second monday of each month 18:00", datetime(2027, 1, 11, 18), {"byweekday": MO(2)}),
    (
        "every 2 months on the 15th 18:00",
        datetime(2027, 1, 15, 18),
        {"bymonthday": 15, "interval": 2},
    ),
]


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize(("typed", "start", "spec"), MONTHLY_FAMILY)
def test_months_skip_none_and_clamp(
    typed: str, start: datetime, spec: dict, zone: ZoneInfo
) -> None:
    first = start.replace(tzinfo=zone).astimezone(UTC)
    assert runs(typed, zone, first, 24) == expected(
        zone, 24, freq=rrule.MONTHLY, dtstart=start, **spec
    )


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize(("typed", "hours"), [("hourly", 1), ("every 12 hours", 12)])
def test_fixed_intervals_are_real_time(typed: str, hours: int, zone: ZoneInfo) -> None:
    first = datetime(2026, 10, 24, 20, tzinfo=UTC)
    found = runs(typed, zone, first, 60)
    walls = rrule.rrule(rrule.HOURLY, interval=hours, dtstart=first.replace(tzinfo=None), count=60)
    assert found == [w.replace(tzinfo=UTC) for w in walls]


AUTUMN_DAYS = [(PARIS, datetime(2026, 10, 25)), (NEW_YORK, datetime(2026, 11, 1)),
               (LORD_HOWE, datetime(2027, 4, 4))]  # fmt: skip


@pytest.mark.parametrize(("zone", "day"), AUTUMN_DAYS, ids=str)
@pytest.mark.parametrize("typed", ["0 * * * *", "30 * * * *", "hourly"])
def test_a_star_hour_fires_every_real_hour_on_an_autumn_day(
    typed: str, zone: ZoneInfo, day: datetime
) -> None:
    start = day.replace(tzinfo=zone).astimezone(UTC)
    end = (day + timedelta(days=1)).replace(tzinfo=zone).astimezone(UTC)
    minute = 30 if typed.startswith("30") else 0
    first = start + timedelta(minutes=minute)
    found = [run for run in runs(typed, zone, first, 30) if run < end]
    if typed == "hourly":
        wanted = [first + timedelta(hours=k) for k in range(30)]
    else:  # every real instant of the day whose local wall clock shows minute `minute`
        instants = (
            start + timedelta(minutes=k) for k in range((end - start) // timedelta(minutes=1))
        )
        wanted = [i for i in instants if i.astimezone(zone).minute == minute]
    assert found == [run for run in wanted if run < end]
    if zone is not LORD_HOWE:  # a one-hour change: 25 runs, one per real hour
        assert len(found) == 25
        assert all(b - a == timedelta(hours=1) for a, b in pairwise(found))


@pytest.mark.parametrize(("zone", "day"), AUTUMN_DAYS, ids=str)
def test_a_fixed_hour_in_the_overlap_fires_once(zone: ZoneInfo, day: datetime) -> None:
    at = "1:30" if zone is not PARIS else "2:30"
    hour, minute = (int(x) for x in at.split(":"))
    typed = f"{minute} {hour} * * *"
    first = (day - timedelta(days=1)).replace(hour=hour, minute=minute, tzinfo=zone)
    found = runs(typed, zone, first.astimezone(UTC), 4)
    local_days = [run.astimezone(zone).date() for run in found]
    assert local_days == [(day + timedelta(days=k - 1)).date() for k in range(4)]


def test_sun_sun_is_sunday_only() -> None:
    first = datetime(2026, 11, 29, 18, tzinfo=PARIS).astimezone(UTC)
    found = runs("0 18 * * sun-sun", PARIS, first, 10)
    assert found == expected(PARIS, 10, freq=rrule.WEEKLY, dtstart=datetime(2026, 11, 29, 18))


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("fridays 18:00", "every friday 18:00"),
        ("weekdays 9am", "every weekday 09:00"),
        ("weekends 10:00", "every weekend 10:00"),
        ("every other friday 18:00", "every 2 weeks on friday 18:00"),
        ("fortnightly", "every 2 weeks"),
        ("monthly", "monthly"),
        ("every month on the 1st at 9am", "every month on the 1st 09:00"),
        ("every 1st of the month 9am", "every month on the 1st 09:00"),
        ("on the last day of every month 20:00", "every month on the last day 20:00"),
        ("first friday of every month 18:00", "every month on the first friday 18:00"),
    ],
)
def test_normalised_texts_read_back(typed: str, text: str) -> None:
    rule = parse_repeat(typed)
    assert rule.text == text
    assert RepeatRule.from_text(text) == rule


@pytest.mark.parametrize(
    ("typed", "reason", "suggestion"),
    [
        ("every fridy 18:00", "can't read", '"every friday 18:00"'),
        ("every other fridya 18:00", "can't read", '"every other friday 18:00"'),
        ("montly", "can't read", '"monthly"'),
        ("every other friday", "needs a time", None),
        ("first friday of every month", "needs a time", None),
        ("every month on the 32nd 9:00", "no day 32", None),
        ("0 0 30 2 *", "never happens", None),
    ],
)
def test_refusals_and_suggestions(typed: str, reason: str, suggestion: str | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_repeat(typed)
    assert reason in caught.value.message
    if suggestion:
        assert f"Did you mean {suggestion}?" in (caught.value.hint or "")


# --- properties --------------------------------------------------------------------------------

PHRASES = [phrase for phrase, _ in WEEKLY_FAMILY] + [phrase for phrase, _, _ in MONTHLY_FAMILY]
PHRASES += ["hourly", "every 12 hours", "0 * * * *", "30 2 * * *", "every day 02:30",
            "every day 02:15", "0 0 * * *", "every day 00:00"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(PHRASES),
    st.sampled_from(ZONES),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 1)),
)
def test_runs_increase_and_each_wall_time_fires_once(
    typed: str, zone: ZoneInfo, start: datetime
) -> None:
    first = start.replace(second=0, microsecond=0, tzinfo=zone).astimezone(UTC)
    rule = parse_repeat(typed).bind(first, zone)
    found = runs(typed, zone, first, 40)
    assert all(a < b for a, b in pairwise(found))
    if isinstance(rule, RepeatRule) and not typed.startswith(("hourly", "every 12", "0 *")):
        # A rule at a fixed time of day fires at most once per local day: no doubled overlap.
        days = [run.astimezone(zone).date() for run in found[1:]]
        assert len(days) == len(set(days))
    for run in found:
        # Every run is a real instant whose local wall time exists (it round-trips).
        local = run.astimezone(zone)
        assert local.replace(tzinfo=None).replace(tzinfo=zone, fold=local.fold) == local


NEW_RULES = ["every other friday 18:00", "monthly", "on the last day of every month 20:00",
             "first friday of every month 18:00", "every 2 months on the 31st 02:30"]  # fmt: skip


@pytest.mark.parametrize("typed", NEW_RULES)
@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_the_trigger_fires_where_next_after_says_and_survives_pickling(
    typed: str, zone: ZoneInfo
) -> None:
    first = datetime(2026, 10, 2, 18, tzinfo=zone).astimezone(UTC)
    rule = parse_repeat(typed).bind(first, zone)
    trigger = pickle.loads(pickle.dumps(rule.to_trigger(zone, first)))
    fired = [trigger.get_next_fire_time(None, first)]
    while len(fired) < 15:
        fired.append(trigger.get_next_fire_time(fired[-1], fired[-1]))
    assert [run.astimezone(UTC) for run in fired] == runs(typed, zone, first, 15)
