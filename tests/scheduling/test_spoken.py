"""Repeat rules and scheduling errors in the reader's language (issue 18): the rule's words come
from the catalogs, weekday and month names from Babel's locale data, English stays as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.i18n import Catalogs
from bot.scheduling import parse_repeat, parse_when, preview_repeat, say_rule

CATALOGS = Catalogs()
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
FIRST = datetime(2026, 12, 11, 17, 0, tzinfo=UTC)  # Friday 11 December, 18:00 in Paris


@pytest.mark.parametrize(
    ("rule", "locale", "expected"),
    [
        ("every friday 18:00", "fr", "chaque vendredi à 18:00 CET"),
        ("every monday and thursday 19:30", "de", "jeden Montag und Donnerstag um 19:30 CET"),
        ("weekdays 9am", "es-ES", "de lunes a viernes a las 09:00 CET"),
        ("daily 18:00", "pt-BR", "todos os dias às 18:00 CET"),
        ("every 3 hours", "fr", "toutes les 3 heures"),
        ("every other friday 18:00", "de", "jeden zweiten Freitag um 18:00 CET"),
        (
            "first friday of every month 18:00",
            "es-ES",
            "el primer viernes de cada mes a las 18:00 CET",
        ),
        ("monthly", "fr", "tous les mois le 11 à 18:00 CET"),
        ("every friday 18:00", "en-US", "every Friday at 18:00 CET"),
    ],
)
def test_a_rule_is_worded_in_the_readers_language(rule: str, locale: str, expected: str) -> None:
    bound = parse_repeat(rule).bind(FIRST, PARIS)
    assert say_rule(bound, PARIS, FIRST, CATALOGS.speaker(locale)) == expected


def test_the_repeat_preview_speaks_french_and_english_is_unchanged() -> None:
    fr = preview_repeat("every friday 18:00", PARIS, NOW, speaker=CATALOGS.speaker("fr"))
    assert fr == "chaque vendredi à 18:00 CET — prochaine : ven. 11 déc. 2026 18:00 CET"
    english = preview_repeat("every friday 18:00", PARIS, NOW, speaker=CATALOGS.speaker("en-US"))
    assert english == preview_repeat("every friday 18:00", PARIS, NOW)
    wrong = preview_repeat("every blorp", PARIS, NOW, speaker=CATALOGS.speaker("de"))
    assert wrong.startswith("✗ Ich kann `every blorp` nicht als Wiederholung lesen."), wrong


@pytest.mark.parametrize(
    ("when", "locale", "expected"),
    [
        ("30 feb 2027 18:00", "fr", "Il n'y a pas de jour 30 en février 2027."),
        ("30 feb 2027 18:00", "de", "Es gibt keinen 30. im Februar 2027."),
        ("2025-01-01 18:00", "es-ES", "mié 1 ene 2025 18:00 CET ya ha pasado."),
        ("2025-01-01 18:00", "en-US", "Wed 1 Jan 2025 18:00 CET is in the past."),
    ],
)
def test_date_errors_name_months_and_times_in_the_readers_language(
    when: str, locale: str, expected: str
) -> None:
    with pytest.raises(UserError) as caught:
        parse_when(when, PARIS, NOW)
    assert caught.value.render(CATALOGS.speaker(locale)).startswith(expected)


def test_a_counted_error_takes_the_languages_plural() -> None:
    error = UserError(
        "That is {n} emoji; a story can have at most {limit}.",
        plural="That is {n} emojis; a story can have at most {limit}.",
        params={"n": 12, "limit": 10},
    )
    assert str(error) == "That is 12 emojis; a story can have at most 10."
    assert error.render(CATALOGS.speaker("de")) == (
        "Das sind 12 Emojis; eine Geschichte kann höchstens 10 haben."
    )
