"""The shipped catalogs (issue 18): complete in every locale, placeholders intact, command
names within Discord's rules, and every message the code marks present."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import SUPPORTED, Catalogs
from bot.i18n.catalog import po_path
from cogs.i18n import NAME_CONTEXT

ROOT = Path(__file__).resolve().parents[2]
# gettext-style calls in bot/ and cogs/: Speaker.gettext/ngettext/pgettext, `_` and the N_ marker.
KEYWORDS = {"gettext": None, "_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
NAME_RULE = re.compile(r"^[-_\w\u0900-\u097F\u0E00-\u0E7F]{1,32}$")


def load(locale: str) -> Catalog:
    """One locale's catalog as Babel reads it."""
    with po_path(locale).open("rb") as handle:
        return read_po(handle)


def fields(text: str) -> set[str]:
    """The `{named}` placeholders of a message."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def marked_messages() -> set[tuple[str | None, str]]:
    """(context, id) of every message the code marks for translation."""
    found: set[tuple[str | None, str]] = set()
    for folder in ("bot", "cogs"):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.add((context, msgid))
    return found


@pytest.mark.parametrize("locale", sorted(SUPPORTED))
def test_every_message_is_translated_with_its_placeholders(locale: str) -> None:
    catalog = load(locale)
    assert catalog.num_plurals >= 1
    for message in catalog:
        if not message.id:
            continue  # the header
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy, (locale, message.id)
        assert len(texts) == (catalog.num_plurals if message.pluralizable else 1), message.id
        for text in texts:
            assert text, (locale, message.id)  # no untranslated entry
            assert fields(text) == set().union(*map(fields, ids)), (locale, message.id, text)


@pytest.mark.parametrize("locale", sorted(SUPPORTED))
def test_every_marked_message_is_in_the_catalog(locale: str) -> None:
    present = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in load(locale)}
    missing = marked_messages() - present
    assert not missing, (locale, sorted(missing, key=str))


def test_every_locale_has_the_same_messages() -> None:
    ids = {locale: {(m.context, str(m.id)) for m in load(locale)} for locale in SUPPORTED}
    first = ids["fr"]
    for locale, found in ids.items():
        assert found == first, (locale, found ^ first)


@pytest.mark.parametrize("locale", sorted(SUPPORTED))
def test_command_names_follow_discords_rules(locale: str) -> None:
    names = [m for m in load(locale) if m.context == NAME_CONTEXT]
    assert names
    for message in names:
        assert message.string == message.string.lower(), message.string
        assert NAME_RULE.match(message.string), message.string


def test_compiled_catalogs_speak_each_language_with_plurals() -> None:
    catalogs = Catalogs()
    fr = catalogs.speaker("fr")
    assert fr.ngettext("{done}/{n} page", "{done}/{n} pages", 1, done=0) == "0/1 page"
    assert fr.ngettext("{done}/{n} page", "{done}/{n} pages", 2, done=1) == "1/2 pages"
    de = catalogs.speaker("de")
    assert de.ngettext("{done}/{n} page", "{done}/{n} pages", 3, done=1) == "1/3 Seiten"
    # Anything else speaks English, the source language.
    assert catalogs.speaker("ja").gettext("Next ▶") == "Next ▶"


def test_the_wheel_ships_every_catalog() -> None:
    """pyproject's package data covers every `.po` file (they are compiled at start-up)."""
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["bot"]
    for locale in SUPPORTED:
        relative = po_path(locale).relative_to(ROOT / "bot").as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative
