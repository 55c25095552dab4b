"""Notes the bot records in English and shows later in the reader's language.

A release's history and its last error are written once, when the bot has no reader to speak
to, and kept in English (logs, the CLI and older rows read them as they are). When a person
reads them, the stored text is matched back to the message id it was made from, its
placeholders are read off the text, and the message is said again in the reader's language.
Text that matches no known message (an older wording, Discord's own error text) is shown as
stored.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from bot.errors import Translates
from bot.i18n.numbers import Quantity

# A `{n}` placeholder is a count: read back as a number so the reader's separators apply.
_COUNT = "n"
_COUNT_TEXT = re.compile(r"\d{1,3}(?:,\d{3})*|\d+")


def _pattern(message: str) -> re.Pattern[str]:
    """A regex that matches `message`'s English text, a named group per placeholder."""
    parts: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(message):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts), re.DOTALL)


def _literal_length(message: str) -> int:
    return sum(len(literal) for literal, *_ in string.Formatter().parse(message))


class RecordedNotes:
    """The message ids whose English text a feature stores, to be said again when read."""

    def __init__(
        self, messages: Iterable[str], *, terms: Iterable[str] = (), phrases: Iterable[str] = ()
    ) -> None:
        """`terms`: placeholders whose value is a catalog entry (e.g. a rating); `phrases`:
        placeholders whose value is itself one of `messages` (e.g. what the bot tried to do).
        Any other value (a title, a channel name) is the user's and is shown as it is."""
        self._terms = frozenset(terms)
        self._phrases = frozenset(phrases)
        # The most specific wording first: "message {m} (limit used up)" before "message {m}".
        ordered = sorted(set(messages), key=_literal_length, reverse=True)
        if ordered and _literal_length(ordered[-1]) == 0:
            raise ValueError("a recorded note needs some words besides its placeholders")
        self._patterns = [(message, _pattern(message)) for message in ordered]

    def say(self, text: str, t: Translates) -> str:
        """`text` (as recorded, in English) in `t`'s language; unknown text as it is."""
        for message, pattern in self._patterns:
            found = pattern.fullmatch(text)
            if found is not None:
                values = found.groupdict().items()
                params = {name: self._param(name, value, t) for name, value in values}
                return t.gettext(message, **params)
        return text

    def _param(self, name: str, value: str, t: Translates) -> object:
        """A placeholder's value: a count as a number, a term or a phrase translated."""
        if name == _COUNT and _COUNT_TEXT.fullmatch(value):
            return Quantity(int(value.replace(",", "")))
        if name in self._terms:
            return t.gettext(value)
        if name in self._phrases:
            return self.say(value, t)
        return value
