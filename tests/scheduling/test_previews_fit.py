"""Autocomplete previews: always within Discord's 100 characters, echo shortened, meaning kept."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.scheduling import preview_repeat, preview_when

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
LONG_ZONE = ZoneInfo("America/Argentina/ComodRivadavia")


def test_a_long_rule_keeps_its_next_run_and_fits() -> None:
    shown = preview_repeat(
        "every monday, tuesday, wednesday, thursday, saturday 18:00", LONG_ZONE, NOW
    )
    assert len(shown) <= 100
    assert "— next: Wed 25 Nov 2026 18:00" in shown


def test_a_near_miss_keeps_its_suggestion_and_fits() -> None:
    shown = preview_repeat("every fridy " + "18:00" + " " * 3 + "x" * 0, ZoneInfo("UTC"), NOW)
    assert len(shown) <= 100 and 'Did you mean "every friday 18:00"?' in shown
    long_typo = "every fridy 18:00 " + "and also some more words " * 3
    assert len(preview_repeat(long_typo.strip(), ZoneInfo("UTC"), NOW)) <= 100


def test_a_typed_zone_is_the_one_described() -> None:
    assert preview_when("18:00 JST", ZoneInfo("Europe/Paris"), NOW).startswith(
        "Thu 26 Nov 2026 18:00 JST"
    )
    assert preview_when("1/2/2027 9am", ZoneInfo("UTC"), NOW, locale="fr").startswith(
        "Mon 1 Feb 2027"
    )
