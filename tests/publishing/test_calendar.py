"""The `/schedule list` calendar data: right releases on right days, paused, conflicts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule

from bot.publishing.calendar import CalendarSource, build_calendar
from bot.publishing.records import ScheduleRecord

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)  # a Monday


def schedule(
    id_: int, story_id: int, first: datetime, rule: str | None, per_run: int = 1
) -> ScheduleRecord:
    """An active schedule record as the repository would return it."""
    return ScheduleRecord(
        id=id_,
        story_id=story_id,
        created_by=1,
        next_run_at=int(first.timestamp()),
        rule=rule,
        timezone="Europe/Paris",
        chapters_per_run=per_run,
        channel_id=None,
        active=True,
        created_at=0,
    )


def labels(count: int) -> list[str]:
    """Chapter labels 1..count."""
    return [str(n) for n in range(1, count + 1)]


def test_weekly_runs_land_on_their_days_with_their_chapters() -> None:
    first = datetime(2027, 3, 5, 18, tzinfo=PARIS)
    source = CalendarSource(
        schedule(1, 1, first, "every friday 18:00"), "Tale", 5, False, labels(9)
    )
    days = build_calendar([source], PARIS, NOW)
    assert len(days) == 28 and days[0].day == date(2027, 3, 1)
    # Independently: Fridays 18:00 Paris wall time (through the DST change of 28 March).
    expected = list(rrule(WEEKLY, dtstart=first.replace(tzinfo=None), count=4))
    seen = [(e.at.replace(tzinfo=None), e.chapters) for d in days for e in d.entries]
    assert seen == [(at, (str(n),)) for n, at in enumerate(expected, start=1)]
    for day in days:
        assert all(e.at.date() == day.day for e in day.entries)
    assert all(not e.paused and not e.conflict for d in days for e in d.entries)


def test_a_schedule_stops_when_the_story_runs_out_and_per_run_counts() -> None:
    first = datetime(2027, 3, 2, 8, tzinfo=UTC)
    source = CalendarSource(schedule(1, 1, first, "daily", per_run=2), "Tale", 5, False, labels(5))
    entries = [e for d in build_calendar([source], UTC, NOW) for e in d.entries]
    assert [e.chapters for e in entries] == [("1", "2"), ("3", "4"), ("5",)]
    assert [e.at.date() for e in entries] == [date(2027, 3, n) for n in (2, 3, 4)]


def test_one_off_past_the_four_weeks_is_not_shown_and_zone_moves_the_day() -> None:
    late = CalendarSource(schedule(1, 1, NOW + timedelta(days=40), None), "Late", 5, False, ["1"])
    # 23:30 UTC on 2 March is already 3 March in Tokyo.
    tokyo = CalendarSource(
        schedule(2, 2, datetime(2027, 3, 2, 23, 30, tzinfo=UTC), None), "East", 5, False, ["1"]
    )
    days = build_calendar([late, tokyo], ZoneInfo("Asia/Tokyo"), NOW)
    shown = {d.day: [e.story_title for e in d.entries] for d in days if d.entries}
    assert shown == {date(2027, 3, 3): ["East"]}


def test_paused_greyed_and_conflicts_in_one_channel_within_ten_minutes() -> None:
    at = datetime(2027, 3, 3, 18, tzinfo=UTC)
    a = CalendarSource(schedule(1, 1, at, None), "A", 5, False, ["1"])
    b = CalendarSource(schedule(2, 2, at + timedelta(minutes=9), None), "B", 5, True, ["1"])
    c = CalendarSource(schedule(3, 3, at + timedelta(minutes=5), None), "C", 6, False, ["1"])
    d = CalendarSource(schedule(4, 4, at + timedelta(minutes=30), None), "D", 5, False, ["1"])
    (day,) = [d for d in build_calendar([a, b, c, d], UTC, NOW) if d.entries]
    flags = {e.story_title: (e.conflict, e.paused) for e in day.entries}
    assert flags == {
        "A": (True, False),
        "B": (True, True),
        "C": (False, False),
        "D": (False, False),
    }
    assert [e.story_title for e in day.entries] == ["A", "C", "B", "D"]


def test_one_story_twice_in_a_channel_is_no_conflict() -> None:
    at = datetime(2027, 3, 3, 18, tzinfo=UTC)
    a = CalendarSource(schedule(1, 1, at, None), "A", 5, False, ["1"])
    again = CalendarSource(schedule(2, 1, at + timedelta(minutes=2), None), "A", 5, False, ["2"])
    entries = [e for d in build_calendar([a, again], UTC, NOW) for e in d.entries]
    assert len(entries) == 2 and not any(e.conflict for e in entries)
