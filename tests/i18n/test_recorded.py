"""Notes recorded in English and said again in the reader's language (issue 18): a release's
history and last error, matched back to their message ids with the shipped catalogs."""

from __future__ import annotations

import pytest

from bot.i18n import Catalogs, Quantity
from bot.i18n.recorded import RecordedNotes
from bot.publishing import notes
from bot.publishing.notes import RELEASE_NOTES, note
from bot.publishing.planner import MISSING_PERMISSIONS, NOT_AGE_RESTRICTED


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs()


def test_a_count_is_read_back_as_a_number_in_the_readers_separators(catalogs: Catalogs) -> None:
    french = catalogs.speaker("fr")
    recorded = note(notes.PAGES_POSTED, n=Quantity(1234))
    assert recorded == "1,234 page(s) posted"
    said = RELEASE_NOTES.say(recorded, french)
    assert said == french.gettext(notes.PAGES_POSTED, n=Quantity(1234))
    assert "publiée" in said and "1,234" not in said


def test_what_discord_refused_is_said_with_the_action_translated(catalogs: Catalogs) -> None:
    german = catalogs.speaker("de")
    action = note(notes.POST_IN, channel="#allgemein")
    recorded = note(notes.DISCORD_REFUSED, action=action, reason="Missing Permissions")
    said = RELEASE_NOTES.say(recorded, german)
    # The action is a phrase of its own; Discord's reason stays as Discord gave it.
    assert said == german.gettext(
        notes.DISCORD_REFUSED,
        action=german.gettext(notes.POST_IN, channel="#allgemein"),
        reason="Missing Permissions",
    )
    assert "in #allgemein posten" in said and "post in" not in said


def test_the_most_specific_wording_wins(catalogs: Catalogs) -> None:
    spanish = catalogs.speaker("es-ES")
    late = note(notes.CROSSPOSTED_LATE, message=123456789012345678)
    said = RELEASE_NOTES.say(late, spanish)
    # A message id is not a count: no separators, and not swallowed by "message {message}".
    assert said == spanish.gettext(notes.CROSSPOSTED_LATE, message="123456789012345678")


def test_a_rating_is_a_term_and_a_title_is_the_authors(catalogs: Catalogs) -> None:
    french = catalogs.speaker("fr")
    params = {"title": "crosspost", "rating": "Mature", "channel": "#général"}
    said = RELEASE_NOTES.say(note(NOT_AGE_RESTRICTED, **params), french)
    assert said == french.gettext(
        NOT_AGE_RESTRICTED, title="crosspost", rating=french.gettext("Mature"), channel="#général"
    )
    assert "« crosspost »" in said  # a title that reads like a phrase is still the title


def test_unknown_text_is_shown_as_recorded(catalogs: Catalogs) -> None:
    portuguese = catalogs.speaker("pt-BR")
    for text in ("", "worker-7", "3 page(s) went somewhere", "Something Discord said."):
        assert RELEASE_NOTES.say(text, portuguese) == text


@pytest.mark.parametrize("locale", ["fr", "de", "es-ES", "pt-BR"])
def test_every_refusal_reads_in_each_language(catalogs: Catalogs, locale: str) -> None:
    speaker = catalogs.speaker(locale)
    params = {"permissions": "Send Messages", "channel": "#general"}
    said = RELEASE_NOTES.say(note(MISSING_PERMISSIONS, **params), speaker)
    assert said == speaker.gettext(MISSING_PERMISSIONS, **params)
    assert said != note(MISSING_PERMISSIONS, **params)


def test_english_reads_every_note_as_recorded(catalogs: Catalogs) -> None:
    english = catalogs.english
    recorded = [
        note(notes.PAGES_FOUND, n=3),
        note(notes.PAGE_DELETED, chapter=2, page=5),
        note(notes.CONNECTION_LOST, action=note(notes.CROSSPOST), reason="OSError()"),
        note(notes.CHANNEL_GONE),
    ]
    assert [RELEASE_NOTES.say(text, english) for text in recorded] == recorded


def test_a_note_needs_words_besides_its_placeholders() -> None:
    with pytest.raises(ValueError, match="needs some words"):
        RecordedNotes(["{anything}"])
