"""Repeat rules: parsing, normalised text, next runs across DST, APScheduler triggers, previews."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.scheduling import preview_repeat
from bot.scheduling.describe import describe_repeat
from bot.scheduling.repeat import (
    CalendarInterval,
    FixedInterval,
    RepeatRule,
    WallClock,
    calendar_rule,
    fixed_rule,
    parse_repeat,
    weekday_rule,
)

try:
    from tests.scheduling.dst_strategies import cron_lines, near_a_transition, times_of_day
except ImportError:  # collected without the repository root on sys.path
    from dst_strategies import cron_lines, near_a_transition, times_of_day

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday, 11:00 CET
FRIDAY_18 = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # Fri 27 Nov 2026 18:00 CET


def utc(*args: int) -> datetime:
    """A UTC datetime, for readable expectations."""
    return datetime(*args, tzinfo=UTC)


def series(rule: RepeatRule, zone: ZoneInfo, first_run: datetime, count: int) -> list[datetime]:
    """The first `count` runs by `next_after`, the way the publisher chains them."""
    runs = [first_run]
    while len(runs) < count:
        runs.append(rule.next_after(runs[-1], zone, first_run))
    return runs


def trigger_series(
    rule: RepeatRule, zone: ZoneInfo, first_run: datetime, count: int
) -> list[datetime]:
    """The first `count` fire times of the rule's APScheduler trigger, as the scheduler asks.

    They are converted to UTC: aware datetimes inside a repeated hour never compare equal
    across zones (PEP 495), even when they denote the same instant.
    """
    trigger = rule.to_trigger(zone, first_run)
    runs = [trigger.get_next_fire_time(None, first_run)]
    while len(runs) < count:
        runs.append(trigger.get_next_fire_time(runs[-1], runs[-1]))
    return [run.astimezone(UTC) for run in runs]


def local_hours(runs: list[datetime], zone: ZoneInfo) -> set[str]:
    """The distinct local wall times of `runs`."""
    return {run.astimezone(zone).strftime("%H:%M") for run in runs}


# --- parsing and normalised text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "text", "kind"),
    [
        ("daily", "daily", CalendarInterval),
        ("weekly", "weekly", CalendarInterval),
        ("hourly", "hourly", FixedInterval),
        ("every day", "daily", CalendarInterval),
        ("every week", "weekly", CalendarInterval),
        ("every hour", "hourly", FixedInterval),
        ("every 60 minutes", "hourly", FixedInterval),
        ("every friday 18:00", "every friday 18:00", WallClock),
        ("Every  FRI at 6pm", "every friday 18:00", WallClock),
        ("every 2 days", "every 2 days", CalendarInterval),
        ("every 14 days", "every 2 weeks", CalendarInterval),
        ("every 1 week 2 days", "every 9 days", CalendarInterval),
        ("every 2 days at 6pm", "every 2 days at 18:00", CalendarInterval),
        ("weekly at 18:00", "weekly at 18:00", CalendarInterval),
        ("every 30 seconds", "every 30 seconds", FixedInterval),
        ("every 3 hours", "every 3 hours", FixedInterval),
        ("every 120 minutes", "every 2 hours", FixedInterval),
        ("every 2h30m", "every 150 minutes", FixedInterval),
        ("every 1d12h", "every 36 hours", FixedInterval),
        ("every monday, thursday 19:30", "every monday, thursday 19:30", WallClock),
        ("every thursday and monday at 7:30pm", "every monday, thursday 19:30", WallClock),
        ("every mondays,fridays 8am", "every monday, friday 08:00", WallClock),
        ("every mon-fri 9:00", "every weekday 09:00", WallClock),
        ("every weekday 9:00", "every weekday 09:00", WallClock),
        ("every weekend 10:00", "every weekend 10:00", WallClock),
        ("daily 18:00", "every day 18:00", WallClock),
        ("daily at 6:30pm", "every day 18:30", WallClock),
        ("every day at 18:00:30", "every day 18:00:30", WallClock),
        ("0 18 * * 5", "cron 0 18 * * 5", WallClock),
        ("cron  0 18 * *  5", "cron 0 18 * * 5", WallClock),
        ("*/15 9-17 * * MON-FRI", "cron */15 9-17 * * mon-fri", WallClock),
        ("@weekly", "cron 0 0 * * 0", WallClock),
    ],
)
def test_accepted_forms_and_their_normalised_text(
    typed: str, text: str, kind: type[RepeatRule]
) -> None:
    rule = parse_repeat(typed)
    assert (rule.text, type(rule)) == (text, kind)
    assert RepeatRule.from_text(rule.text) == rule


def refusal(text: str) -> InvalidInput:
    """The error `parse_repeat` raises for `text`."""
    with pytest.raises(InvalidInput) as caught:
        parse_repeat(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("sometimes", "can't read"),
        ("every blue moon", "can't read"),
        ("", "empty"),
        ("every friday", "needs a time"),
        ("every 5 seconds", "too often"),
        ("every 0 days", "too often"),
        ("every 400 days", "too long"),
        ("every 999999999 weeks", "too long"),
        ("every 3 hours at 18:00", "can't have a time of day"),
        ("every friday 25:00", "hours go from 0 to 23"),
        ("daily at 18:61", "minutes go from 0 to 59"),
        ("60 * * * *", "outside 0-59"),
        ("0 24 * * *", "outside 0-23"),
        ("0 0 0 * *", "outside 1-31"),
        ("0 0 * 13 *", "outside 1-12"),
        ("0 0 * * 8", "outside 0-7"),
        ("0 18 * * 5-1", "runs backwards"),
        ("*/0 * * * *", "step of 0"),
        ("0 18 * * funday", "not a value"),
        ("0 18 * *", "can't read"),
        ("cron 0 18 * *", "5 fields"),
        ("0 0 31 2 *", "never happens"),
        ("0 0 31 4,6,9,11 *", "never happens"),
        ("x" * 101, "too long"),
    ],
)
def test_refusals_explain_why(text: str, reason: str) -> None:
    error = refusal(text)
    assert reason in error.message
    assert error.hint or "too long" in error.message


def test_unreadable_repeats_list_the_accepted_forms() -> None:
    hint = refusal("sometimes").hint or ""
    for form in ("daily", "every friday 18:00", "every 30 seconds", "0 18 * * 5"):
        assert form in hint


# --- next runs and DST -------------------------------------------------------------------------

# Berlin leaves summer time on Sun 25 Oct 2026 and enters it on Sun 28 Mar 2027.
OCTOBER_EVE = datetime(2026, 10, 23, 16, 0, tzinfo=UTC)  # Fri 23 Oct 18:00 CEST
MARCH_EVE = datetime(2027, 3, 26, 17, 0, tzinfo=UTC)  # Fri 26 Mar 18:00 CET


@pytest.mark.parametrize("typed", ["daily", "every day 18:00", "0 18 * * *", "every 1 day"])
def test_daily_18_00_stays_18_00_local_across_both_dst_changes(typed: str) -> None:
    rule = parse_repeat(typed)
    autumn = series(rule, BERLIN, OCTOBER_EVE, 4)
    assert autumn == [utc(2026, 10, 23, 16), utc(2026, 10, 24, 16), utc(2026, 10, 25, 17),
                      utc(2026, 10, 26, 17)]  # fmt: skip
    spring = series(rule, BERLIN, MARCH_EVE, 4)
    assert spring == [utc(2027, 3, 26, 17), utc(2027, 3, 27, 17), utc(2027, 3, 28, 16),
                      utc(2027, 3, 29, 16)]  # fmt: skip
    assert local_hours(autumn + spring, BERLIN) == {"18:00"}


def test_every_2_days_is_anchored_at_the_first_runs_local_time() -> None:
    runs = series(parse_repeat("every 2 days"), BERLIN, OCTOBER_EVE, 4)
    assert runs == [utc(2026, 10, 23, 16), utc(2026, 10, 25, 17), utc(2026, 10, 27, 17),
                    utc(2026, 10, 29, 17)]  # fmt: skip


def test_every_2_days_at_a_time_counts_days_from_the_first_run() -> None:
    first = datetime(2026, 10, 23, 8, 0, tzinfo=UTC)  # Fri 10:00 CEST
    runs = series(parse_repeat("every 2 days at 18:00"), BERLIN, first, 3)
    assert runs == [first, utc(2026, 10, 25, 17), utc(2026, 10, 27, 17)]


def test_weekly_and_every_friday_keep_the_wall_time() -> None:
    for typed in ("weekly", "every friday 18:00", "0 18 * * fri"):
        runs = series(parse_repeat(typed), BERLIN, OCTOBER_EVE, 3)
        assert runs == [utc(2026, 10, 23, 16), utc(2026, 10, 30, 17), utc(2026, 11, 6, 17)]


def test_fixed_intervals_ignore_the_wall_clock() -> None:
    first = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    runs = series(parse_repeat("every 3 hours"), BERLIN, first, 4)
    assert [b - a for a, b in pairwise(runs)] == [timedelta(hours=3)] * 3
    seconds = series(parse_repeat("every 30 seconds"), BERLIN, first, 3)
    assert seconds == [first, first + timedelta(seconds=30), first + timedelta(seconds=60)]


def test_a_daily_time_skipped_by_dst_runs_shifted_forward_that_day() -> None:
    first = datetime(2027, 3, 27, 1, 30, tzinfo=UTC)  # Sat 02:30 CET
    runs = series(parse_repeat("every day 02:30"), BERLIN, first, 3)
    assert runs == [first, utc(2027, 3, 28, 1, 30), utc(2027, 3, 29, 0, 30)]
    assert [r.astimezone(BERLIN).strftime("%H:%M") for r in runs] == ["02:30", "03:30", "02:30"]


def test_a_daily_time_repeated_by_dst_runs_once_at_its_first_occurrence() -> None:
    first = datetime(2026, 10, 24, 0, 30, tzinfo=UTC)  # Sat 02:30 CEST
    for typed in ("every day 02:30", "30 2 * * *", "daily"):
        runs = series(parse_repeat(typed), BERLIN, first, 3)
        assert runs == [first, utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_next_after_is_strictly_after_and_starts_with_the_first_run() -> None:
    rule = parse_repeat("every friday 18:00")
    assert rule.next_after(NOW, BERLIN, FRIDAY_18) == FRIDAY_18
    assert rule.next_after(FRIDAY_18, BERLIN, FRIDAY_18) == utc(2026, 12, 4, 17)
    # After downtime the next run is simply the next one after the given moment.
    assert rule.next_after(utc(2027, 1, 6, 12), BERLIN, FRIDAY_18) == utc(2027, 1, 8, 17)
    fixed = parse_repeat("every 30 seconds")
    assert fixed.next_after(FRIDAY_18 + timedelta(seconds=45), BERLIN, FRIDAY_18) == (
        FRIDAY_18 + timedelta(seconds=60)
    )


@pytest.mark.parametrize(
    "typed", ["every 2 days at 18:00", "every 90 minutes", "every 3 weeks", "0 18 * * 5"]
)
def test_skipping_missed_runs_keeps_the_series_on_its_grid(typed: str) -> None:
    rule = parse_repeat(typed).bind(FRIDAY_18, BERLIN)
    runs = series(rule, BERLIN, FRIDAY_18, 200)
    last_run, back_online = runs[3], runs[150] + timedelta(minutes=17, seconds=3)
    expected = next(run for run in runs if run > back_online)
    assert rule.next_after(back_online, BERLIN, last_run) == expected


# --- binding the first run into the text -------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "bound"),
    [
        ("daily", "every day 18:00"),
        ("weekly", "every friday 18:00"),
        ("every 2 days", "every 2 days at 18:00"),
        ("weekly at 18:00", "every friday 18:00"),
        ("weekly at 20:00", "weekly at 20:00"),
        ("every 30 seconds", "every 30 seconds"),
        ("every monday 9:00", "every monday 09:00"),
        ("0 18 * * 5", "cron 0 18 * * 5"),
    ],
)
def test_bind_writes_the_first_runs_time_of_day_into_the_text(typed: str, bound: str) -> None:
    assert parse_repeat(typed).bind(FRIDAY_18, BERLIN).text == bound


# --- agreement with APScheduler ----------------------------------------------------------------

AGREEMENT_RULES = ["daily", "weekly", "hourly", "every 2 days", "every 3 weeks at 02:30",
                   "every 30 seconds", "every 90 minutes", "every friday 18:00",
                   "every monday, thursday 19:30", "every day 02:30", "every day 00:15",
                   "0 18 * * 5", "0 18 * * 0", "*/30 1-3 * * *", "10,40 2,3 * * *",
                   "0 9 1 * mon", "0 9 1-7 * 1-5", "15 2 * 3,10 sun", "@hourly"]  # fmt: skip


@pytest.mark.parametrize("typed", AGREEMENT_RULES)
@pytest.mark.parametrize("first_run", [OCTOBER_EVE + timedelta(hours=5), MARCH_EVE])
def test_trigger_fires_exactly_when_next_after_says(typed: str, first_run: datetime) -> None:
    rule = parse_repeat(typed)
    for zone in (BERLIN, ZoneInfo("America/New_York")):
        expected = series(rule, zone, first_run, 40)
        assert trigger_series(rule, zone, first_run, 40) == expected
        bound = rule.bind(first_run, zone)
        assert trigger_series(bound, zone, first_run, 40) == expected


@pytest.mark.parametrize("typed", ["every friday 18:00", "every 2 days", "hourly", "0 9 1 * mon"])
def test_triggers_survive_a_job_store_round_trip(typed: str) -> None:
    trigger = parse_repeat(typed).to_trigger(BERLIN, FRIDAY_18)
    copy = pickle.loads(pickle.dumps(trigger))
    for previous in (None, FRIDAY_18, utc(2027, 3, 27, 12)):
        assert copy.get_next_fire_time(previous, NOW) == trigger.get_next_fire_time(previous, NOW)


def test_next_after_answers_in_utc_whatever_zone_it_is_given() -> None:
    local_first = FRIDAY_18.astimezone(BERLIN)
    for typed in ("every 30 seconds", "every 2 days", "every friday 18:00"):
        following = parse_repeat(typed).next_after(local_first, BERLIN, local_first)
        assert following.tzinfo is UTC


rules = st.one_of(
    st.builds(weekday_rule, st.frozensets(st.integers(0, 6), min_size=1), times_of_day),
    cron_lines.map(parse_repeat),
    st.builds(calendar_rule, st.integers(1, 30), st.none() | times_of_day),
    st.builds(fixed_rule, st.integers(10, 3 * 86400)),
)


@settings(max_examples=120, deadline=None)
@given(rules, near_a_transition())
def test_trigger_agrees_with_next_after_around_dst_changes(
    rule: RepeatRule, place: tuple[ZoneInfo, datetime]
) -> None:
    zone, first = place
    expected = series(rule, zone, first, 25)
    assert trigger_series(rule, zone, first, 25) == expected
    assert expected == sorted(set(expected))  # strictly increasing, no run twice


@settings(max_examples=80, deadline=None)
@given(rules, near_a_transition())
def test_a_bound_rule_continues_from_the_previous_run_alone(
    rule: RepeatRule, place: tuple[ZoneInfo, datetime]
) -> None:
    zone, first = place
    bound = rule.bind(first, zone)
    assert RepeatRule.from_text(bound.text) == bound
    expected = series(rule, zone, first, 12)
    chained = [first]
    while len(chained) < 12:
        chained.append(bound.next_after(chained[-1], zone))  # no first_run stored
    assert chained == expected


# --- descriptions and previews -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "described"),
    [
        ("every friday 18:00", "every Friday at 18:00 CET — next: Fri 4 Dec 2026 18:00 CET"),
        ("weekly", "every week at 18:00 CET — next: Fri 4 Dec 2026 18:00 CET"),
        ("every 2 days", "every 2 days at 18:00 CET — next: Sun 29 Nov 2026 18:00 CET"),
        ("every 30 seconds", "every 30 seconds — next: Fri 27 Nov 2026 18:00:30 CET"),
        ("hourly", "every hour — next: Fri 27 Nov 2026 19:00 CET"),
        (
            "every monday, thursday 19:30",
            "every Monday and Thursday at 19:30 CET — next: Mon 30 Nov 2026 19:30 CET",
        ),
        ("0 18 * * 5", "cron 0 18 * * 5 (Europe/Berlin) — next: Fri 4 Dec 2026 18:00 CET"),
    ],
)
def test_describe_repeat(typed: str, described: str) -> None:
    assert describe_repeat(parse_repeat(typed), BERLIN, FRIDAY_18) == described


def test_preview_without_a_first_run() -> None:
    assert preview_repeat("every friday 18:00", BERLIN, NOW) == (
        "every Friday at 18:00 CET — next: Fri 27 Nov 2026 18:00 CET"
    )
    assert preview_repeat("every 2 days", BERLIN, NOW) == (
        "every 2 days, at the first run's time of day"
    )
    assert preview_repeat("every 3 hours", BERLIN, NOW).startswith("every 3 hours")


def test_preview_with_a_first_run_and_problems() -> None:
    assert preview_repeat("weekly", BERLIN, NOW, FRIDAY_18).endswith("Fri 4 Dec 2026 18:00 CET")
    assert preview_repeat("every 5 seconds", BERLIN, NOW).startswith("✗ That repeats too often")
    assert preview_repeat(" ", BERLIN, NOW).startswith("Type a repeat")


@settings(max_examples=300)
@given(
    st.text(max_size=150) | cron_lines | st.from_regex(r"every [a-z0-9 ,:-]{0,40}", fullmatch=True)
)
def test_previews_never_raise_and_fit_a_choice_name(text: str) -> None:
    for first in (None, FRIDAY_18):
        assert 0 < len(preview_repeat(text, BERLIN, NOW, first)) <= 100
