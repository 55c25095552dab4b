"""Which language to speak: Discord's locale codes mapped to the catalogs chapterbot ships."""

from __future__ import annotations

# Discord locale code -> gettext catalog directory under bot/locales/.
SUPPORTED: dict[str, str] = {"fr": "fr", "de": "de", "es-ES": "es_ES", "pt-BR": "pt_BR"}
# The source language (message ids are English) and the fallback for every other locale.
ENGLISH = "en-US"


def choose_locale(*candidates: str | None) -> str:
    """The first candidate chapterbot has a catalog for, else English.

    Replies pass the interaction's `locale`; public posts pass the server's override
    (`/settings language`) and then its `preferred_locale`.
    """
    for code in candidates:
        if code in SUPPORTED:
            return code
        if code in ("en-US", "en-GB"):
            return ENGLISH
    return ENGLISH


def babel_locale(locale: str) -> str:
    """The Babel/CLDR name of a Discord locale (`es-ES` -> `es_ES`, English -> `en_US`)."""
    return SUPPORTED.get(locale, "en_US" if locale == ENGLISH else locale.replace("-", "_"))
