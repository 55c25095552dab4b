"""Reading one-off times (`when`), describing them, and their autocomplete previews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.scheduling import preview_when
from bot.scheduling.describe import describe_delay, describe_time, discord_timestamp
from bot.scheduling.when import MAX_INPUT_LENGTH, parse_when
from bot.scheduling.zones import to_utc

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 25 November 2026, 11:00 in Berlin (CET, UTC+1).
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    """A UTC datetime, for readable expectations."""
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 18:00", utc(2026, 12, 1, 17, 0)),
        ("2026-12-01 18:00:30", utc(2026, 12, 1, 17, 0, 30)),
        ("2026-12-01T18:00", utc(2026, 12, 1, 17, 0)),
        ("2026-12-01t18:00:30", utc(2026, 12, 1, 17, 0, 30)),
        ("tomorrow 18:00", utc(2026, 11, 26, 17, 0)),
        ("tomorrow at 6pm", utc(2026, 11, 26, 17, 0)),
        ("18:00 tomorrow", utc(2026, 11, 26, 17, 0)),
        ("today 18:00", utc(2026, 11, 25, 17, 0)),
        ("tonight 8pm", utc(2026, 11, 25, 19, 0)),
        ("friday 6pm", utc(2026, 11, 27, 17, 0)),
        ("fri 18:00", utc(2026, 11, 27, 17, 0)),
        ("friday, 6 pm", utc(2026, 11, 27, 17, 0)),
        ("6pm on friday", utc(2026, 11, 27, 17, 0)),
        ("next friday 18:00", utc(2026, 11, 27, 17, 0)),
        ("this friday 18:00", utc(2026, 11, 27, 17, 0)),
        ("in 90 seconds", utc(2026, 11, 25, 10, 1, 30)),
        ("in 2 hours", utc(2026, 11, 25, 12, 0)),
        ("in 1 day", utc(2026, 11, 26, 10, 0)),
        ("in 2h30m", utc(2026, 11, 25, 12, 30)),
        ("in 1 hour and 30 minutes", utc(2026, 11, 25, 11, 30)),
        ("in an hour", utc(2026, 11, 25, 11, 0)),
        ("in 2 weeks", utc(2026, 12, 9, 10, 0)),
        ("18:00", utc(2026, 11, 25, 17, 0)),
        ("at 18:00", utc(2026, 11, 25, 17, 0)),
        ("6:30pm", utc(2026, 11, 25, 17, 30)),
        ("noon", utc(2026, 11, 25, 11, 0)),
        ("midnight", utc(2026, 11, 25, 23, 0)),
        ("1 dec 18:00", utc(2026, 12, 1, 17, 0)),
        ("dec 1st 2027 6pm", utc(2027, 12, 1, 17, 0)),
        ("1st of december 2026 18:00", utc(2026, 12, 1, 17, 0)),
        ("29 feb 12:00", utc(2028, 2, 29, 11, 0)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    assert parse_when(text, BERLIN, NOW) == expected


def test_case_and_whitespace_do_not_matter() -> None:
    expected = parse_when("tomorrow 18:00", BERLIN, NOW)
    assert parse_when("  TOMORROW    18:00 ", BERLIN, NOW) == expected
    assert parse_when("Friday\t6PM", BERLIN, NOW) == parse_when("friday 6pm", BERLIN, NOW)


def test_a_bare_time_already_past_today_means_tomorrow() -> None:
    assert parse_when("09:00", BERLIN, NOW) == utc(2026, 11, 26, 8, 0)


def test_a_weekday_is_today_while_its_time_is_ahead() -> None:
    wednesday = "wednesday 18:00"
    assert parse_when(wednesday, BERLIN, NOW) == utc(2026, 11, 25, 17, 0)
    assert parse_when("wednesday 9:00", BERLIN, NOW) == utc(2026, 12, 2, 8, 0)
    assert parse_when("next wednesday 18:00", BERLIN, NOW) == utc(2026, 12, 2, 17, 0)


def test_a_day_without_year_already_past_means_next_year() -> None:
    assert parse_when("1 jan 10:00", BERLIN, NOW) == utc(2027, 1, 1, 9, 0)
    assert parse_when("25 nov 09:00", BERLIN, NOW) == utc(2027, 11, 25, 8, 0)


def test_the_zone_decides_the_wall_clock() -> None:
    tokyo = parse_when("2026-12-01 18:00", ZoneInfo("Asia/Tokyo"), NOW)
    assert tokyo == utc(2026, 12, 1, 9, 0)
    assert parse_when("2027-07-01 18:00", BERLIN, NOW) == utc(2027, 7, 1, 16, 0)  # CEST


def test_results_have_whole_seconds() -> None:
    later = NOW + timedelta(microseconds=654321)
    assert parse_when("in 90 seconds", BERLIN, later) == utc(2026, 11, 25, 10, 1, 30)


def test_a_time_skipped_by_dst_moves_forward() -> None:
    moved = parse_when("2027-03-28 02:30", BERLIN, NOW)
    assert moved == utc(2027, 3, 28, 1, 30)
    assert describe_time(moved, BERLIN) == "Sun 28 Mar 2027 03:30 CEST"


def test_a_time_repeated_by_dst_is_its_first_occurrence() -> None:
    early = datetime(2026, 10, 1, tzinfo=UTC)
    assert parse_when("2026-10-25 02:30", BERLIN, early) == utc(2026, 10, 25, 0, 30)


def test_in_a_day_is_24_hours_even_across_dst() -> None:
    saturday = datetime(2026, 10, 24, 16, 0, tzinfo=UTC)  # 18:00 CEST
    assert parse_when("in 1 day", BERLIN, saturday) == utc(2026, 10, 25, 16, 0)  # 17:00 CET


def refusal(text: str, now: datetime = NOW) -> InvalidInput:
    """The error `parse_when` raises for `text`."""
    with pytest.raises(InvalidInput) as caught:
        parse_when(text, BERLIN, now)
    return caught.value


def test_the_past_is_refused_with_an_example_that_works() -> None:
    error = refusal("2020-01-01 10:00")
    assert "past" in error.message and "2020" in error.message
    assert "tomorrow 18:00" in (error.hint or "")
    assert "past" in refusal("today 09:00").message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31 feb", "no day 31 in February"),
        ("31 feb 18:00", "no day 31 in February"),
        ("2026-02-31 10:00", "no day 31 in February 2026"),
        ("2026-13-01 10:00", "no month 13"),
        ("0000-01-01 10:00", "no year 0"),
        ("31 april 12:00", "no day 31 in April"),
        ("25:00", "hours go from 0 to 23"),
        ("18:61", "minutes go from 0 to 59"),
        ("18:00:75", "seconds go from 0 to 59"),
        ("13pm", "1 to 12"),
    ],
)
def test_impossible_dates_and_times_are_refused(text: str, reason: str) -> None:
    assert reason in refusal(text).message


@pytest.mark.parametrize("text", ["9999-01-01 10:00", "in 3700 days", "in 999999999 weeks"])
def test_too_far_ahead_is_refused(text: str) -> None:
    assert "5 years" in refusal(text).message


def test_the_very_end_of_the_calendar_is_too_far_not_a_crash() -> None:
    with pytest.raises(InvalidInput, match="5 years"):
        parse_when("9999-12-31 23:59", ZoneInfo("America/New_York"), NOW)


@pytest.mark.parametrize("text", ["garbage", "soon", "18", "friday the 13th", "2026/12/01"])
def test_garbage_lists_the_accepted_forms(text: str) -> None:
    error = refusal(text)
    assert "can't read" in error.message
    assert "tomorrow 18:00" in (error.hint or "") and "in 2 hours" in (error.hint or "")


def test_a_day_without_a_time_asks_for_one() -> None:
    error = refusal("friday")
    assert "needs a time" in error.message and "friday 18:00" in (error.hint or "")


@pytest.mark.parametrize("text", ["someday 18:00", "2026/12/01 18:00", "the 13th 18:00"])
def test_unknown_day_before_a_time_is_explained(text: str) -> None:
    error = refusal(text)
    assert "as a day" in error.message and "tomorrow" in (error.hint or "")


@pytest.mark.parametrize("text", ["", "   ", "now", "x" * (MAX_INPUT_LENGTH + 1)])
def test_empty_now_and_overlong_are_refused(text: str) -> None:
    assert refusal(text).hint


def test_a_duration_that_is_not_one_is_explained() -> None:
    assert "duration" in refusal("in a while").message


@given(st.datetimes(min_value=datetime(2026, 11, 26), max_value=datetime(2031, 11, 1)))
def test_any_future_wall_time_written_out_parses_to_itself(wall: datetime) -> None:
    wall = wall.replace(microsecond=0)
    assert parse_when(wall.strftime("%Y-%m-%d %H:%M:%S"), BERLIN, NOW) == to_utc(wall, BERLIN)


@given(st.integers(min_value=1, max_value=10**6))
def test_in_n_seconds_is_exactly_n_seconds_ahead(seconds: int) -> None:
    assert parse_when(f"in {seconds} seconds", BERLIN, NOW) == NOW + timedelta(seconds=seconds)


@settings(max_examples=300)
@given(st.text(max_size=60) | st.from_regex(r"(in |next |)[a-z0-9: -]{0,20}", fullmatch=True))
def test_any_text_gives_a_future_time_or_a_clear_refusal(text: str) -> None:
    try:
        moment = parse_when(text, BERLIN, NOW)
    except InvalidInput as error:
        assert error.message
    else:
        assert NOW < moment <= NOW + timedelta(days=5 * 366)


# --- descriptions ------------------------------------------------------------------------------


def test_describe_time_uses_the_local_abbreviation() -> None:
    assert describe_time(utc(2026, 11, 27, 17, 0), BERLIN) == "Fri 27 Nov 2026 18:00 CET"
    assert describe_time(utc(2026, 7, 3, 16, 0, 30), BERLIN) == "Fri 3 Jul 2026 18:00:30 CEST"
    assert describe_time(utc(2026, 7, 3, 16, 0), ZoneInfo("UTC")) == "Fri 3 Jul 2026 16:00 UTC"


def test_describe_time_names_zones_without_a_letter_abbreviation() -> None:
    assert describe_time(utc(2026, 7, 3, 16, 0), ZoneInfo("Asia/Dubai")).endswith(
        "20:00 Asia/Dubai"
    )


def test_discord_timestamp() -> None:
    assert discord_timestamp(utc(2026, 11, 27, 17, 0)) == "<t:1795798800:F>"
    assert discord_timestamp(utc(2026, 11, 27, 17, 0), "R") == "<t:1795798800:R>"
    with pytest.raises(ValueError):
        discord_timestamp(NOW, "X")


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=45), "in 45 seconds"),
        (timedelta(minutes=1), "in 1 minute"),
        (timedelta(hours=2, minutes=5, seconds=3), "in 2 hours 5 minutes"),
        (timedelta(days=3, minutes=5), "in 3 days"),
        (timedelta(0), "in 0 seconds"),
    ],
)
def test_describe_delay(delta: timedelta, words: str) -> None:
    assert describe_delay(NOW + delta, NOW) == words


def test_preview_shows_how_the_time_was_understood() -> None:
    preview = preview_when("friday 6pm", BERLIN, NOW)
    assert preview == "Fri 27 Nov 2026 18:00 CET · in 2 days 7 hours"


def test_preview_explains_a_problem_instead_of_raising() -> None:
    assert preview_when("25:00", BERLIN, NOW).startswith("✗ `25:00` is not a time of day")
    assert preview_when("", BERLIN, NOW).startswith("Type a time")


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_previews_never_raise_and_fit_a_choice_name(text: str) -> None:
    preview = preview_when(text, BERLIN, NOW)
    assert 0 < len(preview) <= 100
