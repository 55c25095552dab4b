"""Numbers in a reader's language: thousands and decimal separators from Babel's CLDR data
("12 345" in French, "12.345" in German, "12,345" in English)."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass

from babel import Locale

from bot.i18n.locale import ENGLISH, babel_locale


def number(value: float, locale: str = ENGLISH, *, decimals: int = 0) -> str:
    """`value` with the locale's separators and exactly `decimals` digits after the point."""
    cldr = Locale.parse(babel_locale(locale))
    # The locale's own pattern keeps its grouping rules (Spanish writes 1234 but 12.345).
    pattern = copy(cldr.decimal_formats[None])
    pattern.frac_prec = (decimals, decimals)
    return pattern.apply(value, cldr)


@dataclass(frozen=True)
class Quantity:
    """A number placeholder of a message: the `Speaker` writes it in its own language.

    The domain (discord-free, language-free) puts a `Quantity` in a `UserError`'s params; the
    rendering speaker turns it into text with its separators. `str()` is the English form.
    """

    value: float
    decimals: int = 0

    def localized(self, locale: str) -> str:
        """The number as `locale` writes it."""
        return number(self.value, locale, decimals=self.decimals)

    def __str__(self) -> str:
        return self.localized(ENGLISH)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)
