"""Zone lookup, suggestions, search for autocomplete, resolution order and DST localisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.scheduling.zones import (
    POPULAR_ZONES,
    parse_zone,
    resolve_zone,
    search_zones,
    suggest_zones,
    to_utc,
    zone_names,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  EUROPE/BERLIN ", "Europe/Berlin"),
        ("America/New_York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "UTC"),
        ("gmt", "UTC"),
        ("berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
    ],
)
def test_parse_zone_accepts_names_case_insensitively(typed: str, key: str) -> None:
    assert parse_zone(typed).key == key


@pytest.mark.parametrize(
    ("abbreviation", "expected"),
    [("CET", "Europe/Berlin"), ("EST", "America/New_York"), ("pst", "America/Los_Angeles")],
)
def test_abbreviations_are_refused_with_city_suggestions(abbreviation: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_zone(abbreviation)
    assert "abbreviation" in caught.value.message
    assert expected in (caught.value.hint or "")


@pytest.mark.parametrize("typed", ["Europe/Berln", "europe/berlim", "Berln"])
def test_typos_suggest_the_close_zone(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_zone(typed)
    assert "Europe/Berlin" in (caught.value.hint or "")


@pytest.mark.parametrize("typed", ["Etc/GMT+5", "Mars/Olympus_Mons", "", "localtime", "Factory"])
def test_unknown_or_misleading_zones_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_zone(typed)
    assert caught.value.hint  # always tells the user what to write instead


def test_zone_names_are_sorted_city_zones_that_load() -> None:
    names = zone_names()
    assert list(names) == sorted(names)
    assert "UTC" in names and "Europe/Berlin" in names
    assert not any(n.startswith("Etc/") or ("/" not in n and n != "UTC") for n in names)
    for name in names[::50]:
        assert ZoneInfo(name).key == name


def test_search_puts_prefix_matches_first() -> None:
    found = search_zones("europe/b")
    assert found and all(name.startswith("Europe/B") for name in found)
    mixed = search_zones("ber")
    # "Europe/Berlin" starts a component with "ber"; it must beat mere substrings.
    assert mixed.index("Europe/Berlin") < next(
        i for i, n in enumerate(mixed) if not any(p.lower().startswith("ber") for p in n.split("/"))
    )


def test_search_is_case_insensitive_and_accepts_spaces() -> None:
    assert "America/New_York" in search_zones("NEW YORK")
    assert search_zones("TOKYO") == search_zones("tokyo")


def test_search_with_nothing_typed_offers_popular_zones() -> None:
    assert search_zones("") == list(POPULAR_ZONES)
    assert search_zones("   ", limit=3) == list(POPULAR_ZONES[:3])


@given(st.text(max_size=30), st.integers(min_value=1, max_value=25))
def test_search_results_are_real_unique_matches_within_the_limit(typed: str, limit: int) -> None:
    found = search_zones(typed, limit)
    assert len(found) <= limit
    assert len(set(found)) == len(found)
    assert set(found) <= set(zone_names())


def test_suggestions_for_nothing_are_empty() -> None:
    assert suggest_zones("  ") == []


def test_resolve_zone_prefers_user_then_guild_then_default() -> None:
    assert resolve_zone("Asia/Tokyo", "Europe/Berlin", "UTC").key == "Asia/Tokyo"
    assert resolve_zone(None, "Europe/Berlin", "UTC").key == "Europe/Berlin"
    assert resolve_zone("", None, "America/Chicago").key == "America/Chicago"


def test_resolve_zone_skips_a_stored_zone_that_no_longer_loads() -> None:
    assert resolve_zone("Gone/Nowhere", "Europe/Berlin", "UTC").key == "Europe/Berlin"
    assert resolve_zone("Gone/Nowhere", "../etc", "UTC").key == "UTC"


def test_to_utc_plain_wall_time() -> None:
    assert to_utc(datetime(2026, 12, 1, 18, 0), BERLIN) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert to_utc(datetime(2026, 7, 1, 18, 0), BERLIN) == datetime(2026, 7, 1, 16, 0, tzinfo=UTC)


def test_to_utc_moves_a_skipped_time_forward_by_the_gap() -> None:
    # 2027-03-28: Berlin jumps from 02:00 CET to 03:00 CEST, so 02:30 does not exist.
    moved = to_utc(datetime(2027, 3, 28, 2, 30), BERLIN)
    assert moved == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert moved.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_to_utc_takes_the_first_of_a_repeated_time() -> None:
    # 2026-10-25: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    first = to_utc(datetime(2026, 10, 25, 2, 30), BERLIN)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)))
def test_to_utc_keeps_real_wall_times_and_moves_skipped_ones_forward(wall: datetime) -> None:
    instant = to_utc(wall, BERLIN)
    back = instant.astimezone(BERLIN).replace(tzinfo=None)
    # Either the wall time exists (round trip) or it was moved forward out of a gap.
    assert back == wall or timedelta(0) < back - wall <= timedelta(hours=1)
