"""The gettext catalogs: `.po` files compiled in memory at start-up, and a `Speaker` per locale.

The `.po` files are the only source: they are compiled with Babel when the `Catalogs` object is
built (once, in `Services`), so an editable install never runs a stale `.mo` and a wheel ships
just the `.po` files (package data in pyproject).
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n.locale import ENGLISH, SUPPORTED
from bot.i18n.numbers import Quantity, number

DOMAIN = "chapterbot"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it (translated when rendered)."""
    return message


def po_path(locale: str, root: Path = LOCALES_DIR) -> Path:
    """Where a Discord locale's catalog lives."""
    return root / SUPPORTED[locale] / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_po(path: Path) -> gettext.NullTranslations:
    """Compile one `.po` file in memory (fuzzy entries are left out, as msgfmt does)."""
    with path.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Speaker:
    """One locale's voice: translate a message id, fill its named placeholders."""

    locale: str
    translations: gettext.NullTranslations

    def gettext(self, message: str, /, **params: object) -> str:
        """The translation of `message` with `{name}` placeholders filled from `params`
        (a `Quantity` written with this language's separators)."""
        text = self.translations.gettext(message)
        return text.format(**self._localized(params)) if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """The plural form for `n` (the language's own rules); `{n}` is always available,
        written with this language's separators."""
        text = self.translations.ngettext(singular, plural, n)
        return text.format(n=number(n, self.locale), **self._localized(params))

    def number(self, value: float, decimals: int = 0) -> str:
        """`value` with this language's separators (`12 345` in French)."""
        return number(value, self.locale, decimals=decimals)

    def _localized(self, params: dict[str, object]) -> dict[str, object]:
        return {
            name: value.localized(self.locale) if isinstance(value, Quantity) else value
            for name, value in params.items()
        }

    def pgettext(self, context: str, message: str, /) -> str:
        """The translation of `message` in `context` (e.g. a command name)."""
        return self.translations.pgettext(context, message)


# English, the source language: message ids are shown as they are (no catalog needed).
SOURCE = Speaker(ENGLISH, gettext.NullTranslations())


class Catalogs:
    """Every shipped catalog, compiled once; hands out a `Speaker` per Discord locale."""

    def __init__(self, root: Path = LOCALES_DIR) -> None:
        self._speakers = {ENGLISH: SOURCE}
        for locale in SUPPORTED:
            self._speakers[locale] = Speaker(locale, compile_po(po_path(locale, root)))

    def speaker(self, locale: str | None) -> Speaker:
        """The speaker for `locale`, English when chapterbot does not speak it."""
        return self._speakers.get(locale or ENGLISH, self._speakers[ENGLISH])

    @property
    def english(self) -> Speaker:
        """The source language (message ids are English)."""
        return self._speakers[ENGLISH]
