"""Translations: gettext catalogs (Babel) per Discord locale, and which locale to speak.

Discord-free: `bot.i18n.catalog` loads and compiles `bot/locales/*/LC_MESSAGES/chapterbot.po`,
`bot.i18n.locale` picks the locale for a reply or a public post. Cogs render with a `Speaker`
(one locale's gettext/ngettext); the command tree's translator lives in `cogs.i18n`.
"""

from bot.i18n.catalog import DOMAIN, LOCALES_DIR, N_, SOURCE, Catalogs, Speaker
from bot.i18n.locale import ENGLISH, SUPPORTED, choose_locale
from bot.i18n.numbers import Quantity, number

__all__ = [
    "DOMAIN",
    "ENGLISH",
    "LOCALES_DIR",
    "N_",
    "SOURCE",
    "SUPPORTED",
    "Catalogs",
    "Quantity",
    "Speaker",
    "choose_locale",
    "number",
]
